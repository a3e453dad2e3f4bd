"""Loading a province's division codes and setting resident populations through the API alone."""

import datetime
import gzip
import io
import shutil
import time

import pytest
from django.utils import timezone
from openpyxl import Workbook

from audit.models import AuditEntry
from regions import importing
from regions.models import Region, RegionPopulation

pytestmark = pytest.mark.django_db

SHANXI_REGIONS = 1 + 11 + 131 + 1342  # province, cities, county-level units, townships (2023 codes)


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


# --- Loading a province --------------------------------------------------------------------------

def test_administrator_loads_shanxi_with_one_call_and_reads_it(api_client, admin_user):
    assert _as(api_client, admin_user).get("/api/v1/regions/14/").status_code == 404
    started = time.monotonic()
    response = api_client.post("/api/v1/regions/load/", {"province": "14"}, format="json")
    elapsed = time.monotonic() - started
    print(f"loading Shanxi through the API: {elapsed:.2f} s")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["province"], body["name"], body["created"], body["regions"]) == ("14", "山西省", SHANXI_REGIONS,
                                                                                   SHANXI_REGIONS)
    detail = api_client.get("/api/v1/regions/14/").json()
    assert detail["name"] == "山西省"
    assert [c["code"] for c in detail["children"]][:2] == ["1401", "1402"]
    assert len(detail["children"]) == 11
    assert api_client.get("/api/v1/regions/", {"parent": "140105"}).json()["results"]  # 小店区's townships
    entry = AuditEntry.objects.get(action="regions.import")
    assert (entry.actor, entry.target_id, entry.after["created"]) == (admin_user, "14", SHANXI_REGIONS)
    assert elapsed < 10


def test_loading_a_province_again_changes_nothing_and_is_not_audited_twice(api_client, admin_user):
    _as(api_client, admin_user).post("/api/v1/regions/load/", {"province": "14"}, format="json")
    again = api_client.post("/api/v1/regions/load/", {"province": "14"}, format="json").json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, SHANXI_REGIONS)
    assert AuditEntry.objects.filter(action="regions.import").count() == 1
    assert Region.objects.under("14").count() == SHANXI_REGIONS


def test_loading_over_existing_regions_keeps_them_and_their_populations(api_client, admin_user, regions):
    RegionPopulation.objects.create(region_id="1401", year=2020, resident_population=5303000, source="census")
    body = _as(api_client, admin_user).post("/api/v1/regions/load/", {"province": "14"}, format="json").json()
    assert body["regions"] == SHANXI_REGIONS
    assert body["created"] == SHANXI_REGIONS - 3  # 14, 1401 and 140105 were there already
    assert RegionPopulation.objects.get(region_id="1401").resident_population == 5303000
    assert Region.objects.under("13").count() == 10  # Hebei untouched


def test_the_shipped_provinces_are_listed_with_what_is_loaded(api_client, admin_user, regions):
    rows = _as(api_client, admin_user).get("/api/v1/regions/load/").json()
    assert len(rows) == 31
    by_code = {r["code"]: r for r in rows}
    assert by_code["13"] == {"code": "13", "name": "河北省", "regions": 10}
    assert by_code["65"]["regions"] == 0 and by_code["65"]["name"] == "新疆维吾尔自治区"


def test_unknown_province_is_a_400_naming_province(api_client, admin_user):
    response = _as(api_client, admin_user).post("/api/v1/regions/load/", {"province": "99"}, format="json")
    assert response.status_code == 400
    assert "province" in response.json()["error"]["fields"]
    assert not Region.objects.exists()


@pytest.mark.parametrize("actor", ["province_official", "city_official", "staff"])
def test_only_administrators_load_provinces(api_client, request, actor):
    _as(api_client, request.getfixturevalue(actor))
    assert api_client.post("/api/v1/regions/load/", {"province": "14"}, format="json").status_code == 403
    assert api_client.get("/api/v1/regions/load/").status_code == 403
    assert Region.objects.under("14").count() == 3  # the fixture's, nothing loaded


def test_anonymous_caller_cannot_load_a_province(api_client, db):
    assert api_client.post("/api/v1/regions/load/", {"province": "14"}, format="json").status_code == 401


def test_a_damaged_data_file_loads_nothing_at_all(api_client, admin_user, tmp_path, monkeypatch):
    for name in ("provinces.csv", "cities.csv", "areas.csv"):
        shutil.copy(importing.DATA_DIR / name, tmp_path / name)
    with gzip.open(importing.DATA_DIR / "streets.csv.gz", "rt", encoding="utf-8") as src:
        text = src.read()
    (tmp_path / "streets.csv").write_text(text + '149999001,"坏街道",149999,14,1499\n', encoding="utf-8")
    monkeypatch.setattr(importing, "DATA_DIR", tmp_path)
    response = _as(api_client, admin_user).post("/api/v1/regions/load/", {"province": "14"}, format="json")
    assert response.status_code == 400
    assert "parent '149999' of 149999001 does not exist" in response.json()["error"]["fields"]["province"][0]
    assert not Region.objects.exists()
    assert not AuditEntry.objects.filter(action="regions.import").exists()


