"""A pair's goals, visits and close: who may write, the audit rows, and a closed pair refusing more."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from audit.models import AuditEntry
from mentoring import selectors, services
from mentoring.models import Outcome
from portal.exceptions import Conflict
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_mentor_staff_record_visits_and_officials_steer_and_close(pair, staff, mentee_staff, city_official,
                                                                  county_official):
    visit = services.visit_record(pair=pair, visited_on=D(2026, 4, 2), visitors="王丽（保健员）",
                                  notes="示范晨午检", changes="建立了晨检登记表", actor=staff)
    assert AuditEntry.objects.filter(action="mentoring.visit_record", actor=staff,
                                     target_id=str(visit.pk)).exists()
    for outsider in (mentee_staff, city_official):
        with pytest.raises(PermissionDenied):
            services.visit_record(pair=pair, visited_on=D(2026, 4, 3), visitors="x", actor=outsider)
    with pytest.raises(PermissionDenied):  # a county official did not set the pair up
        services.goal_add(pair=pair, text="建立晨午检制度", actor=county_official)
    goal = services.goal_add(pair=pair, text="建立晨午检制度", actor=city_official)
    other = services.goal_add(pair=pair, text="保育师持证率达到100%", actor=city_official)
    with pytest.raises(ValidationError) as exc:
        services.visit_record(pair=pair, visited_on=D(2026, 2, 1), visitors="王丽", actor=staff)
    assert "visited_on" in exc.value.message_dict

    outcome = services.pair_close(pair=pair, ended_on=D(2026, 11, 30), result=Outcome.Result.PARTLY,
                                  summary="晨午检已规范，持证率仍不足", reached_goals=[goal.pk], actor=city_official)
    pair.refresh_from_db()
    assert pair.ended_on == D(2026, 11, 30) and outcome.result == "partly"
    assert dict(pair.goals.values_list("pk", "reached")) == {goal.pk: True, other.pk: False}
    assert AuditEntry.objects.filter(action="mentoring.close", actor=city_official).count() == 1
    with pytest.raises(Conflict):
        services.visit_record(pair=pair, visited_on=D(2026, 11, 30), visitors="王丽", actor=staff)
    with pytest.raises(Conflict):
        services.pair_close(pair=pair, ended_on=D(2026, 11, 30), result="improved", summary="再次", actor=city_official)
    assert Outcome.objects.count() == 1


def test_a_pair_ends_after_its_last_visit_and_needs_a_summary(pair, staff, city_official):
    services.visit_record(pair=pair, visited_on=D(2026, 6, 1), visitors="王丽", actor=staff)
    with pytest.raises(ValidationError) as exc:
        services.pair_close(pair=pair, ended_on=D(2026, 5, 1), result="improved", summary="好", actor=city_official)
    assert "ended_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.pair_close(pair=pair, ended_on=D(2026, 7, 1), result="improved", summary="  ", actor=city_official)
    assert "summary" in exc.value.message_dict
    pair.refresh_from_db()
    assert pair.ended_on is None


def test_figures_of_every_region_and_the_annual_pack(pair, staff, city_official, institution, regions):
    institution.medical_integration = True
    institution.save(update_fields=["medical_integration"])
    from institutions.models import MentoringPair

    ended = MentoringPair.objects.create(mentor=institution, mentee=InstitutionFactory(region_id="130102002"),
                                         started_on=D(2026, 1, 10))
    services.goal_add(pair=ended, text="规范膳食管理", actor=city_official)
    services.visit_record(pair=ended, visited_on=D(2026, 2, 1), visitors="王丽", actor=staff)
    services.visit_record(pair=pair, visited_on=D(2026, 3, 5), visitors="王丽", actor=staff)
    services.pair_close(pair=ended, ended_on=D(2026, 6, 30), result="improved", summary="膳食管理达标",
                        reached_goals=[ended.goals.get().pk], actor=city_official)

    city = selectors.region_figures(area_code="1301", on=D(2026, 12, 1))
    by_code = {r["code"]: r for r in city["rows"]}
    assert (by_code["130102"]["filed"], by_code["130102"]["medical"], by_code["130102"]["medical_share"]) == (
        2, 1, Decimal("50.0"))
    assert (by_code["130104"]["active"], by_code["130102"]["ended"], by_code["130102"]["improved"]) == (1, 1, 1)
    assert (city["total"]["filed"], city["total"]["active"], city["total"]["ended"]) == (3, 1, 1)

    with translation.override("zh-hans"):
        pack = selectors.pack_figures(year=2026, city_codes=["1301", "1305"])
    assert [(r["numerator"], r["denominator"]) for r in pack["1301"]] == [
        (2, None), (1, 1), (1, 1), (2, 2), (1, 3)]
    assert pack["1301"][0]["label"] == "年内在册的帮扶结对"
    assert [(r["numerator"], r["denominator"]) for r in pack["1305"]][0] == (0, None)


def test_the_mentees_scorecard_before_and_after(pair, city_official, staff, mentee):
    from pilots.models import Assessment, Pilot
    from pilots.services import scorecard_load_wst821

    template = scorecard_load_wst821()
    pilot = Pilot.objects.create(institution=mentee, year=2026, designated_by_id="1301", designated_on=D(2026, 1, 5))
    for on, total, grade in ((D(2025, 12, 1), "520", "D"), (D(2026, 2, 20), "610", "C"), (D(2026, 10, 15), "760", "B")):
        Assessment.objects.create(pilot=pilot, template=template, assessed_on=on, assessor=city_official,
                                  total=Decimal(total), grade=grade)
    cards = selectors.mentee_scorecards(pair, user=city_official)
    assert (cards["before"].assessed_on, cards["after"].assessed_on) == (D(2026, 2, 20), D(2026, 10, 15))
    assert cards["change"] == {"points": Decimal("150"), "grade_steps": 1, "direction": "up"}
    assert selectors.mentee_scorecards(pair, user=staff) is None  # the mentor's staff do not read them
