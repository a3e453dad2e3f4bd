"""The regions pages: an administrator loads a province; officials set and upload resident populations."""

import io

import pytest

from audit.models import AuditEntry
from institutions.models import Institution
from regions.models import Region, RegionPopulation

pytestmark = pytest.mark.django_db


def test_administrator_loads_a_province_from_the_page(client, admin_user, regions):
    client.force_login(admin_user)
    page = client.get("/regions/load/")
    assert page.status_code == 200
    assert len(page.context["rows"]) == 31
    response = client.post("/regions/load/", {"province": "14"}, follow=True)
    assert Region.objects.under("14").count() == 1485
    text = response.content.decode()
    assert "1,485" in text and "山西省" in text
    shanxi = next(r for r in response.context["rows"] if r["code"] == "14")
    assert shanxi["regions"] == 1485


def test_officials_cannot_open_the_load_page(client, province_official):
    client.force_login(province_official)
    assert client.get("/regions/load/").status_code == 403
    assert client.post("/regions/load/", {"province": "14"}).status_code == 403


def test_city_official_sets_a_county_figure_on_the_page(client, city_official):
    client.force_login(city_official)
    page = client.get("/regions/1301/populations/")
    assert page.status_code == 200
    assert page.context["form"] is not None
    assert [c["region"].code for c in page.context["children"]] == ["130102", "130104"]
    response = client.post("/regions/130102/populations/",
                           {"year": 2022, "resident_population": 560000, "source": "长安区统计公报"}, follow=True)
    assert response.status_code == 200
    assert RegionPopulation.objects.get(region_id="130102", year=2022).resident_population == 560000
    assert "560000" in response.content.decode()  # zh-hans writes no thousands separator
    assert AuditEntry.objects.filter(action="population.set", actor=city_official).count() == 1


def test_bad_figure_on_the_page_names_the_field(client, city_official):
    client.force_login(city_official)
    response = client.post("/regions/1301/populations/", {"year": 2022, "resident_population": 0, "source": "x"})
    assert response.status_code == 400
    assert "resident_population" in response.context["form"].errors


def test_official_of_another_city_reads_but_cannot_set(client, other_city_official):
    client.force_login(other_city_official)
    page = client.get("/regions/1301/populations/")
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post("/regions/1301/populations/",
                       {"year": 2022, "resident_population": 5, "source": "x"}).status_code == 403
    assert not RegionPopulation.objects.filter(year=2022).exists()


def test_staff_do_not_see_the_population_pages(client, staff):
    client.force_login(staff)
    assert client.get("/regions/1301/populations/").status_code == 404
    assert client.get("/regions/populations/upload/").status_code == 404


def test_population_page_takes_the_same_number_of_queries_at_5_and_50_subregions(client, city_official, regions,
                                                                                  django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(city_official)

    def add(n):
        for i in range(Region.objects.filter(parent_id="130102").count(), n):
            Region.objects.create(code=f"130102{i + 100:03d}", name=f"街道{i}", level="township", parent_id="130102")
            RegionPopulation.objects.create(region_id=f"130102{i + 100:03d}", year=2020, resident_population=1000 + i,
                                            source="x")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/regions/130102/populations/").status_code == 200
        return len(ctx.captured_queries)

    add(5)
    small = count()
    add(50)
    assert count() == small


def _upload(client, text, **extra):
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = "populations.csv"
    return client.post("/regions/populations/upload/", {"file": upload, **extra})


def test_upload_is_checked_first_then_saved_as_checked(client, city_official):
    client.force_login(city_official)
    table = "code,resident_population,year,source\n130102,560000,2022,统计年鉴\n130104,620000,2022,统计年鉴\n"
    checked = _upload(client, table, dry_run="on")
    assert checked.status_code == 200
    assert checked.context["result"].created == 2
    assert not RegionPopulation.objects.filter(year=2022).exists()
    saved = client.post("/regions/populations/upload/", {"rows": checked.context["rows_token"]}, follow=True)
    assert saved.status_code == 200
    assert RegionPopulation.objects.filter(year=2022).count() == 2


def test_upload_with_a_broken_row_lists_it_in_chinese_and_saves_nothing(client, city_official):
    client.force_login(city_official)
    table = "code,resident_population,year,source\n130102,560000,2022,统计年鉴\n130104,-5,2022,统计年鉴\n"
    response = _upload(client, table, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.context["problems"] == ["第 3 行，resident_population 列：'-5' 不是大于 0 的整数。"]
    assert "第 3 行" in response.content.decode()
    assert not RegionPopulation.objects.filter(year=2022).exists()


def test_a_tampered_checked_table_is_refused(client, city_official):
    client.force_login(city_official)
    response = client.post("/regions/populations/upload/", {"rows": "not-a-signed-table"})
    assert response.status_code == 400
    assert not RegionPopulation.objects.filter(year=2022).exists()


def test_filing_county_lifts_a_suspension_on_the_institution_page(client, county_official, institution):
    client.force_login(county_official)
    client.post(f"/institutions/{institution.pk}/suspend/", {"suspended_on": "2026-01-05"})
    page = client.get(f"/institutions/{institution.pk}/")
    assert page.context["may_lift_suspension"] is True
    assert 'data-testid="lift-suspension-form"' in page.content.decode()
    client.post(f"/institutions/{institution.pk}/lift-suspension/")
    institution.refresh_from_db()
    assert (institution.status, institution.suspended_on) == (Institution.Status.FILED, None)


def test_city_official_cannot_lift_a_suspension(client, city_official, county_official, institution):
    client.force_login(county_official)
    client.post(f"/institutions/{institution.pk}/suspend/", {"suspended_on": "2026-01-05"})
    client.force_login(city_official)
    assert client.post(f"/institutions/{institution.pk}/lift-suspension/").status_code == 403
    institution.refresh_from_db()
    assert institution.status == Institution.Status.SUSPENDED