# --- Setting one figure --------------------------------------------------------------------------

def test_city_official_sets_a_county_population_and_replaces_it(api_client, city_official):
    _as(api_client, city_official)
    url = "/api/v1/regions/130102/populations/"
    first = api_client.post(url, {"year": 2023, "resident_population": 560000, "source": "区统计公报 2023"},
                            format="json")
    assert first.status_code == 201, first.content
    assert first.json() == {"year": 2023, "resident_population": 560000, "source": "区统计公报 2023",
                            "is_synthetic": False}
    second = api_client.post(url, {"year": 2023, "resident_population": 561234, "source": "区统计公报 2023（修订）"},
                             format="json")
    assert second.status_code == 200
    assert api_client.get(url).json()[0]["resident_population"] == 561234
    entries = list(AuditEntry.objects.filter(action="population.set").order_by("pk"))
    assert [e.target_id for e in entries] == ["130102:2023", "130102:2023"]
    assert entries[0].before is None and entries[1].before["resident_population"] == 560000
    assert entries[1].after["resident_population"] == 561234 and entries[1].actor == city_official


def test_put_sets_the_figure_of_the_year_in_the_url(api_client, province_official):
    _as(api_client, province_official)
    response = api_client.put("/api/v1/regions/1305/populations/2021/",
                              {"resident_population": 7100000, "source": "河北统计年鉴 2022"}, format="json")
    assert response.status_code == 201
    assert api_client.get("/api/v1/regions/1305/populations/2021/").json()["resident_population"] == 7100000
    again = api_client.put("/api/v1/regions/1305/populations/2021/",
                           {"resident_population": 7100000, "source": "河北统计年鉴 2022"}, format="json")
    assert again.status_code == 200
    assert AuditEntry.objects.filter(action="population.set").count() == 1  # the repeat changed nothing


@pytest.mark.parametrize("actor, code", [
    ("other_city_official", "130102"),  # another city
    ("county_official", "1301"),  # a county official cannot set its city's figure
    ("other_province_official", "13"),
    ("staff", "130102"),
])
def test_officials_outside_the_region_get_403_and_nothing_changes(api_client, request, actor, code):
    _as(api_client, request.getfixturevalue(actor))
    response = api_client.post(f"/api/v1/regions/{code}/populations/",
                               {"year": 2023, "resident_population": 1, "source": "x"}, format="json")
    assert response.status_code == 403
    assert api_client.put(f"/api/v1/regions/{code}/populations/2023/",
                          {"resident_population": 1, "source": "x"}, format="json").status_code == 403
    assert not RegionPopulation.objects.filter(year=2023).exists()


def test_anonymous_may_read_populations_but_not_write(api_client, regions):
    assert api_client.get("/api/v1/regions/1301/populations/").status_code == 200
    assert api_client.post("/api/v1/regions/1301/populations/",
                           {"year": 2023, "resident_population": 1, "source": "x"}, format="json").status_code == 401


