"""The events feed: what happened in the caller's area, from the audit log, with an opaque cursor."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from audit.events import decode_cursor, encode_cursor
from audit.services import audit_record
from filings import services as filing_services
from filings.models import Filing
from institutions import services as institution_services
from tests.factories import InstitutionClassFactory, InstitutionFactory
from tests.filings.conftest import upload_complete_documents

pytestmark = pytest.mark.django_db
URL = "/api/v1/events/"


@pytest.fixture(autouse=True)
def english(api_client):
    api_client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    with translation.override("en"):
        yield


def feed(api_client, user, **params):
    api_client.force_authenticate(user)
    response = api_client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def types(page):
    return [(e["type"], e["institution"]["name"] if e["institution"] else None) for e in page["events"]]


def file_a_change(institution, staff, county_official):
    filing = filing_services.filing_create(institution=institution, kind=Filing.Kind.CHANGE, actor=staff,
                                           particulars={"address": "新地址 8 号", "legal_representative": "钱七"})
    upload_complete_documents(filing, staff)
    filing = filing_services.filing_submit(filing=filing, actor=staff)
    return filing_services.filing_approve(filing=filing, actor=county_official)


def test_county_official_follows_filings_decided_in_their_county(api_client, institution, staff, other_institution,
                                                                 other_staff, county_official):
    InstitutionClassFactory(institution=institution)
    file_a_change(institution, staff, county_official)
    other = filing_services.filing_create(institution=other_institution, kind=Filing.Kind.CHANGE, actor=other_staff,
                                          particulars={"address": "别处 1 号"})
    upload_complete_documents(other, other_staff)
    filing_services.filing_submit(filing=other, actor=other_staff)

    page = feed(api_client, county_official)
    # The change is applied inside the approval, before its audit row.
    assert types(page) == [("filing.submitted", "长安区阳光托育园"), ("institution.changed", "长安区阳光托育园"),
                           ("filing.filed", "长安区阳光托育园")]
    filed = page["events"][2]
    assert filed["label"] == "Filed, receipt issued" and filed["region"] == "130102001"
    assert filed["data"]["receipt_number"] and filed["data"]["status"] == "filed"
    # The change touched the legal representative: the feed says which field, never the person's name.
    changed = page["events"][1]
    assert changed["data"] == {"changed_fields": ["address", "legal_representative"]}
    assert "钱七" not in str(page) and "张三" not in str(page)


def test_staff_see_their_own_institution_only(api_client, institution, staff, other_institution, other_staff,
                                              county_official):
    file_a_change(institution, staff, county_official)
    institution_services.class_add(institution=other_institution, actor=other_staff, name="托大一班",
                                   class_type="older", places=20, caregivers=3)
    assert [t for t, _name in types(feed(api_client, other_staff))] == ["class.opened"]
    event = feed(api_client, other_staff)["events"][0]
    assert event["data"] == {"name": "托大一班", "class_type": "older", "places": 20}
    assert "class.opened" not in [t for t, _ in types(feed(api_client, staff))]


def test_suspension_and_cancellation_reach_the_city_and_province(api_client, institution, county_official,
                                                                 city_official, province_official,
                                                                 other_city_official, other_province_official):
    today = timezone.localdate()
    institution_services.institution_suspend(institution=institution, suspended_on=today, actor=county_official)
    for official in (county_official, city_official, province_official):
        events = feed(api_client, official)["events"]
        assert [(e["type"], e["data"]) for e in events] == [("institution.suspended", {"suspended_on": str(today)})]
    for outsider in (other_city_official, other_province_official):
        assert feed(api_client, outsider)["events"] == []


def test_every_official_hears_that_figures_were_computed_but_staff_do_not(api_client, institution, staff,
                                                                         other_city_official, admin_user):
    from metrics.compute import snapshot_compute

    snapshot_compute(date=timezone.localdate())
    for user in (other_city_official, admin_user):
        events = feed(api_client, user)["events"]
        assert [(e["type"], e["data"]["date"]) for e in events] == [("snapshot.ready", str(timezone.localdate()))]
    assert feed(api_client, staff)["events"] == []


def test_private_actions_never_appear(api_client, institution, staff, admin_user):
    audit_record(actor=staff, action="child.view", target=institution, after={"name": "李小宝"})
    audit_record(actor=staff, action="enrolment.create", target=institution)
    audit_record(actor=None, action="auth.login_failed", target_type="user", target_id="x")
    assert feed(api_client, admin_user)["events"] == []


def test_the_cursor_pages_forward_and_keeps_its_place_when_nothing_happened(api_client, institution, staff,
                                                                            county_official):
    for places in (5, 10, 15):
        institution_services.class_add(institution=institution, actor=staff, name=f"托小{places}班",
                                       class_type="younger", places=places, caregivers=3)
    first = feed(api_client, staff, limit=2)
    assert [e["data"]["places"] for e in first["events"]] == [5, 10] and first["has_more"] is True
    second = feed(api_client, staff, limit=2, after=first["next"])
    assert [e["data"]["places"] for e in second["events"]] == [15] and second["has_more"] is False
    assert second["next"] == second["events"][-1]["cursor"]
    idle = feed(api_client, staff, after=second["next"])
    assert idle == {"events": [], "next": second["next"], "has_more": False}
    # Opaque, but stable: the same cursor gives the same answer later.
    assert feed(api_client, staff, limit=2, after=first["next"])["events"] == second["events"]
    assert feed(api_client, staff, type="class.opened", limit=1)["events"][0]["data"]["places"] == 5


@pytest.mark.parametrize("after", ["not-a-cursor", "ZXYxOi0x", "0"])
def test_an_unknown_cursor_is_not_found_and_says_why(api_client, county_official, after):
    api_client.force_authenticate(county_official)
    response = api_client.get(URL, {"after": after})
    assert response.status_code == 404 and "cursor" in response.json()["error"]["message"]


@pytest.mark.parametrize("params, field", [
    ({"limit": "0"}, "limit"),
    ({"limit": "501"}, "limit"), ({"limit": "ten"}, "limit"), ({"type": "child.viewed"}, "type"),
])
def test_malformed_parameters_are_refused_naming_them(api_client, county_official, params, field):
    api_client.force_authenticate(county_official)
    response = api_client.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_anonymous_callers_are_refused(api_client):
    assert api_client.get(URL).status_code in (401, 403)


def test_cursor_round_trip():
    assert decode_cursor(encode_cursor(123456789)) == 123456789


def test_recent_entries_wait_for_the_settle_window(api_client, institution, staff, settings):
    institution_services.class_add(institution=institution, actor=staff, name="托小一班", class_type="younger",
                                   places=10, caregivers=2)
    settings.EVENTS_SETTLE_SECONDS = 60
    assert feed(api_client, staff)["events"] == []
    settings.EVENTS_SETTLE_SECONDS = 0
    assert len(feed(api_client, staff)["events"]) == 1


def _make_events(n, region="130102001"):
    institutions = [InstitutionFactory(region_id=region) for _ in range(n)]
    for inst in institutions:
        audit_record(actor=None, action="institution.suspend", target=inst,
                     after={"suspended_on": "2026-01-01"})


@pytest.mark.parametrize("user_fixture", ["county_official", "staff", "admin_user"])
def test_a_page_costs_the_same_queries_for_5_and_100_events(api_client, request, user_fixture, institution):
    user = request.getfixturevalue(user_fixture)
    api_client.force_authenticate(user)
    counts = []
    for n in (5, 100):
        _make_events(n)
        for _ in range(n if user_fixture == "staff" else 0):
            audit_record(actor=None, action="class.close", target=institution, after={"closed_on": "2026-01-01"})
        with CaptureQueriesContext(connection) as ctx:
            response = api_client.get(URL, {"limit": 500})
        assert response.status_code == 200 and len(response.json()["events"]) >= 5
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("region, index", [("13", "audit_feed_prefix2_idx"), ("1301", "audit_feed_prefix4_idx"),
                                           ("130102", "audit_feed_prefix6_idx"),
                                           ("130102001", "audit_feed_region_idx")])
def test_an_officials_page_is_one_range_scan_of_the_feed_index(regions, region, index):
    if connection.vendor != "postgresql":
        pytest.skip("the feed's expression indexes are checked on PostgreSQL")
    from audit.events import _area_queries
    from tests.factories import UserFactory

    official = UserFactory(username=f"o{region}", role="official", region_id=region)
    area = _area_queries(official)[0].filter(pk__gt=0).order_by("pk")[:100]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        sql, params = area.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"Index Scan using {index}" in plan, plan
    assert "Sort" not in plan, plan


def test_event_times_are_iso(api_client, institution, staff):
    institution_services.class_close(klass=InstitutionClassFactory(institution=institution), actor=staff,
                                     closed_on=timezone.localdate())
    (event,) = feed(api_client, staff)["events"]
    assert event["type"] == "class.closed" and event["object_type"] == "institutionclass"
    assert datetime.datetime.fromisoformat(event["at"].replace("Z", "+00:00"))
