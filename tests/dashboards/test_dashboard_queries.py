"""Dashboards read precomputed rows: the number of SQL queries does not grow with the child regions."""

import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.models import RankingEntry, RankingRun
from regions.models import Region

from .builders import breakdown, make_row

pytestmark = pytest.mark.django_db

URLS = [
    "/dashboards/13/",
    "/dashboards/13/report/",
    "/dashboards/13/report.pdf",
    "/dashboards/13/planner/",
    "/dashboards/13/export/regions.csv",
    "/dashboards/13/export/ranking.xlsx",
    "/dashboards/13/export/all.xlsx",
]


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _add_cities(snapshot, n: int) -> None:
    run = RankingRun.objects.get(scope_id="13")
    for i in range(n):
        code = f"13{20 + i:02d}"
        Region.objects.create(code=code, name=f"测试市{i}", level="city", parent_id="13")
        make_row(snapshot, code, places=1000 + i, population=1_000_000 + i, pilots=(i % 5, 5))
        RankingEntry.objects.create(run=run, region_id=code, rank=3 + i, score=Decimal(50 - i),
                                    breakdown=breakdown("20", str(30 - i)), previous_rank=3 + i, move=0)


@pytest.fixture
def reporting(db):
    """A daily progress report expected of every city, so the reporting-rate queries run too."""
    from pilots.models import ProgressReportTemplate, ReportingObligation

    template = ProgressReportTemplate.objects.create(region_id="13", code="daily", name="每日进度")
    for code in ("1301", "1305"):
        ReportingObligation.objects.create(template=template, region_id=code, starts_on="2022-04-01")


@pytest.mark.parametrize("url", URLS)
def test_queries_are_the_same_for_2_and_32_child_regions(client, province_official, hebei_snapshot, reporting,
                                                         url):
    client.force_login(province_official)
    client.get(url)  # warm the session and the map index
    few = _count(client, url)
    _add_cities(hebei_snapshot[0], 30)
    many = _count(client, url)
    assert few == many, f"{url}: {few} queries with 2 cities, {many} with 32"


def test_dashboard_page_uses_a_small_fixed_number_of_queries(client, province_official, hebei_snapshot,
                                                             django_assert_max_num_queries):
    client.force_login(province_official)
    client.get("/dashboards/13/")
    # Reporting rates are two statements for every area at once (obligations, reports), also when the
    # province has no report template yet, as here.
    with django_assert_max_num_queries(15):
        client.get("/dashboards/13/")


@pytest.fixture
def demo_hebei(db):
    from .builders import build_hebei_demo

    return build_hebei_demo()


def test_demo_province_dashboard_renders_well_under_a_second(client, demo_hebei, django_user_model):
    official = django_user_model.objects.create(username="hebei_perf", role="official", region_id="13")
    client.force_login(official)
    pages = {"/dashboards/13/": [], "/dashboards/1306/": [], "/dashboards/13/report.pdf": []}
    for url, timings in pages.items():
        client.get(url)
        for _ in range(3):
            start = time.perf_counter()
            assert client.get(url).status_code == 200
            timings.append(time.perf_counter() - start)
    medians = {url: sorted(t)[1] for url, t in pages.items()}
    print("median render times (s):", {url: round(m, 3) for url, m in medians.items()})
    assert medians["/dashboards/13/"] < 0.5, medians
    assert medians["/dashboards/1306/"] < 0.5, medians  # Baoding: 25 counties
