"""The change feed of the API lists: `updated_after`, `ordering=updated` and keyset cursors on (updated_at, id)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from filings.models import Notification
from institutions import services as institution_services
from institutions.models import Institution
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(api_client):
    api_client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    with translation.override("en"):
        yield


def iso(moment: datetime.datetime) -> str:
    return moment.isoformat()


def names(page):
    return [row["name"] for row in page["results"]]


def follow(api_client, url):
    """Every page of a change-mode list, and the bookmark left at the end."""
    rows, seen = [], set()
    while True:
        page = api_client.get(url).json()
        if not page["results"]:
            return rows, url
        assert "count" not in page
        rows += page["results"]
        assert url not in seen
        seen.add(url)
        url = page["next"]


def test_updated_after_lists_what_changed_even_through_a_guarded_update(api_client, admin_user, regions):
    first, second, third = (InstitutionFactory(region_id="130102", name=n) for n in ("一园", "二园", "三园"))
    mark = timezone.now()
    # institution_suspend changes the row with a conditional UPDATE, which auto_now never sees.
    institution_services.institution_suspend(institution=second, suspended_on=timezone.localdate(),
                                             actor=admin_user)
    api_client.force_authenticate(admin_user)
    page = api_client.get("/api/v1/institutions/", {"updated_after": iso(mark)}).json()
    assert names(page) == ["二园"] and page["results"][0]["status"] == "suspended"
    assert "count" not in page and page["next"]
    # A class is part of the institution's places: the institution changes with it.
    mark = timezone.now()
    institution_services.class_add(institution=third, actor=admin_user, name="托大一班", class_type="older",
                                   places=20, caregivers=3)
    assert names(api_client.get("/api/v1/institutions/", {"updated_after": iso(mark)}).json()) == ["三园"]
    assert first.pk not in [r["id"] for r in page["results"]]


def test_ordering_updated_pages_the_whole_list_and_leaves_a_bookmark(api_client, admin_user, regions):
    made = [InstitutionFactory(region_id="130102", name=f"园{i}") for i in range(5)]
    api_client.force_authenticate(admin_user)
    rows, bookmark = follow(api_client, "/api/v1/institutions/?ordering=updated&page_size=2")
    assert [r["name"] for r in rows] == [m.name for m in made]
    assert api_client.get(bookmark).json()["results"] == []
    Institution.objects.filter(pk=made[1].pk).update(address="新地址 9 号")  # raw UPDATE, no save()
    assert names(api_client.get(bookmark).json()) == ["园1"]


def test_rows_of_the_same_instant_are_neither_skipped_nor_repeated(api_client, admin_user, regions):
    made = [InstitutionFactory(region_id="130102", name=f"同时{i}") for i in range(4)]
    same = timezone.now() - datetime.timedelta(minutes=1)
    # One statement gives every row the same time (the trigger only stamps rows whose time was left alone).
    Institution.objects.filter(pk__in=[m.pk for m in made]).update(updated_at=same)
    api_client.force_authenticate(admin_user)
    rows, _bookmark = follow(api_client, "/api/v1/institutions/?ordering=updated&page_size=3")
    assert sorted(r["name"] for r in rows) == sorted(m.name for m in made) and len(rows) == 4


def test_page_numbered_lists_keep_their_count_without_the_feed(api_client, province_official, institution):
    api_client.force_authenticate(province_official)
    page = api_client.get("/api/v1/guidance-centres/").json()
    assert page["count"] == 0 and "results" in page
    page = api_client.get("/api/v1/institutions/").json()
    assert names(page) == ["长安区阳光托育园"]


@pytest.fixture
def filing(institution, staff):
    from filings.models import Filing

    return Filing.objects.create(institution=institution, kind=Filing.Kind.CHANGE, created_by=staff)


def test_the_change_path_runs_no_count_and_a_fixed_number_of_queries(api_client, staff, filing):
    api_client.force_authenticate(staff)
    counts = []
    for n in (3, 30):
        Notification.objects.bulk_create([Notification(user=staff, filing=filing, event=Notification.Event.RETURNED,
                                                       message="x") for _ in range(n)])
        with CaptureQueriesContext(connection) as ctx:
            page = api_client.get("/api/v1/notifications/", {"ordering": "updated", "page_size": 200}).json()
        assert len(page["results"]) >= n
        assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_marking_a_notification_read_puts_it_back_in_the_feed(api_client, staff, filing):
    note = Notification.objects.create(user=staff, filing=filing, event=Notification.Event.RETURNED, message="x")
    api_client.force_authenticate(staff)
    mark = timezone.now()
    assert api_client.get("/api/v1/notifications/", {"updated_after": iso(mark)}).json()["results"] == []
    Notification.objects.filter(pk=note.pk).update(read_at=timezone.now())
    page = api_client.get("/api/v1/notifications/", {"updated_after": iso(mark)}).json()
    assert [r["id"] for r in page["results"]] == [note.pk]


@pytest.mark.parametrize("params, field", [
    ({"updated_after": "yesterday"}, "updated_after"), ({"updated_after": "2026-13-01T00:00:00"}, "updated_after"),
    ({"updated_after": ""}, "updated_after"), ({"ordering": "name"}, "ordering"),
])
def test_malformed_feed_parameters_are_refused_naming_them(api_client, admin_user, params, field):
    api_client.force_authenticate(admin_user)
    for url in ("/api/v1/institutions/", "/api/v1/mentoring-pairs/", "/api/v1/regions/"):
        response = api_client.get(url, params)
        assert response.status_code == 400, (url, response.content)
        assert field in response.json()["error"]["fields"]


def test_an_unknown_change_cursor_is_not_found(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    for cursor in ("0", "not-a-cursor", ""):
        response = api_client.get("/api/v1/institutions/", {"change_cursor": cursor})
        assert response.status_code == 404 and "change_cursor" in response.json()["error"]["message"]


def test_any_iso_offset_is_read(api_client, admin_user, regions):
    InstitutionFactory(region_id="130102", name="偏移园")
    api_client.force_authenticate(admin_user)
    for moment in ("2539-09-14T20:33:48+16:31", "0315-08-31T17:12:26-17:10", "0001-01-01T00:00:00+01:00"):
        response = api_client.get("/api/v1/institutions/", {"updated_after": moment, "ordering": "updated"})
        assert response.status_code in (200, 400), (moment, response.content)
    response = api_client.get("/api/v1/institutions/", {"updated_after": "2000-01-01T00:00:00+16:31"})
    assert [r["name"] for r in response.json()["results"]] == ["偏移园"]


def test_a_naive_updated_after_is_read_in_the_portals_time_zone(api_client, admin_user, regions):
    InstitutionFactory(region_id="130102", name="时区园")
    api_client.force_authenticate(admin_user)
    later = timezone.localtime() + datetime.timedelta(hours=1)
    assert api_client.get("/api/v1/institutions/", {"updated_after": later.strftime("%Y-%m-%dT%H:%M:%S")}) \
        .json()["results"] == []


def test_regions_follow_by_code_keys(api_client, regions):
    rows, bookmark = follow(api_client, "/api/v1/regions/?ordering=updated&page_size=4")
    assert len(rows) == len(regions)
    assert api_client.get(bookmark).json()["results"] == []


def test_every_paged_list_documents_the_feed(api_client):
    schema = api_client.get("/api/v1/schema/", {"format": "json"}).json()
    undocumented = []
    for path, item in schema["paths"].items():
        operation = item.get("get")
        if not operation:
            continue
        ok = operation["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        ref = ok.get("$ref", "")
        body = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {}) if ref else ok
        if "results" not in body.get("properties", {}):
            continue  # not a paged list
        params = {p["name"] for p in operation.get("parameters", [])}
        if not {"updated_after", "ordering", "change_cursor"} <= params:
            undocumented.append(path)
    assert sorted(undocumented) == sorted(WITHOUT_FEED), "a paged list without the change feed: add it, or say why"


WITHOUT_FEED = {
    # Snapshot rows are written once per computation and never change: the events feed announces them.
    "/api/v1/metrics/regions/": "immutable rows",
    # A mentoring pair's goals and visits are read with their pair, a few rows each; a year's reporting
    # obligation is one row per province and year.
    "/api/v1/mentoring-pairs/{id}/goals/": "read with the pair",
    "/api/v1/mentoring-pairs/{id}/visits/": "read with the pair",
    "/api/v1/yearend/obligations/": "one row per province and year",
}


def test_the_feed_query_is_a_range_scan_of_the_change_index(admin_user, regions):
    if connection.vendor != "postgresql":
        pytest.skip("plans are checked on PostgreSQL")
    query = Institution.objects.filter(updated_at__gte=timezone.now()).order_by("updated_at", "pk")[:50]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cursor.fetchall())
    assert "institution_updated_idx" in plan, plan
