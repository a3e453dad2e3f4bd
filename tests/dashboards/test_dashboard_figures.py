"""The numbers a dashboard shows are the snapshot rows' numbers; "not provided" is never shown as 0."""

import datetime
from decimal import Decimal

import pytest

from regions.models import Region

from .builders import breakdown, make_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def test_province_headline_shows_hebei_figures_with_numerator_and_denominator(english, province_official,
                                                                               hebei_snapshot):
    english.force_login(province_official)
    html = _text(english.get("/dashboards/"))
    assert "1,273" in html
    assert "138,000" in html
    assert "1.85" in html and "target 4.50" in html
    assert "138,000 places / 74,610,235 residents" in html
    assert "126 <small>/ 160</small>" in html
    assert "69,000" in html and "utilisation 50.0% of 138,000 places" in html
    assert "Figures as of 2022-06-30" in html


def test_headline_in_chinese_by_default(client, province_official, hebei_snapshot):
    client.force_login(province_official)
    html = _text(client.get("/dashboards/13/"))
    assert "138,000 个托位 / 74,610,235 常住人口" in html
    assert "河北省托育服务概览" in html


def test_region_table_equals_the_snapshot_rows(client, province_official, hebei_snapshot):
    _, rows = hebei_snapshot
    client.force_login(province_official)
    table = client.get("/dashboards/13/").context["region_table"]
    assert table.codes == ["1301", "1305"]
    by_key = [dict(zip([c.key for c in table.columns], values, strict=True)) for values in table.rows]
    for record in by_key:
        row = rows[record["code"]]
        assert record["places"] == row.places
        assert record["institutions"] == row.institutions
        assert record["resident_population"] == row.resident_population
        assert record["places_per_1000"] == row.places_per_1000.quantize(Decimal("0.01"))
        assert record["target_gap"] == row.target_gap
        assert record["pilots_completed"] == row.pilots_completed
    assert by_key[0]["places_per_1000"] == Decimal("1.87")  # 21,000 / 11,235,086 × 1,000


def test_county_without_population_says_not_provided_never_zero(english, province_official, hebei_snapshot):
    english.force_login(province_official)
    city = _text(english.get("/dashboards/1301/"))
    row_130102 = city[city.index('data-code="130102"'):city.index('data-code="130104"')]
    assert "not provided" in row_130102
    assert "0.00" not in row_130102
    county = _text(english.get("/dashboards/130102/"))
    assert "3,000 places / population not provided" in county


def test_synthetic_population_is_marked_as_demo(english, province_official, hebei_snapshot):
    english.force_login(province_official)
    assert "demo population figure" in _text(english.get("/dashboards/130104/"))


def test_date_picker_shows_the_latest_snapshot_on_or_before_the_date(english, province_official, hebei_snapshot):
    english.force_login(province_official)
    response = english.get("/dashboards/13/", {"date": "2022-05-15"})
    assert response.context["snapshot"].date == datetime.date(2022, 3, 31)
    html = _text(response)
    assert "130,000" in html and "No snapshot was stored for 2022-05-15" in html
    # The drill-down links keep the chosen snapshot.
    assert "/dashboards/1301/?date=2022-03-31" in html


def test_an_invalid_date_falls_back_to_the_latest_snapshot(english, province_official, hebei_snapshot):
    english.force_login(province_official)
    response = english.get("/dashboards/13/", {"date": "yesterday"})
    assert response.context["snapshot"].date == datetime.date(2022, 6, 30)
    assert "That date is not valid" in _text(response)


def test_trend_lists_every_stored_snapshot(client, province_official, hebei_snapshot):
    client.force_login(province_official)
    data = client.get("/dashboards/13/").context["chart_data"]
    assert data["trend"]["dates"] == ["2022-03-31", "2022-06-30"]
    assert data["trend"]["places"] == [130000, 138000]
    assert data["trend"]["rate"] == [1.74, 1.85]


def test_ranking_shows_each_score_broken_down_with_its_move(client, province_official, hebei_snapshot):
    client.force_login(province_official)
    table = client.get("/dashboards/13/").context["ranking_table"]
    keys = [c.key for c in table.columns]
    assert keys == ["rank", "region", "score", "points:pilot_completion_rate", "points:places_per_1000",
                    "previous_rank", "move"]
    assert table.rows[0] == [1, "石家庄市", Decimal("71.50"), Decimal("40.00"), Decimal("31.50"), 2, 1]
    assert table.rows[1] == [2, "邢台市", Decimal("55.25"), Decimal("30.00"), Decimal("25.25"), 1, -1]


