"""Integration with a real Celery worker process on PostgreSQL and Redis.

Approving a filing dispatches the debounced recompute on commit; the worker (a separate process on the
same test database and broker) computes a new snapshot in which the newly filed institution's places count.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from institutions.models import Institution
from metrics.models import RegionSnapshot, Snapshot
from tests.factories import InstitutionClassFactory, InstitutionFactory, UserFactory

BASE_DIR = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


@pytest.fixture
def worker(require_postgresql, require_redis, transactional_db):
    env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_BROKER_URL": require_redis,
           "CELERY_RESULT_BACKEND": require_redis, "DJANGO_SETTINGS_MODULE": "portal.test_settings",
           "METRICS_DEBOUNCE_SECONDS": "1"}
    from portal.celery import app

    app.control.purge()  # messages left by earlier tests must not run against this database
    celery = str(Path(sys.executable).with_name("celery"))
    proc = subprocess.Popen([celery, "-A", "portal", "worker", "--pool", "solo", "-l", "warning",
                             "--without-gossip", "--without-mingle", "--without-heartbeat"],
                            cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _wait_for(predicate, proc, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if proc.poll() is not None:
            output = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            pytest.fail(f"the worker exited early:\n{output[-3000:]}")
        time.sleep(0.5)
    return False


def test_approving_a_filing_leads_to_a_snapshot_counting_its_places(worker, regions, settings, tmp_path):
    from filings import services as filing_services
    from filings.models import Document, Filing

    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None}}}
    county_official = UserFactory(username="county_worker", role="official", region_id="130102")
    draft = InstitutionFactory(region_id="130102001", status=Institution.Status.DRAFT, filed_on=None)
    InstitutionClassFactory(institution=draft, name="托大一班", places=17, caregivers=3)
    staff = UserFactory(username="staff_worker", institution=draft, email="staff@example.org")
    filing = filing_services.filing_create(institution=draft, kind=Filing.Kind.INITIAL, actor=staff)
    lease_end = timezone.localdate().replace(year=timezone.localdate().year + 4)
    for kind in filing_services.required_document_kinds(filing):
        filing_services.document_upload(
            filing=filing, actor=staff, kind=kind,
            file=SimpleUploadedFile(f"{kind}.pdf", PDF, content_type="application/pdf"),
            lease_ends_on=lease_end if kind == Document.Kind.PREMISES else None,
            rated_pass=True if kind == Document.Kind.HEALTH_EVALUATION else None)
    filing = filing_services.filing_submit(filing=filing, actor=staff)
    today = timezone.localdate()
    assert not Snapshot.objects.filter(date=today).exists()

    filing_services.filing_approve(filing=filing, actor=county_official)  # commits: the worker is told

    def counted():
        snapshot = Snapshot.objects.ready().filter(date=today).first()
        return bool(snapshot) and RegionSnapshot.objects.filter(snapshot=snapshot, region_id="130102",
                                                                places=17, institutions=1).exists()

    assert _wait_for(counted, worker), "no ready snapshot counting the new institution's places"
    snapshot = Snapshot.objects.ready().get(date=today)
    assert snapshot.task_id  # computed by the worker, not in this process
    assert RegionSnapshot.objects.get(snapshot=snapshot, region_id="13").places == 17


def test_a_recompute_request_runs_on_the_worker_and_reports_progress(worker, regions, api_client):
    InstitutionClassFactory(institution=InstitutionFactory(region_id="130502"), places=12)
    official = UserFactory(username="province_worker", role="official", region_id="13")
    api_client.force_login(official)
    response = api_client.post("/api/v1/metrics/recompute/", {}, format="json")
    assert response.status_code == 202
    task_id = response.json()["task_id"]

    def ready():
        return api_client.get(f"/api/v1/metrics/recompute/{task_id}/").json()["status"] == "ready"

    assert _wait_for(ready, worker)
    body = api_client.get(f"/api/v1/metrics/recompute/{task_id}/").json()
    assert body["progress"] == 100
    assert RegionSnapshot.objects.get(snapshot_id=body["snapshot"], region_id="1305").places == 12
