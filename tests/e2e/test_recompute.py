"""An official recomputes a date's figures in the browser: the request goes to a real Celery worker
(PostgreSQL and Redis), the page follows its progress with htmx, and the dashboard shows the new figures."""

from __future__ import annotations

import datetime

import pytest

from metrics.compute import snapshot_compute
from metrics.models import RegionSnapshot, Snapshot
from tests.factories import InstitutionClassFactory, InstitutionFactory

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e
D = datetime.date(2022, 6, 30)


def test_official_recomputes_a_date_and_watches_it_finish(page, live_server, own_celery_worker, regions,
                                                          city_official):
    inst = InstitutionFactory(region_id="130102001", filed_on=datetime.date(2022, 1, 1))
    InstitutionClassFactory(institution=inst, places=20)
    snapshot_compute(date=D)
    # A class recorded late: only a recompute of 30 June counts it.
    InstitutionClassFactory(institution=inst, places=15, name="补录托班")

    login(page, live_server, city_official.username)
    page.goto(f"{live_server.url}/dashboards/1301/?date=2022-06-30")
    page.get_by_test_id("recompute-link").click()
    page.wait_for_load_state("domcontentloaded")
    page.fill("input[name=date]", "2022-06-30")
    page.get_by_test_id("recompute-form").locator("button[type=submit]").click()

    status = page.get_by_test_id("recompute-status")
    # htmx polls every second until the worker has swapped the new snapshot in.
    page.wait_for_selector("[data-testid=recompute-status][data-status=ready]", timeout=60000)
    assert "已完成" in status.inner_text()
    screenshot(page, "recompute-done")
    assert Snapshot.objects.current(D).version == 2
    assert RegionSnapshot.objects.get(snapshot=Snapshot.objects.current(D), region_id="1301").places == 35

    page.get_by_role("link", name="打开看板").click()
    page.wait_for_load_state("domcontentloaded")
    assert "35" in page.get_by_test_id("card-places").inner_text()
