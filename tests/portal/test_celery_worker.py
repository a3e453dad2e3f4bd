"""The Celery app with a real worker process, Redis and PostgreSQL."""

import pytest

from portal.tasks import health

pytestmark = pytest.mark.services


def test_a_real_worker_runs_a_task_against_the_database(transactional_db, celery_worker_process):
    result = health.delay()
    assert result.get(timeout=30) == {"database": True, "vendor": "postgresql"}


def test_reliability_settings_are_in_force():
    from portal.celery import app

    conf = app.conf
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"


def test_without_a_broker_tasks_run_in_process(settings):
    """The embedded default: no broker configured means eager tasks (see portal/settings.py)."""
    import subprocess
    import sys

    code = ("import django, os; django.setup(); from django.conf import settings; "
            "print(settings.CELERY_TASK_ALWAYS_EAGER)")
    # Set empty rather than removed: a removed variable would be read again from a checkout's `.env`.
    env = {**__import__("os").environ, "CELERY_BROKER_URL": "", "REDIS_URL": "",
           "DJANGO_SETTINGS_MODULE": "portal.test_settings"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
