"""Cached API reads, cached token lookups and the API rate limits (portal.api.cache, .authentication,
.throttling), on the real shared cache: Redis in CI (REDIS_URL), else the in-process cache.

A cached answer must never outlive the data behind it, whoever wrote it and however (a service, a
plain ORM save, a queryset update, raw SQL), nor be shown to anyone but the caller it was made for.
Metrics answers follow the ready snapshots: computing a new one changes nothing until it is swapped in.
The tests commit for real (versions change when a transaction commits, as in production).
"""

import datetime

import pytest
from django.db import connection, transaction

from institutions.models import Institution
from metrics.compute import snapshot_compute
from metrics.models import RegionSnapshot
from portal.api import cache as api_cache
from portal.api import throttling
from tests.factories import InstitutionClassFactory, InstitutionFactory, api_token

pytestmark = pytest.mark.django_db(transaction=True)
D = datetime.date(2022, 6, 30)


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.API_CACHE_SECONDS = 60


@pytest.fixture
def snapshot(regions):
    inst = InstitutionFactory(region_id="130102001", filed_on=datetime.date(2022, 1, 1))
    InstitutionClassFactory(institution=inst, places=20)
    return snapshot_compute(date=D)


def _token_client(api_client, user):
    token = api_token(user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api_client, token


def _area(client, code="1301"):
    return client.get(f"/api/v1/metrics/regions/{code}/", {"date": "2022-07-01"})


# --- Served from the cache, and only while nothing changed ------------------------------------------

def test_second_read_is_served_from_the_cache_without_queries(api_client, snapshot, province_official,
                                                              django_assert_num_queries):
    client, _ = _token_client(api_client, province_official)
    first = _area(client)
    assert first["X-Cache"] == "miss"
    with django_assert_num_queries(0):  # token and answer both come from the cache
        second = _area(client)
    assert second["X-Cache"] == "hit"
    assert second.json() == first.json() and second.json()["places"] == 20
    assert second["Content-Type"] == "application/json"


def test_a_hit_answers_with_the_same_headers_as_drf(api_client, snapshot, province_official):
    client, _ = _token_client(api_client, province_official)
    miss, hit = _area(client), _area(client)
    assert (miss["X-Cache"], hit["X-Cache"]) == ("miss", "hit")
    for header in ("Content-Type", "Allow", "Vary", "Content-Language"):
        assert hit.get(header) == miss.get(header), header


def test_a_browser_session_is_answered_through_drf_and_still_cached(client, snapshot, province_official,
                                                                    django_assert_max_num_queries):
    client.force_login(province_official)
    _area(client)
    with django_assert_max_num_queries(3):  # the session and its user; no figures are read again
        assert _area(client)["X-Cache"] == "hit"


def test_another_format_is_not_served_from_the_json_cache(api_client, snapshot, province_official):
    client, _ = _token_client(api_client, province_official)
    _area(client)
    html = client.get("/api/v1/metrics/regions/1301/", {"date": "2022-07-01"}, HTTP_ACCEPT="text/html")
    assert html["Content-Type"].startswith("text/html") and "X-Cache" not in html


def test_a_recompute_changes_the_answer_at_once(api_client, snapshot, province_official):
    client, _ = _token_client(api_client, province_official)
    assert _area(client).json()["places"] == 20
    InstitutionClassFactory(institution=Institution.objects.get(region_id="130102001"), places=5)
    snapshot_compute(date=D)  # raw SQL and guarded updates, no model save
    response = _area(client)
    assert response["X-Cache"] == "miss"
    assert response.json()["places"] == 25


def test_a_queryset_update_or_raw_sql_drops_cached_answers(api_client, regions, institution, staff):
    client, _ = _token_client(api_client, staff)
    assert client.get("/api/v1/institutions/").json()["results"][0]["name"] == "长安区阳光托育园"
    Institution.objects.filter(pk=institution.pk).update(name="改名托育园")
    assert client.get("/api/v1/institutions/").json()["results"][0]["name"] == "改名托育园"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE institutions_institution SET name = %s WHERE id = %s", ["再改名托育园", institution.pk])
    assert client.get("/api/v1/institutions/").json()["results"][0]["name"] == "再改名托育园"


def test_writes_to_unrelated_tables_keep_the_cache(api_client, snapshot, province_official):
    from audit.services import audit_record

    client, _ = _token_client(api_client, province_official)
    _area(client)
    audit_record(actor=province_official, action="test.noop")  # the audit log feeds no cached answer
    assert _area(client)["X-Cache"] == "hit"


def test_no_cache_header_asks_for_a_fresh_answer(api_client, snapshot, province_official):
    client, _ = _token_client(api_client, province_official)
    _area(client)
    assert client.get("/api/v1/metrics/regions/1301/", {"date": "2022-07-01"},
                      HTTP_CACHE_CONTROL="no-cache")["X-Cache"] == "miss"


def _names(client):
    response = client.get("/api/v1/institutions/")
    return response.get("X-Cache"), [row["name"] for row in response.json()["results"]]


def test_the_writer_reads_its_own_write_and_nobody_gets_it_before_the_commit(api_client, regions, institution,
                                                                             staff):
    client, _ = _token_client(api_client, staff)
    assert _names(client) == ("miss", ["长安区阳光托育园"])
    with transaction.atomic():
        Institution.objects.filter(pk=institution.pk).update(name="改名托育园")
        # Not from the cache, and not kept in it: the answer holds a write that may yet be rolled back.
        assert _names(client) == (None, ["改名托育园"])
        assert _names(client) == (None, ["改名托育园"])
    assert _names(client) == ("miss", ["改名托育园"])  # committed: the old answer is stale
    assert _names(client) == ("hit", ["改名托育园"])


def test_a_rolled_back_write_leaves_the_cached_answer_in_force(api_client, regions, institution, staff):
    client, _ = _token_client(api_client, staff)
    _names(client)
    with pytest.raises(RuntimeError), transaction.atomic():
        Institution.objects.filter(pk=institution.pk).update(name="从未提交的名字")
        assert _names(client) == (None, ["从未提交的名字"])
        raise RuntimeError
    assert _names(client) == ("hit", ["长安区阳光托育园"])


def test_write_statements_cost_no_cache_round_trip_until_the_commit(api_client, regions, institution, staff):
    """Many writes in one transaction change the app's version once, when it commits."""
    client, _ = _token_client(api_client, staff)
    _names(client)
    key = "api-gen:institutions"
    before = api_cache.cache.get(key)
    with transaction.atomic():
        for n in range(20):
            Institution.objects.filter(pk=institution.pk).update(address=f"新地址 {n} 号")
        assert api_cache.cache.get(key) == before
    after = api_cache.cache.get(key)
    assert after != before
    assert _names(client)[0] == "miss"


def test_computing_a_snapshot_keeps_cached_figures_until_it_is_swapped_in(api_client, snapshot,
                                                                          province_official):
    """Ready snapshots do not change: the rows of one being computed are nobody's answer yet."""
    from metrics.compute import snapshot_swap
    from metrics.models import Snapshot

    client, _ = _token_client(api_client, province_official)
    assert _area(client)["X-Cache"] == "miss"
    computing = Snapshot.objects.create(date=D, version=2, status=Snapshot.Status.COMPUTING)
    rows = list(RegionSnapshot.objects.filter(snapshot=snapshot))
    for row in rows:
        row.pk, row.snapshot, row.places = None, computing, row.places + 100
    RegionSnapshot.objects.bulk_create(rows)
    hit = _area(client)
    assert hit["X-Cache"] == "hit" and hit.json()["places"] == 20
    snapshot_swap(computing)
    fresh = _area(client)
    assert fresh["X-Cache"] == "miss" and fresh.json()["places"] == 120


# --- Only for the caller it was made for ---------------------------------------------------------

def test_another_caller_never_gets_someone_elses_answer(api_client, snapshot, province_official, city_official,
                                                        other_city_official):
    from rest_framework.test import APIClient

    province, _ = _token_client(api_client, province_official)
    assert province.get("/api/v1/metrics/regions/1305/", {"date": "2022-07-01"}).status_code == 200
    city_a, _ = _token_client(APIClient(), city_official)
    assert city_a.get("/api/v1/metrics/regions/1305/", {"date": "2022-07-01"}).status_code == 404
    city_b, _ = _token_client(APIClient(), other_city_official)
    assert city_b.get("/api/v1/metrics/regions/1305/", {"date": "2022-07-01"}).status_code == 200


def test_a_moved_official_loses_cached_access_at_once(api_client, snapshot, city_official):
    client, _ = _token_client(api_client, city_official)
    assert _area(client).status_code == 200
    city_official.region_id = "1305"
    city_official.save()
    assert _area(client).status_code == 404


def test_a_revoked_token_stops_working_at_once(api_client, snapshot, province_official):
    client, token = _token_client(api_client, province_official)
    assert _area(client).status_code == 200
    from accounts.models import PersonalToken
    from accounts.services import personal_token_revoke

    personal_token_revoke(token=PersonalToken.objects.get(user=province_official), actor=province_official)
    assert _area(client).status_code == 401


def test_a_deactivated_user_stops_working_at_once(api_client, snapshot, province_official):
    client, _ = _token_client(api_client, province_official)
    assert _area(client).status_code == 200
    province_official.is_active = False
    province_official.save()
    assert _area(client).status_code == 401


def test_the_public_register_is_shared_by_everyone(api_client, regions):
    InstitutionFactory(region_id="130102")
    assert api_client.get("/api/v1/register/institutions/")["X-Cache"] == "miss"
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/register/institutions/")["X-Cache"] == "hit"


def test_the_cache_being_down_answers_uncached(api_client, snapshot, province_official, settings):
    settings.CACHES = {"default": {"BACKEND": "portal.cache.PortalRedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens on port 1
    client, _ = _token_client(api_client, province_official)
    response = _area(client)
    assert response.status_code == 200 and response.json()["places"] == 20
    assert response.get("X-Cache") != "hit"  # computed afresh: the cache falls through (portal.cache)


@pytest.mark.parametrize("sql, apps", [
    ('INSERT INTO "institutions_institution" ("name") VALUES (%s)', {"institutions"}),
    ('UPDATE "filings_filing" SET "status" = %s WHERE "filings_filing"."id" = %s', {"filings"}),
    ("WITH x AS (SELECT 1) UPDATE regions_region SET population = 1 FROM x", {"regions"}),
    ('INSERT INTO "audit_auditentry" ("action") VALUES (%s)', set()),
    ('SELECT "accounts_user"."id" FROM "accounts_user" FOR UPDATE', set()),
    # Metrics follow the ready snapshots (metrics_changed), not their tables' writes.
    ('DELETE FROM "metrics_rankingentry" WHERE "metrics_rankingentry"."run_id" IN (%s)', set()),
    ("WITH x AS (SELECT 1) INSERT INTO metrics_regionsnapshot (region_id) SELECT code FROM regions_region", set()),
])
def test_which_writes_change_which_versions(sql, apps):
    assert api_cache._apps_written(sql) == apps


# --- Rate limits -----------------------------------------------------------------------------------

def test_anonymous_callers_over_the_rate_get_429_with_retry_after(api_client, regions, monkeypatch):
    monkeypatch.setattr(throttling.AnonWindowThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": None})
    throttling._pending.clear()
    api_cache.cache.clear()
    statuses = [api_client.get("/api/v1/register/institutions/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = api_client.get("/api/v1/register/institutions/")
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60


def test_batched_counting_stays_within_its_bound(monkeypatch, rf):
    """A rate of 2,000 a minute is counted in batches of 20: one process lets through at most 19 more."""
    from django.contrib.auth.models import AnonymousUser

    monkeypatch.setattr(throttling.AnonWindowThrottle, "THROTTLE_RATES", {"anon": "2000/min", "user": None})
    throttling._pending.clear()
    api_cache.cache.clear()
    request = rf.get("/")
    request.user = AnonymousUser()
    allowed = sum(throttling.AnonWindowThrottle().allow_request(request, None) for _ in range(2100))
    assert 2000 <= allowed <= 2019
