"""The recompute pages: officials ask for a date's figures to be recomputed and watch the progress."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from metrics.compute import snapshot_compute
from metrics.models import Snapshot
from tests.factories import filed_class

pytestmark = pytest.mark.django_db
D = datetime.date(2022, 6, 30)


@pytest.fixture
def snapshot(regions):
    filed_class("130102001", 20)
    return snapshot_compute(date=D)


def test_official_sees_the_form_and_the_stored_snapshots(client, snapshot, city_official):
    client.force_login(city_official)
    response = client.get(reverse("metrics:recompute"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="recompute-form"' in html
    assert "2022-06-30" in html  # the stored snapshot is listed


def test_recompute_runs_and_the_status_page_shows_it_done(client, snapshot, county_official, eager_celery,
                                                          django_capture_on_commit_callbacks):
    client.force_login(county_official)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("metrics:recompute"), {"date": "2022-06-30"})
    assert response.status_code == 302
    status_page = client.get(response["Location"])
    assert 'data-status="ready"' in status_page.content.decode()
    assert 'hx-get' not in status_page.content.decode()  # finished: no more polling
    assert Snapshot.objects.current(D).version == 2
    assert AuditEntry.objects.filter(action="metrics.recompute_request", actor=county_official,
                                     target_id="2022-06-30").exists()


def test_a_future_date_is_refused_naming_the_field(client, snapshot, province_official):
    client.force_login(province_official)
    future = timezone.localdate() + datetime.timedelta(days=3)
    response = client.post(reverse("metrics:recompute"), {"date": future.isoformat()})
    assert response.status_code == 400
    assert 'class="field has-error"' in response.content.decode()
    assert Snapshot.objects.filter(date=future).count() == 0


def test_a_malformed_date_is_refused(client, snapshot, province_official):
    client.force_login(province_official)
    response = client.post(reverse("metrics:recompute"), {"date": "30/06/2022"})
    assert response.status_code == 400
    assert 'class="field has-error"' in response.content.decode()


def test_a_request_not_yet_started_polls_until_a_worker_takes_it(client, province_official):
    client.force_login(province_official)
    url = reverse("metrics:recompute-progress", kwargs={"task_id": "5f0c6b1e-8a41-4c52-9d1a-3b7e2f9c0d11"})
    html = client.get(url).content.decode()
    assert 'data-status="queued"' in html and 'hx-trigger="every 1s"' in html


def test_institution_staff_may_not_recompute(client, snapshot, staff):
    client.force_login(staff)
    assert client.get(reverse("metrics:recompute")).status_code == 403
    assert client.post(reverse("metrics:recompute"), {"date": "2022-06-30"}).status_code == 403


def test_the_dashboard_links_to_the_recompute_page(client, snapshot, city_official):
    client.force_login(city_official)
    html = client.get(reverse("dashboards:area", kwargs={"code": "1301"}), {"date": "2022-06-30"}).content.decode()
    assert reverse("metrics:recompute") in html
