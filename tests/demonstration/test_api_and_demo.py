"""The demonstration API (same services as the pages, scoped reads) and the demo step."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demonstration import services
from demonstration.models import Creation

from .conftest import pdf

pytestmark = pytest.mark.django_db


def test_city_uploads_and_submits_province_scores_through_the_api(api_client, creation, city_official,
                                                                  province_official, other_city_official):
    criterion = creation.standard.criteria.order_by("order").first()
    api_client.force_authenticate(city_official)
    url = f"/api/v1/demonstration/creations/{creation.pk}/"
    answer = api_client.post(url + "evidence/", {"criterion": criterion.pk, "file": pdf()}, format="multipart")
    assert answer.status_code == 200, answer.content
    assert answer.json()["criteria_evidenced"] == 1
    assert api_client.post(url + "submit/", {"note": "请审核"}, format="json").json()["status"] == "submitted"
    assert api_client.post(url + "submit/", {}, format="json").status_code == 409
    assert api_client.post(url + "scores/", {"criterion": criterion.pk, "points": "1"},
                           format="json").status_code == 403
    api_client.force_authenticate(province_official)
    too_many = api_client.post(url + "scores/", {"criterion": criterion.pk, "points": "99"}, format="json")
    assert too_many.status_code == 400 and "points" in too_many.json()["error"]["fields"]
    scored = api_client.post(url + "scores/", {"criterion": criterion.pk, "points": "4.5", "comment": "好"},
                             format="json").json()
    assert scored["entries"][0]["points"] == "4.5" and scored["score"] == "4.5"
    api_client.force_authenticate(other_city_official)  # another city: not found
    assert api_client.get(url).status_code == 404
    assert api_client.get("/api/v1/demonstration/creations/").json()["results"] == []


def test_creation_list_has_a_fixed_number_of_queries(api_client, standard, province_official, city_official,
                                                     other_city_official):
    api_client.force_authenticate(province_official)
    services.creation_open(city="1301", year=2025, actor=city_official)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get("/api/v1/demonstration/creations/").status_code == 200
        return len(queries)

    one = count()
    services.creation_open(city="1305", year=2025, actor=other_city_official)
    services.creation_open(city="1301", year=2026, actor=city_official)
    assert count() == one


def test_demo_step_seeds_once(regions, standard, settings, private_storage):
    from demonstration import demo
    from portal.demo import DemoContext
    from tests.factories import UserFactory

    UserFactory(username="hebei", role="official", region_id="13")
    ctx = DemoContext(stdout=type("Out", (), {"write": lambda self, m: None})())
    demo.seed(ctx)
    states = dict(Creation.objects.filter(year=2026).values_list("city_id", "status"))
    assert states == {"1301": "in_progress", "1305": "submitted"}
    assert Creation.objects.get(year=2025, city_id="1301").status == "scored"
    demo.seed(ctx)
    assert Creation.objects.count() == 4


def test_ranking_api_shows_the_province_every_city_and_a_city_its_own_row(api_client, standard, city_official,
                                                                          other_city_official, province_official,
                                                                          county_official):
    from decimal import Decimal

    for actor, share in ((city_official, Decimal("0.5")), (other_city_official, Decimal("0.8"))):
        creation = services.creation_open(city=actor.region_id, year=2025, actor=actor)
        services.evidence_add(creation=creation, criterion=standard.criteria.first(), file=pdf(), actor=actor)
        services.creation_submit(creation=creation, actor=actor)
        for entry in creation.entries.select_related("criterion"):
            services.entry_score(creation=creation, criterion=entry.criterion,
                                 points=(entry.criterion.max_points * share).quantize(Decimal("0.1")),
                                 actor=province_official)
        services.creation_finish(creation=creation, actor=province_official)
    url = "/api/v1/demonstration/ranking/?year=2025"
    api_client.force_authenticate(province_official)
    assert [(r["city"], r["rank"], r["ranked"]) for r in api_client.get(url).json()] == [("1305", 1, 2),
                                                                                          ("1301", 2, 2)]
    api_client.force_authenticate(city_official)
    assert [(r["city"], r["rank"]) for r in api_client.get(url).json()] == [("1301", 2)]
    api_client.force_authenticate(county_official)
    assert api_client.get(url).json() == []
    assert api_client.get("/api/v1/demonstration/ranking/?year=0").status_code == 400
