"""The import through a real Celery worker (PostgreSQL and Redis): the page dispatches the task on commit,
a separate worker process runs it, and the job's progress and result are what the page polls."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from enrolments.models import Enrolment, ImportJob
from tests.conftest import purge_queue

from .helpers import csv_bytes, import_row

BASE_DIR = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


@pytest.fixture
def worker(require_postgresql, require_redis, transactional_db):
    from kombu import Connection


    purge_queue()
    with Connection(require_redis) as conn:
        conn.default_channel.client.delete("unacked", "unacked_index")
    env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_BROKER_URL": require_redis,
           "CELERY_RESULT_BACKEND": require_redis, "DJANGO_SETTINGS_MODULE": "portal.test_settings"}
    celery = str(Path(sys.executable).with_name("celery"))
    proc = subprocess.Popen([celery, "-A", "portal", "worker", "--pool", "solo", "-l", "warning",
                             "--without-gossip", "--without-mingle", "--without-heartbeat"],
                            cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    yield proc
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_import_runs_in_the_worker_and_the_page_shows_the_result(worker, client, staff, institution):
    from tests.factories import InstitutionClassFactory

    for i in range(3):
        InstitutionClassFactory(institution=institution, name=f"托大{i}班", class_type="older", places=20,
                                caregivers=3)
    rows = [import_row(f"童{i}", 25 + i % 10, f"托大{i % 3}班", seq=500 + i) for i in range(45)]
    client.force_login(staff)
    response = client.post(reverse("enrolments:import"), {"file": SimpleUploadedFile("a.csv", csv_bytes(rows))})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not ImportJob.objects.get(pk=job.pk).is_finished:
        if worker.poll() is not None:
            pytest.fail(worker.stdout.read().decode(errors="replace")[-3000:])
        time.sleep(0.3)
    job.refresh_from_db()
    assert job.status == "done", job.errors[:3]
    assert Enrolment.objects.count() == 45
    body = client.get(reverse("enrolments:import_progress", args=[job.pk])).content.decode()
    assert 'data-status="done"' in body and "hx-get" not in body
