"""The import through a real Celery worker (PostgreSQL and Redis): the page dispatches the task on commit,
a separate worker process runs it, and the job's progress and result are what the page polls."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enrolments.models import Enrolment, ImportJob

from .helpers import csv_bytes, import_row


def test_import_runs_in_the_worker_and_the_page_shows_the_result(own_celery_worker, client, staff, institution):
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
        if own_celery_worker.poll() is not None:
            pytest.fail(own_celery_worker.stdout.read().decode(errors="replace")[-3000:])
        time.sleep(0.3)
    job.refresh_from_db()
    assert job.status == "done", job.errors[:3]
    assert Enrolment.objects.count() == 45
    body = client.get(reverse("enrolments:import_progress", args=[job.pk])).content.decode()
    assert 'data-status="done"' in body and "hx-get" not in body
