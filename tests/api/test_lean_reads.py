"""Lean reads (portal/api/lean.py) answer exactly what the serializers answer, and the lists they serve
keep their contract: same rows, keys, values and bytes; fewer queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from filings.api import FilingSerializer
from institutions.api import PLACES_COLUMNS
from institutions.models import Institution
from institutions.serializers import InstitutionSerializer, PublicInstitutionSerializer
from metrics.api import RegionSnapshotSerializer
from metrics.compute import snapshot_compute
from metrics.models import RegionSnapshot
from portal.api.lean import ReadPlan, read_plan
from tests.factories import InstitutionClassFactory, InstitutionFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def varied_institutions(regions):
    """Institutions with every kind of value a row can hold: nulls, decimals, planned classes, statuses."""
    filed = InstitutionFactory(region_id="130102001", is_inclusive=True, inclusive_price=Decimal("1234.5"),
                               medical_integration=True, filing_number="冀备130102-0001")
    InstitutionClassFactory(institution=filed, places=20)
    InstitutionClassFactory(institution=filed, places=15, opened_on=TODAY + datetime.timedelta(days=30))
    InstitutionClassFactory(institution=filed, places=10, closed_on=TODAY - datetime.timedelta(days=1))
    draft = InstitutionFactory(region_id="130104", status=Institution.Status.DRAFT, filed_on=None,
                               half_day=True, hourly=True, legal_representative_phone="")
    suspended = InstitutionFactory(region_id="130502", status=Institution.Status.SUSPENDED,
                                   suspended_on=TODAY - datetime.timedelta(days=3),
                                   setting_type=Institution.SettingType.FAMILY)
    cancelled = InstitutionFactory(region_id="130102002", status=Institution.Status.CANCELLED,
                                   cancelled_on=TODAY - datetime.timedelta(days=10), is_demo=True)
    return [filed, draft, suspended, cancelled]


def _as_serializer(serializer_class, objects) -> list[dict]:
    return [dict(serializer_class(obj).data) for obj in objects]


def _as_plan(plan, queryset) -> list[dict]:
    return plan.represent_many(plan.values(queryset))


@pytest.mark.parametrize("serializer_class", [InstitutionSerializer, PublicInstitutionSerializer])
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC"])
def test_institution_rows_are_the_serializers_value_for_value(varied_institutions, serializer_class, zone):
    queryset = Institution.objects.with_open_places().select_related("region").order_by("pk")
    plan = read_plan(serializer_class, PLACES_COLUMNS)
    with timezone.override(zone):
        expected, lean = _as_serializer(serializer_class, queryset), _as_plan(plan, queryset)
    assert len(lean) == 4
    assert lean == expected
    assert [list(row) for row in lean] == [list(row) for row in expected]  # the same key order
    # The same types too (a "20" for a 20 would compare unequal above, but say it plainly).
    assert [[type(v) for v in row.values()] for row in lean] == [[type(v) for v in row.values()] for row in expected]
    filed = next(row for row in lean if row["id"] == varied_institutions[0].pk)
    assert (filed["places"], filed["places_planned"], filed["inclusive_price"]) == (20, 15, "1234.50")
    assert filed["next_class_opens_on"] == (TODAY + datetime.timedelta(days=30)).isoformat()
    if "created_at" in filed:
        assert filed["created_at"].endswith("Z" if zone == "UTC" else "+08:00")


def test_snapshot_rows_are_the_serializers_value_for_value(varied_institutions):
    snapshot_compute(date=TODAY)
    queryset = RegionSnapshot.objects.select_related("region", "snapshot").order_by("region_id")
    lean = _as_plan(read_plan(RegionSnapshotSerializer), queryset)
    expected = _as_serializer(RegionSnapshotSerializer, queryset)
    assert len(lean) == RegionSnapshot.objects.count() > 5
    assert lean == expected
    assert [list(row) for row in lean] == [list(row) for row in expected]
    assert any(row["places_per_1000"] is not None for row in lean)  # decimals were compared, not only nulls


def test_a_plan_refuses_fields_without_a_column():
    with pytest.raises(TypeError, match="county_code is a property"):
        ReadPlan(FilingSerializer)
    with pytest.raises(TypeError, match="overdue: a SerializerMethodField"):
        ReadPlan(FilingSerializer, {"county_code": "institution__region_id"})
    with pytest.raises(TypeError, match="places is a property"):
        ReadPlan(InstitutionSerializer)
    with pytest.raises(TypeError, match="no fields"):
        ReadPlan(InstitutionSerializer, {**PLACES_COLUMNS, "no_such_field": "x"})


def _rendered(data) -> bytes:
    return JSONRenderer().render(data)


def test_institution_list_answers_the_serializers_bytes(api_client, province_official, varied_institutions):
    api_client.force_authenticate(province_official)
    response = api_client.get("/api/v1/institutions/", {"page_size": 3})
    body = response.json()
    queryset = Institution.objects.with_open_places().select_related("region").order_by("-pk")
    expected = InstitutionSerializer(queryset[:3], many=True).data
    assert body["results"] == expected and body["next"] and body["previous"] is None
    assert response.content == _rendered({"next": body["next"], "previous": None, "results": expected})
    second = api_client.get(body["next"]).json()  # the cursor reads its position from the lean rows
    assert [r["id"] for r in second["results"]] == [queryset[3].pk]


def test_public_register_answers_the_serializers_rows(api_client, varied_institutions):
    response = api_client.get("/api/v1/register/institutions/", {"q": "托育"})
    listed = Institution.objects.publicly_listed().with_open_places().select_related("region").order_by("pk")
    assert response.json()["results"] == PublicInstitutionSerializer(listed, many=True).data
    assert len(response.json()["results"]) == 2  # filed and suspended; no draft, no cancelled


@pytest.fixture
def snapshot(varied_institutions):
    return snapshot_compute(date=TODAY)


def test_area_row_is_one_query_and_the_serializers_bytes(api_client, province_official, snapshot):
    api_client.force_authenticate(province_official)
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/api/v1/metrics/regions/1301/")
    assert response.status_code == 200
    assert len(queries) == 1  # the current snapshot is a subquery of the row's query
    row = RegionSnapshot.objects.select_related("region", "snapshot").get(snapshot=snapshot, region_id="1301")
    assert response.content == _rendered(RegionSnapshotSerializer(row).data)
    assert api_client.get("/api/v1/metrics/regions/1305/", {"date": "2020-01-01"}).status_code == 404


def test_children_list_fits_its_first_page_without_a_count(api_client, province_official, snapshot):
    api_client.force_authenticate(province_official)
    with CaptureQueriesContext(connection) as queries:
        body = api_client.get("/api/v1/metrics/regions/", {"parent": "13"}).json()
    assert [r["region"] for r in body["results"]] == ["1301", "1305"]
    assert body["count"] == 2 and body["next"] is None and body["previous"] is None
    assert len(queries) == 1 and "COUNT(" not in queries[0]["sql"].upper()
    rows = RegionSnapshot.objects.select_related("region", "snapshot").filter(parent_code="13").order_by("region_id")
    assert body["results"] == RegionSnapshotSerializer(rows, many=True).data


def test_a_first_page_that_does_not_hold_the_list_still_counts(api_client, province_official, snapshot):
    api_client.force_authenticate(province_official)
    body = api_client.get("/api/v1/metrics/regions/", {"parent": "13", "page_size": 1}).json()
    assert body["count"] == 2 and [r["region"] for r in body["results"]] == ["1301"] and body["next"]
    assert api_client.get(body["next"]).json()["results"][0]["region"] == "1305"
    assert api_client.get("/api/v1/metrics/regions/", {"parent": "99"}).json() == {
        "count": 0, "next": None, "previous": None, "results": []}


def test_outside_the_area_lean_reads_answer_as_before(api_client, city_official, snapshot, staff):
    api_client.force_authenticate(city_official)  # Shijiazhuang
    assert api_client.get("/api/v1/metrics/regions/1305/").status_code == 404
    assert [r["region"] for r in api_client.get("/api/v1/metrics/regions/", {"parent": "13"}).json()["results"]] \
        == ["1301"]
    ids = {r["id"] for r in api_client.get("/api/v1/institutions/").json()["results"]}
    assert ids == set(Institution.objects.filter(region__code__startswith="1301").values_list("pk", flat=True))
    api_client.force_authenticate(staff)
    assert [r["id"] for r in api_client.get("/api/v1/institutions/").json()["results"]] == [staff.institution_id]
    assert api_client.get("/api/v1/metrics/regions/1301/").status_code == 403


def test_filing_queue_answers_the_serializers_rows(api_client, province_official, county_official,
                                                   varied_institutions, settings):
    from filings.models import Filing, FilingReturnComment

    filed, draft, *_ = varied_institutions
    now = timezone.now()
    overdue = Filing.objects.create(institution=draft, kind=Filing.Kind.INITIAL, status=Filing.Status.SUBMITTED,
                                    submitted_at=now, first_submitted_at=now, due_on=TODAY - datetime.timedelta(days=1))
    returned = Filing.objects.create(institution=filed, kind=Filing.Kind.CHANGE, status=Filing.Status.RESUBMITTED,
                                     changes={"particulars": {"name": "新名字"}}, submitted_at=now,
                                     due_on=TODAY + datetime.timedelta(days=4), resubmission_count=1)
    FilingReturnComment.objects.create(filing=returned, round=1, section=FilingReturnComment.Section.values[0],
                                       comment="请补充", author=county_official)
    settings.EVENTS_SETTLE_SECONDS = 0  # the change feed shows the rows just written
    api_client.force_authenticate(province_official)
    for params in ({"ordering": "updated"}, {"status": "submitted"}, {}):
        body = api_client.get("/api/v1/filings/", params).json()
        ids = [row["id"] for row in body["results"]]
        shown = Filing.objects.select_related("institution").prefetch_related("return_comments").in_bulk(ids)
        assert ids and body["results"] == FilingSerializer([shown[i] for i in ids], many=True).data
    assert ids == [overdue.pk, returned.pk] or ids == [returned.pk, overdue.pk]
    rows = {row["id"]: row for row in body["results"]}
    assert rows[overdue.pk]["overdue"] is True and rows[returned.pk]["return_comments"][0]["comment"] == "请补充"