def test_city_official_sees_no_ranking_when_none_is_computed(english, city_official, hebei_snapshot):
    english.force_login(city_official)
    assert "No ranking of this area" in _text(english.get("/dashboards/1301/"))


def test_map_lists_child_regions_whose_code_has_no_boundary(english, province_official, hebei_snapshot):
    snapshot, _ = hebei_snapshot
    Region.objects.create(code="130505", name="任泽区", level="county", parent_id="1305")
    make_row(snapshot, "130505", places=800, population=None)
    english.force_login(province_official)
    response = english.get("/dashboards/1305/")
    map_info = response.context["data"].map
    assert [r.region_id for r in map_info.unmatched_rows] == ["130505"]
    assert "130521" in map_info.orphan_codes  # 邢台县, abolished in 2020, still in the boundaries
    html = _text(response)
    assert "Not on the map" in html and "任泽区" in html
    # The unmatched county is still in the table and in the map data, not dropped.
    assert "130505" in response.context["region_table"].codes
    assert "130505" in [c["code"] for c in response.context["chart_data"]["children"]]


def test_township_dashboard_has_no_map_but_its_figures(english, province_official, hebei_snapshot):
    english.force_login(province_official)
    response = english.get("/dashboards/130102/")
    assert response.context["data"].map is None
    assert response.status_code == 200


def test_no_snapshot_yet_says_so(english, province_official):
    english.force_login(province_official)
    assert "No figures have been computed" in _text(english.get("/dashboards/13/"))


def test_planner_counts_places_needed_and_the_inclusive_part(english, province_official, hebei_snapshot):
    english.force_login(province_official)
    response = english.get("/dashboards/13/planner/")
    table = response.context["table"]
    keys = [c.key for c in table.columns]
    first = dict(zip(keys, table.rows[0], strict=True))
    # 11,235,086 × 4.5 / 1,000 = 50,557.9 → 50,558 places; 21,000 exist; half inclusive: 25,279 − 10,500.
    assert first["places_needed"] == 50558
    assert first["places_to_add"] == 29558
    assert first["inclusive_needed"] == 25279
    assert first["inclusive_to_add"] == 14779
    html = _text(response)
    assert "working definitions" in html
    assert table.codes[-1] == "13"  # the whole area last


def test_planner_takes_a_target_share_and_year(english, province_official, hebei_snapshot):
    english.force_login(province_official)
    response = english.get("/dashboards/13/planner/", {"target": "3", "inclusive_share": "60", "year": "2024",
                                                       "date": "2022-06-30"})
    table = response.context["table"]
    first = dict(zip([c.key for c in table.columns], table.rows[0], strict=True))
    assert first["places_needed"] == 33706  # 11,235,086 × 3 / 1,000 = 33,705.3
    assert first["places_to_add"] == 12706
    assert first["inclusive_needed"] == 20224  # 60 % of 33,706 = 20,223.6
    # 2022-06-30 → 2024-12-31 is 2.5 years: 12,706 / 2.5 = 5,082.4 → 5,083 a year.
    assert first["per_year"] == 5083


def test_planner_gives_no_estimate_without_population(client, city_official, hebei_snapshot):
    client.force_login(city_official)
    table = client.get("/dashboards/1301/planner/").context["table"]
    records = {code: dict(zip([c.key for c in table.columns], r, strict=True))
               for code, r in zip(table.codes, table.rows, strict=True)}
    assert records["130102"]["places_needed"] is None and records["130102"]["places_to_add"] is None
    assert records["130104"]["places_needed"] == 2700  # 600,000 × 4.5 / 1,000


def test_pilots_table_shows_reporting_rates_per_child_region(client, province_official, city_official,
                                                             hebei_snapshot):
    pytest.importorskip("pilots.reporting")
    from pilots.models import ProgressReport, ProgressReportTemplate, ReportingObligation

    template = ProgressReportTemplate.objects.create(region_id="13", code="daily", name="每日进度",
                                                     frequency=ProgressReportTemplate.Frequency.DAILY)
    # Shijiazhuang's county is expected from 1 June: 30 daily reports in the quarter up to 30 June.
    ReportingObligation.objects.create(template=template, region_id="130102", starts_on=datetime.date(2022, 6, 1))
    for day in range(1, 21):
        ProgressReport.objects.create(template=template, region_id="130102", date=datetime.date(2022, 6, day),
                                      submitted_by=city_official, on_time=day <= 15)
    client.force_login(province_official)
    table = client.get("/dashboards/13/").context["pilots_table"]
    records = {code: dict(zip([c.key for c in table.columns], r, strict=True))
               for code, r in zip(table.codes, table.rows, strict=True)}
    assert records["1301"]["reports_expected"] == 30
    assert records["1301"]["reports_actual"] == 20
    assert records["1301"]["reports_on_time"] == 15
    assert records["1301"]["reporting_rate"] == Decimal("66.7")
    assert records["1301"]["on_time_rate"] == Decimal("50.0")
    assert records["1301"]["pilot_completion"] == Decimal("80.0")  # 20 of 25
    assert records["1305"]["reports_expected"] is None  # nothing expected of Xingtai: no rate, not 0 %


