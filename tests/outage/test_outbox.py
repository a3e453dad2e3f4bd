"""The transactional outbox: a task call is written with the change that asks for it and relayed to the
broker afterwards, so a broker outage neither slows a write down nor loses its task.

Runs against a Redis server of the test's own (started and stopped on a free port), so the shared Redis
of the rest of the suite is untouched.
"""

import time

import pytest
from django.db import transaction

from portal import dispatch
from portal.celery import app
from portal.models import TaskOutbox
from portal.tasks import health
from regions.models import Region
from tests.conftest import fresh_broker_pool
from tests.outage.faults import free_port

pytestmark = pytest.mark.services


@pytest.fixture
def broker_at(monkeypatch):
    """Points the app's broker at a URL for the test (eager off: a broker is configured)."""

    def point(url):
        monkeypatch.setattr(app.conf, "task_always_eager", False)
        monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery reads it before its own setting
        monkeypatch.setattr(app.conf, "broker_url", url)
        fresh_broker_pool()  # a pool made earlier for the real broker must not serve this test

    yield point
    monkeypatch.undo()
    # Connections to the test's broker: closed, and the pools forgotten. The app's pool lives in kombu's
    # global pool group keyed by the broker connection, so closing it alone would hand the next user
    # (the session's worker fixture pinging the real broker) the same closed pool again.
    fresh_broker_pool()


def test_a_rolled_back_change_takes_its_task_call_with_it(require_postgresql, transactional_db, broker_at):
    broker_at(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(RuntimeError), transaction.atomic():
        Region.objects.create(code="97", name="rolled back", level="province")
        dispatch.dispatch_on_commit(health)
        raise RuntimeError("the change fails")
    assert TaskOutbox.objects.count() == 0


def test_with_the_broker_down_the_write_commits_at_once_and_the_call_waits_in_the_outbox(
        require_postgresql, transactional_db, broker_at):
    broker_at(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    started = time.monotonic()
    with transaction.atomic():
        Region.objects.create(code="98", name="outage test", level="province")
        task_id = dispatch.dispatch_on_commit(health, countdown=None)
    took = time.monotonic() - started
    assert took < 0.5, "a write must not wait on the broker"
    assert Region.objects.filter(code="98").exists()
    row = TaskOutbox.objects.get()
    assert (row.task_name, row.task_id, row.sent_at) == ("portal.health", task_id, None)

    started = time.monotonic()
    with pytest.raises(dispatch.BrokerUnavailable):
        dispatch.relay_pending()
    assert time.monotonic() - started < 5, "the relay gives up on an unreachable broker within seconds"
    row.refresh_from_db()
    assert row.sent_at is None and row.attempts == 1 and row.error


def test_the_relay_sends_each_row_once_with_its_task_id_when_the_broker_is_back(
        require_postgresql, transactional_db, broker_at, private_redis):
    import redis

    broker_at(private_redis.url(0))
    private_redis.stop()
    first = dispatch.dispatch_on_commit(health)
    later = dispatch.dispatch_on_commit(health, countdown=60)  # not due yet: held by the relay
    with pytest.raises(dispatch.BrokerUnavailable):
        dispatch.relay_pending()
    private_redis.start()
    assert dispatch.relay_pending() == 1
    assert dispatch.relay_pending() == 0  # idempotent: a sent row is not sent again
    queued = redis.Redis(port=private_redis.port).lrange("default", 0, -1)
    assert len(queued) == 1 and first.encode() in queued[0] and later.encode() not in queued[0]
    assert TaskOutbox.objects.get(task_id=first).sent_at is not None
    assert TaskOutbox.objects.get(task_id=later).sent_at is None


def test_the_relay_sends_each_task_to_the_queue_of_its_kind(require_postgresql, transactional_db, broker_at,
                                                           private_redis):
    """The outbox holds task names; the relay's send_task applies the routes of settings by name."""
    import redis

    from enrolments.tasks import enrolment_import_run
    from metrics.tasks import rankings_period_end, recompute_snapshot

    broker_at(private_redis.url(0))
    ids = {"recompute": dispatch.dispatch_on_commit(recompute_snapshot, "2026-01-01"),
           "rankings": dispatch.dispatch_on_commit(rankings_period_end),
           "imports": dispatch.dispatch_on_commit(enrolment_import_run, 1),
           "default": dispatch.dispatch_on_commit(health)}
    assert dispatch.relay_pending() == 4
    client = redis.Redis(port=private_redis.port)
    for queue, task_id in ids.items():
        queued = client.lrange(queue, 0, -1)
        assert len(queued) == 1 and task_id.encode() in queued[0], queue
    assert client.llen("celery") == 0


def test_without_a_broker_the_task_runs_in_process_after_commit(db, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(app.conf, "task_always_eager", True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dispatch.dispatch_on_commit(health)
    assert len(callbacks) == 1 and TaskOutbox.objects.count() == 0
