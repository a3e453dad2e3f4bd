"""Pages of demonstration-city creation: a new version of the standard edited from the latest, the index with a
fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demonstration import services
from demonstration.models import CreationStandard

pytestmark = pytest.mark.django_db


def _formset_post(standard, **changes) -> dict:
    count = str(standard.criteria.count())  # as the page's management form sends it: every row is an initial one
    data = {"name": "示范城市创建评审标准（省定版）", "edition": "2022版", "notes": "", "met_percent": "75",
            "criteria-TOTAL_FORMS": count, "criteria-INITIAL_FORMS": count,
            "criteria-MIN_NUM_FORMS": "0", "criteria-MAX_NUM_FORMS": "1000"}
    for n, c in enumerate(standard.criteria.select_related("group").order_by("order")):
        data.update({f"criteria-{n}-group": c.group.code, f"criteria-{n}-code": c.code, f"criteria-{n}-text": c.text,
                     f"criteria-{n}-max_points": str(c.max_points),
                     f"criteria-{n}-evidence_required": c.evidence_required})
        data.update({f"criteria-{n}-{k}": v for k, v in changes.get(c.code, {}).items()})
    return data


def test_province_edits_a_new_version_and_past_creations_keep_theirs(client, standard, creation, province_official,
                                                                      city_official):
    client.force_login(city_official)
    assert client.get("/demonstration/standards/new-version/").status_code == 403
    client.force_login(province_official)
    assert client.get("/demonstration/standards/new-version/").status_code == 200
    answer = client.post("/demonstration/standards/new-version/", _formset_post(
        standard, **{"SS-01": {"max_points": "20"}, "FS-02": {"DELETE": "on"}}), follow=True)
    new = CreationStandard.objects.get(code=standard.code, version=2)
    assert answer.redirect_chain[-1][0].endswith(f"?version={new.pk}")
    assert (new.met_percent, new.criteria.count()) == (75, 18)
    assert str(new.criteria.get(code="SS-01").max_points) == "20.0"
    creation.refresh_from_db()
    assert creation.standard_id == standard.pk
    assert str(standard.criteria.get(code="SS-01").max_points) == "10.0"


def test_it_refuses_points_of_zero_naming_the_criterion(client, standard, province_official):
    client.force_login(province_official)
    answer = client.post("/demonstration/standards/new-version/",
                         _formset_post(standard, **{"PP-01": {"max_points": "0"}}))
    assert answer.status_code == 400
    assert "PP-01" in answer.content.decode()
    assert not CreationStandard.objects.filter(code=standard.code, version=2).exists()


def test_index_has_a_fixed_number_of_queries(client, standard, province_official, city_official,
                                             other_city_official):
    client.force_login(province_official)
    services.creation_open(city="1301", year=2025, actor=city_official)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/demonstration/").status_code == 200
        return len(queries)

    one = count()
    services.creation_open(city="1305", year=2025, actor=other_city_official)
    services.creation_open(city="1301", year=2026, actor=city_official)
    assert count() == one
