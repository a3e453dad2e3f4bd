"""Demonstration-city creation: a city assembles and submits, the province scores, returns and finishes; the
figures and ranking follow; a new standard version leaves past creations as they were."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from accounts.policies import OutsideArea
from audit.models import AuditEntry
from demonstration import selectors, services
from demonstration.models import Creation
from portal.exceptions import Conflict

from .conftest import pdf

pytestmark = pytest.mark.django_db


def _score_all(creation, actor, share=Decimal("1")):
    for entry in creation.entries.select_related("criterion"):
        services.entry_score(creation=creation, criterion=entry.criterion, points=entry.criterion.max_points * share,
                             comment="", actor=actor)


def test_city_assembles_submits_and_province_scores(creation, city_official, province_official):
    first = creation.standard.criteria.order_by("order").first()
    services.evidence_add(creation=creation, criterion=first, file=pdf(), actor=city_official)
    services.entry_note_set(creation=creation, criterion=first, note="已纳入十四五规划", actor=city_official)
    services.creation_submit(creation=creation, note="请审核", actor=city_official)
    with pytest.raises(Conflict):
        services.creation_submit(creation=creation, actor=city_official)  # a double click changes nothing
    with pytest.raises(ValidationError) as exc:
        services.entry_score(creation=creation, criterion=first, points=first.max_points + 1, actor=province_official)
    assert "points" in exc.value.message_dict
    _score_all(creation, province_official, Decimal("0.5"))
    services.entry_score(creation=creation, criterion=first, points=first.max_points, comment="材料齐全",
                         actor=province_official)
    creation = services.creation_finish(creation=creation, actor=province_official)
    assert creation.status == Creation.Status.SCORED
    assert creation.total_points == Decimal("50.0") + first.max_points / 2
    with translation.override("en"):
        figures = selectors.pack_figures(year=2026, city_codes=["1301", "1305"])
    with translation.override("zh-hans"):
        assert selectors.pack_figures(year=2026, city_codes=["1301"])["1301"][0]["label"] == "示范城市创建得分"
    assert figures["1305"] == []
    by_label = {row["label"]: row for row in figures["1301"]}
    score = by_label["Demonstration-city creation score"]
    assert (score["numerator"], score["denominator"]) == (creation.total_points, Decimal("100.0"))
    met = by_label["Creation criteria met"]
    assert (met["numerator"], met["denominator"]) == (1, 19)  # only the fully scored criterion reaches 80 %
    assert by_label["Creation rank among the province's cities"]["numerator"] == 1
    assert AuditEntry.objects.filter(action="creation.finish", region_code="1301").exists()


def test_it_rejects_province_uploading_and_city_scoring(creation, city_official, province_official,
                                                        other_city_official, county_official):
    first = creation.standard.criteria.first()
    with pytest.raises(PermissionDenied):
        services.evidence_add(creation=creation, criterion=first, file=pdf(), actor=province_official)
    with pytest.raises(OutsideArea):  # another city, a county: the creation is not theirs to see
        services.evidence_add(creation=creation, criterion=first, file=pdf(), actor=other_city_official)
    with pytest.raises(OutsideArea):
        services.entry_note_set(creation=creation, criterion=first, note="x", actor=county_official)
    services.evidence_add(creation=creation, criterion=first, file=pdf(), actor=city_official)
    services.creation_submit(creation=creation, actor=city_official)
    with pytest.raises(PermissionDenied):
        services.entry_score(creation=creation, criterion=first, points=1, actor=city_official)


def test_return_reopens_for_evidence_and_gaps_show(creation, city_official, province_official):
    with pytest.raises(ValidationError):  # nothing to review yet
        services.creation_submit(creation=creation, actor=city_official)
    first = creation.standard.criteria.order_by("order").first()
    services.evidence_add(creation=creation, criterion=first, file=pdf("exe.pdf"), actor=city_official)
    services.creation_submit(creation=creation, actor=city_official)
    with pytest.raises(ValidationError):
        services.creation_finish(creation=creation, actor=province_official)  # criteria unscored
    services.creation_return(creation=creation, comment="缺少托位统计表", actor=province_official)
    creation.refresh_from_db()
    assert creation.status == Creation.Status.RETURNED and creation.return_comment == "缺少托位统计表"
    services.evidence_add(creation=creation, criterion=first, file=pdf("second.pdf"), actor=city_official)
    row = selectors.with_figures(Creation.objects.filter(pk=creation.pk)).get()
    assert (row.criteria_evidenced, row.criteria) == (1, 19)


def test_refuses_a_file_that_is_not_what_it_claims(creation, city_official):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00" + b"\x00" * 64, content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(creation=creation, criterion=creation.standard.criteria.first(), file=fake,
                              actor=city_official)
    assert "file" in exc.value.message_dict


def test_new_standard_version_leaves_past_creation_alone(creation, standard, province_official, city_official):
    from demonstration.standards import as_groups

    groups = as_groups()[:1]
    new = services.standard_create_version(code=standard.code, name="新版", groups=groups, actor=province_official)
    assert new.version == 2
    creation.refresh_from_db()
    assert creation.standard_id == standard.pk and creation.entries.count() == 19
    later = services.creation_open(city="1305", year=2026,
                                   actor=province_official)
    assert later.standard_id == new.pk and later.entries.count() == 3
    with pytest.raises(PermissionDenied):
        services.standard_create_version(code=standard.code, name="x", groups=groups, actor=city_official)
    with pytest.raises(Conflict):
        services.creation_open(city="1301", year=2026, actor=city_official)


def test_ranking_orders_cities_and_a_city_sees_its_own_row(standard, city_official, other_city_official,
                                                            province_official):
    for actor, share in ((city_official, Decimal("0.6")), (other_city_official, Decimal("0.9"))):
        creation = services.creation_open(city=actor.region_id, year=2025, actor=actor)
        services.evidence_add(creation=creation, criterion=standard.criteria.first(), file=pdf(), actor=actor)
        services.creation_submit(creation=creation, actor=actor)
        _score_all(creation, province_official, share)
        services.creation_finish(creation=creation, actor=province_official)
    rows = list(selectors.ranking(year=2025, province="13"))
    assert [(r.city_id, r.rank, r.ranked) for r in rows] == [("1305", 1, 2), ("1301", 2, 2)]
    own = selectors.ranking_for(years=[2025], user=city_official, province="13")
    assert [(r.city_id, r.rank, r.ranked) for r in own] == [("1301", 2, 2)]