def test_unknown_region_is_a_404_for_writes_too(api_client, admin_user, regions):
    response = _as(api_client, admin_user).post("/api/v1/regions/139999/populations/",
                                                {"year": 2023, "resident_population": 1, "source": "x"},
                                                format="json")
    assert response.status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"year": 2999, "resident_population": 5, "source": "x"}, "year"),
    ({"year": 1900, "resident_population": 5, "source": "x"}, "year"),
    ({"year": 2022, "resident_population": 0, "source": "x"}, "resident_population"),
    ({"year": 2022, "resident_population": 5, "source": "  "}, "source"),
    ({"year": 2022, "resident_population": 5}, "source"),
])
def test_bad_figure_is_a_400_naming_the_field(api_client, city_official, body, field):
    response = _as(api_client, city_official).post("/api/v1/regions/1301/populations/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_recompute_uses_the_latest_figure_of_a_year_up_to_the_snapshot_year(api_client, city_official):
    from metrics.compute import snapshot_compute
    from metrics.models import RegionSnapshot

    this_year = timezone.localdate().year
    _as(api_client, city_official).post("/api/v1/regions/1301/populations/",
                                        {"year": this_year, "resident_population": 11_500_000,
                                         "source": "石家庄统计公报"}, format="json")
    now = snapshot_compute(date=timezone.localdate())
    before = snapshot_compute(date=datetime.date(this_year - 1, 6, 30))
    row_now = RegionSnapshot.objects.get(snapshot=now, region_id="1301")
    row_before = RegionSnapshot.objects.get(snapshot=before, region_id="1301")
    assert (row_now.resident_population, row_now.population_year) == (11_500_000, this_year)
    assert (row_before.resident_population, row_before.population_year) == (11235086, 2020)


# --- Bulk upload ---------------------------------------------------------------------------------

def _csv(text: str, name: str = "populations.csv"):
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = name
    return upload


def _xlsx(rows) -> io.BytesIO:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "populations.xlsx"
    return out


def test_csv_upload_writes_every_figure_and_reports_counts(api_client, province_official):
    table = ("code,name,resident_population,year,source\n"
             "1301,石家庄市,11235086,2020,census\n"  # unchanged
             "1305,邢台市,\"7,000,001\",2022,统计年鉴\n"
             "130102,长安区,560000,2022,统计年鉴\n")
    response = _as(api_client, province_official).post("/api/v1/populations/upload/", {"file": _csv(table)},
                                                        format="multipart")
    assert response.status_code == 200, response.content
    assert response.json() == {"dry_run": False, "rows": 3, "created": 2, "updated": 0, "unchanged": 1}
    assert RegionPopulation.objects.get(region_id="1305", year=2022).resident_population == 7000001
    assert AuditEntry.objects.filter(action="populations.upload").count() == 1


def test_xlsx_upload_with_chinese_headers_and_numeric_cells(api_client, city_official):
    book = _xlsx([["区划代码", "名称", "常住人口", "年份", "来源"],
                  [130102, "长安区", 560000, 2022, "统计年鉴"],
                  [130104, "桥西区", 620000.0, 2022, "统计年鉴"]])
    response = _as(api_client, city_official).post("/api/v1/populations/upload/", {"file": book},
                                                   format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 2
    assert RegionPopulation.objects.get(region_id="130104", year=2022).resident_population == 620000


def test_dry_run_checks_and_counts_but_writes_nothing(api_client, city_official):
    table = "code,resident_population,year,source\n130102,560000,2022,统计年鉴\n"
    response = _as(api_client, city_official).post("/api/v1/populations/upload/",
                                                   {"file": _csv(table), "dry_run": "true"}, format="multipart")
    assert response.json() == {"dry_run": True, "rows": 1, "created": 1, "updated": 0, "unchanged": 0}
    assert not RegionPopulation.objects.filter(year=2022).exists()
    assert not AuditEntry.objects.filter(action="populations.upload").exists()


def test_one_broken_row_writes_nothing_and_every_error_names_row_and_column(api_client, city_official):
    table = ("code,resident_population,year,source\n"
             "130102,560000,2022,统计年鉴\n"
             "130104,many,20x2,\n"
             "1305,7000000,2022,统计年鉴\n"  # another city: outside a Shijiazhuang official's area
             "130102,1,2022,again\n")
    response = _as(api_client, city_official).post("/api/v1/populations/upload/", {"file": _csv(table)},
                                                   format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    errors = response.json()["error"]["fields"]["file"]
    assert errors == [
        f"Row 3, column year: '20x2' is not a year between 1949 and {timezone.localdate().year}.",
        "Row 3, column resident_population: 'many' is not a whole number above 0.",
        "Row 3, column source: empty; every figure needs its source.",
        "Row 4, column code: 1305 邢台市 is outside your area.",
        "Row 5, column year: row 2 already gives 130102 a figure for 2022.",
    ]
    assert not RegionPopulation.objects.filter(year=2022).exists()


def test_upload_errors_are_in_the_users_language(api_client, city_official):
    table = "code,resident_population,year,source\n139999,5,2022,x\n"
    response = _as(api_client, city_official).post("/api/v1/populations/upload/", {"file": _csv(table)},
                                                   format="multipart", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["file"] == [
        "第 2 行，code 列：没有代码为 139999 的区划（请先载入其所在省份）。"]


def test_a_missing_column_is_named(api_client, city_official):
    response = _as(api_client, city_official).post("/api/v1/populations/upload/",
                                                   {"file": _csv("code,year\n1301,2022\n")}, format="multipart")
    assert response.status_code == 400
    assert any("resident_population" in e for e in response.json()["error"]["fields"]["file"])


def test_a_file_that_is_not_a_table_is_refused(api_client, city_official):
    upload = io.BytesIO(b"MZ\x90\x00\x03\x00\x00\x00" * 50)
    upload.name = "populations.xlsx"
    response = _as(api_client, city_official).post("/api/v1/populations/upload/", {"file": upload},
                                                   format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]


def test_staff_cannot_upload_populations(api_client, staff):
    table = "code,resident_population,year,source\n130102,5,2022,x\n"
    assert _as(api_client, staff).post("/api/v1/populations/upload/", {"file": _csv(table)},
                                       format="multipart").status_code == 403