def test_ranking_period_can_be_the_half_year(client, province_official, hebei_snapshot):
    from .builders import make_ranking

    make_ranking("13", [("1305", "80.000", breakdown("50", "30")), ("1301", "60.000", breakdown("30", "30"))],
                 start=datetime.date(2022, 1, 1))
    from metrics.models import RankingRun

    RankingRun.objects.filter(scope_id="13", period_start=datetime.date(2022, 1, 1)).update(period_kind="half")
    client.force_login(province_official)
    quarter = client.get("/dashboards/13/").context["ranking_table"]
    assert quarter.rows[0][1] == "石家庄市"
    half = client.get("/dashboards/13/", {"ranking": "half"})
    assert half.context["ranking_table"].rows[0][1] == "邢台市"
    assert "&amp;ranking=half" in half.content.decode()  # the export link keeps the period
    assert client.get("/dashboards/13/", {"ranking": "bogus"}).context["ranking_table"].rows[0][1] == "石家庄市"


def test_county_rows_add_up_to_the_headline_with_a_row_for_institutions_not_in_a_township(client, county_official):
    from django.utils import timezone

    from metrics.compute import snapshot_compute
    from tests.factories import InstitutionClassFactory, InstitutionFactory

    for region_id, places in (("130102001", 20), ("130102001", 15), ("130102002", 18), ("130102", 20),
                              ("130102", 10)):
        InstitutionClassFactory(institution=InstitutionFactory(region_id=region_id), places=places,
                                class_type="older" if places == 20 else "younger" if places == 15 else "mixed")
    snapshot_compute(date=timezone.localdate())
    client.force_login(county_official)
    response = client.get("/dashboards/130102/")
    table = response.context["region_table"]
    column = {c.key: i for i, c in enumerate(table.columns)}
    assert table.codes == ["130102001", "130102002", ""]
    unassigned = table.rows[-1]
    assert unassigned[0] == "未分配到乡镇（街道）"
    assert (unassigned[column["institutions"]], unassigned[column["places"]]) == (2, 30)
    row = response.context["row"]
    assert sum(r[column["institutions"]] for r in table.rows) == row.institutions == 5
    assert sum(r[column["places"]] for r in table.rows) == row.places == 83
    assert "未分配到乡镇（街道）" in response.content.decode()


def _planner_today(client, params=None):
    import datetime as dt

    from django.utils import timezone

    from .builders import make_row, make_snapshot

    today = timezone.localdate()
    snap = make_snapshot(today)
    make_row(snap, "13", places=235784, population=74610235, institutions=2151)
    make_row(snap, "1301", places=40000, population=11235086)
    response = client.get("/dashboards/13/planner/", params or {})
    year = 2025
    while dt.date(year, 12, 31) <= today:
        year += 5
    return response, year, today


def test_planner_aims_at_the_next_plans_end_once_the_targets_year_is_past_and_says_so(english, province_official):
    english.force_login(province_official)
    response, expected_year, today = _planner_today(english)
    values = response.context["values"]
    assert values["year"] == expected_year and values["years"] >= 0  # not this year, 0.1 year away
    html = _text(response)
    if today.year > 2025:
        assert values["year"] == 2030 and values["next_plan"]
        assert "the end of 2025, is past" in html and "the next five-year plan, 2030" in html
    table = response.context["table"]
    keys = [c.key for c in table.columns]
    for row in table.rows:
        record = dict(zip(keys, row, strict=True))
        assert record["per_year"] <= record["places_to_add"]


def test_planner_per_year_need_never_exceeds_the_gap_even_weeks_before_the_deadline(english, province_official):
    from django.utils import timezone

    english.force_login(province_official)
    this_year = timezone.localdate().year
    response, _year, _today = _planner_today(english, {"year": str(this_year)})
    table = response.context["table"]
    keys = [c.key for c in table.columns]
    whole = dict(zip(keys, table.rows[-1], strict=True))
    # 74,610,235 × 4.5 / 1,000 = 335,746.1 → 335,747 places; 235,784 exist: a gap of 99,963, due this year.
    assert whole["places_to_add"] == 99963
    assert whole["per_year"] == 99963
