"""Redis stopped while officials and staff work: every committed write is answered as a success, its
follow-up tasks wait in the outbox and run once Redis is back; a frozen Redis costs milliseconds.

Real parts: gunicorn serving the portal, a Celery worker with its outbox relay, and a redis-server of the
test's own (its cache and broker) that the test stops, starts again on the same port and freezes (SIGSTOP).
Before: approving answered 500 (with the filing saved and its notification and metrics refresh never
sent), the recompute request waited 19 s then 500, the import upload 500 with its job pending for good.
"""

import time

import pytest
import requests
from django.utils import timezone

from enrolments.models import ImportJob
from filings.models import Filing
from metrics.models import Snapshot
from portal.dispatch import outbox_pending
from portal.models import TaskOutbox
from tests.enrolments.helpers import csv_bytes, import_row
from tests.factories import InstitutionClassFactory, InstitutionFactory, UserFactory, api_token
from tests.filings.conftest import submitted_new_institution
from tests.helpers import keep_uploads_in

from .faults import app_env, kill_group, record_figures, session_cookie, start_web, start_worker, stop_group, wait_until

pytestmark = pytest.mark.services
CSRF = "c" * 32


def browser(user) -> requests.Session:
    session = requests.Session()
    session.cookies.update({**session_cookie(user), "csrftoken": CSRF})
    session.headers.update({"X-CSRFToken": CSRF})
    return session


class Tally:
    """Requests made, errors seen (5xx) and the slowest request, of the requests sent through it."""

    def __init__(self):
        self.requests, self.errors, self.timings = 0, 0, []

    def __call__(self, method, url, **kwargs):
        started = time.monotonic()
        response = method(url, allow_redirects=False, timeout=30, **kwargs)
        self.timings.append((round(time.monotonic() - started, 2), url.split("/", 3)[-1]))
        self.requests += 1
        self.errors += response.status_code >= 500
        return response

    @property
    def slowest(self) -> float:
        return max(t for t, _ in self.timings)


def test_redis_stopped_while_officials_and_staff_work_loses_nothing(
        require_postgresql, transactional_db, regions, private_redis, settings, tmp_path):
    keep_uploads_in(settings, tmp_path / "private")
    filing = submitted_new_institution(username="staff_outage", email="staff-outage@example.org")
    official = UserFactory(username="county_outage", role="official", region_id="130102")
    school = InstitutionFactory(region_id="130102001")
    InstitutionClassFactory(institution=school, name="托大一班", class_type="older", places=20, caregivers=3)
    staff = UserFactory(username="staff_import", institution=school)
    token = api_token(UserFactory(username="province_api", role="official", region_id="13"))
    env = app_env(redis=private_redis)
    log = tmp_path / "worker.log"
    web, base = start_web(env)
    worker = start_worker(env, log=log)
    try:
        # The worker and its relay are up: a first recompute goes through end to end.
        reviewer, uploader = browser(official), browser(staff)
        assert reviewer.post(f"{base}/metrics/recompute/", data={"date": "2022-06-30"}).status_code == 200
        wait_until(lambda: Snapshot.objects.ready().filter(date="2022-06-30").exists(), 60, what="the first run")
        tally = Tally()

        private_redis.stop()
        down_at = time.monotonic()
        approve = tally(reviewer.post, f"{base}/filings/{filing.pk}/approve/")
        recompute = tally(reviewer.post, f"{base}/metrics/recompute/", data={"date": timezone.localdate().isoformat()})
        upload = tally(uploader.post, f"{base}/enrolments/import/",
                       files={"file": ("class.csv", csv_bytes([import_row("赵一", 26, "托大一班", seq=1)]))})
        api = [tally(requests.get, f"{base}/api/v1/metrics/regions/", headers={"Authorization": f"Bearer {token}"})
               for _ in range(10)]
        health = tally(requests.get, f"{base}/healthz")
        status_page = tally(reviewer.get, f"{base}{recompute.headers['Location']}")
        job_page = tally(uploader.get, f"{base}{upload.headers['Location']}")

        assert [approve.status_code, recompute.status_code, upload.status_code] == [302, 302, 302]
        assert all(r.status_code == 200 for r in [*api, health, status_page, job_page])
        assert tally.slowest < 3, f"no request waits on the broker (or the cache): {tally.timings}"
        filing.refresh_from_db()
        assert filing.status == Filing.Status.FILED and filing.receipt_number
        assert 'data-status="queued"' in status_page.text  # the user sees the follow-up is queued
        job = ImportJob.objects.get(institution=school)
        assert job.status == ImportJob.Status.PENDING and 'data-status="pending"' in job_page.text
        waiting = health.json()["outbox_pending"]
        assert waiting >= 4  # notification, debounced refresh, recompute, import
        time.sleep(max(0.0, 3 - (time.monotonic() - down_at)))

        private_redis.start()
        back_at = time.monotonic()
        wait_until(lambda: outbox_pending() == 0, 30, what="the outbox to drain")
        delivered = time.monotonic() - back_at
        wait_until(lambda: 'data-status="ready"' in reviewer.get(f"{base}{recompute.headers['Location']}").text, 90,
                   interval=0.5, what="the recompute page to say ready")
        wait_until(lambda: ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.DONE, 90, what="the import")
        wait_until(lambda: "staff-outage@example.org" in log.read_text(errors="replace"), 30, what="the e-mail")
        done = time.monotonic() - back_at
        # Calls made by the tasks themselves (the debounced refresh schedules its recompute) go out too.
        wait_until(lambda: outbox_pending() == 0, 30, what="the follow-ups' own calls")
    finally:
        kill_group(web)
        stop_group(worker)
    lost = TaskOutbox.objects.filter(sent_at__isnull=True).count()
    record_figures("Redis stopped while officials and staff work", requests=tally.requests, errors=tally.errors,
                   slowest_request_s=round(tally.slowest, 2), task_calls_kept=waiting, tasks_lost=lost,
                   delivered_after_return_s=round(delivered, 1), all_done_after_return_s=round(done, 1))
    assert tally.errors == 0 and lost == 0
    assert delivered < 10


def test_a_frozen_redis_costs_milliseconds_and_the_cache_falls_through(
        require_postgresql, transactional_db, regions, private_redis):
    token = api_token(UserFactory(username="province_frozen", role="official", region_id="13"))
    env = app_env(redis=private_redis, CACHE_BREAKER_SECONDS=2)
    web, base = start_web(env)
    headers = {"Authorization": f"Bearer {token}"}
    timings = []
    try:
        assert requests.get(f"{base}/api/v1/metrics/regions/", headers=headers, timeout=10).status_code == 200
        private_redis.freeze()
        errors = 0
        for _ in range(20):
            started = time.monotonic()
            response = requests.get(f"{base}/api/v1/metrics/regions/", headers=headers, timeout=30)
            timings.append(time.monotonic() - started)
            errors += response.status_code != 200
        private_redis.thaw()
        after = requests.get(f"{base}/api/v1/metrics/regions/", headers=headers, timeout=10)
    finally:
        private_redis.thaw()
        kill_group(web)
    timings.sort()
    record_figures("Redis frozen (SIGSTOP)", requests=len(timings) + 2, errors=errors,
                   median_ms=round(timings[len(timings) // 2] * 1000), slowest_ms=round(timings[-1] * 1000))
    assert errors == 0 and after.status_code == 200
    assert timings[-1] < 1.5, "one socket timeout at most, never seconds per request"
    assert timings[len(timings) // 2] < 0.3
