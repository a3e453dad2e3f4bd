"""Pilots, scorecards, assessments and progress reports with their reporting rates."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from pilots.models import Assessment, GradeBand, Pilot, ProgressReport, ScorecardTemplate, ScoreItem
from pilots.reporting import period_dates, reporting_rates, reporting_rates_grouped
from pilots.services import (
    assessment_record,
    pilot_designate,
    pilot_mark_completed,
    progress_report_submit,
    progress_template_create,
    reporting_assign,
    scorecard_load,
    scorecard_load_wst821,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def wst821():
    return scorecard_load_wst821()


@pytest.fixture
def pilot(institution, province_official):
    return pilot_designate(institution=institution, year=2022, designated_on=datetime.date(2022, 3, 1),
                           actor=province_official)


def _full_marks(template, **overrides):
    return [{"item": i.pk, "points": overrides.get(i.code, i.max_points), "evidence": "现场查看"}
            for i in ScoreItem.objects.filter(dimension__template=template)]


def test_wst821_has_seven_dimensions_adding_to_1000(wst821):
    points = list(wst821.dimensions.order_by("order").values_list("max_points", flat=True))
    assert points == [100, 140, 200, 210, 80, 200, 70]
    assert wst821.total_points == Decimal("1000")
    assert set(wst821.grade_bands.values_list("grade", flat=True)) == {"A", "B", "C", "D"}
    assert ScoreItem.objects.filter(dimension__template=wst821, is_veto=True).count() >= 2
    assert scorecard_load_wst821() == wst821  # loading again changes nothing


def test_a_province_loads_its_own_edition(regions):
    template = scorecard_load(data={
        "code": "hebei-2022", "name": "河北省托育机构质量评估（2022）", "grades": [["A", 90], ["B", 0]],
        "dimensions": [["1", "条件", 60, [["1.1", "场地", 60, False]]],
                       ["2", "安全", 40, [["2.0", "无事故", 0, True], ["2.1", "消防", 40, False]]]],
    }, actor=None, region=regions["13"])
    assert template.total_points == 100 and template.region_id == "13"


def test_scorecard_items_must_add_up_to_their_dimension(regions):
    with pytest.raises(ValidationError):
        scorecard_load(data={"code": "bad", "name": "x",
                             "dimensions": [["1", "条件", 60, [["1.1", "场地", 50, False]]]]}, actor=None)


def test_assessment_computes_total_and_grade(pilot, wst821, county_official):
    assessment = assessment_record(pilot=pilot, template=wst821, assessed_on=datetime.date(2022, 5, 1),
                                   scores=_full_marks(wst821, **{"3.1": 0, "4.1": 0}), actor=county_official)
    assert assessment.total == Decimal("880")
    assert assessment.grade == GradeBand.Grade.A
    assert assessment.veto_failed is False
    assert assessment.scores.count() == ScoreItem.objects.filter(dimension__template=wst821).count()
    assert AuditEntry.objects.filter(action="assessment.record").count() == 1


def test_failing_a_veto_item_fails_the_assessment_whatever_the_total(pilot, wst821, county_official):
    scores = _full_marks(wst821)
    veto = ScoreItem.objects.filter(dimension__template=wst821, is_veto=True).first()
    for s in scores:
        if s["item"] == veto.pk:
            s["veto_failed"] = True
    assessment = assessment_record(pilot=pilot, template=wst821, assessed_on=datetime.date(2022, 5, 1),
                                   scores=scores, actor=county_official)
    assert assessment.total == Decimal("1000")
    assert assessment.veto_failed is True and assessment.grade == "D"


def test_assessment_rejects_missing_and_excessive_items(pilot, wst821, county_official):
    scores = _full_marks(wst821)
    with pytest.raises(ValidationError):
        assessment_record(pilot=pilot, template=wst821, assessed_on=datetime.date(2022, 5, 1),
                          scores=scores[1:], actor=county_official)
    scores[0]["points"] = 1000
    with pytest.raises(ValidationError):
        assessment_record(pilot=pilot, template=wst821, assessed_on=datetime.date(2022, 5, 1),
                          scores=scores, actor=county_official)
    assert not Assessment.objects.exists()


def test_official_of_another_county_cannot_assess(pilot, wst821, other_county_official):
    with pytest.raises(PermissionDenied):
        assessment_record(pilot=pilot, template=wst821, assessed_on=datetime.date(2022, 5, 1),
                          scores=_full_marks(wst821), actor=other_county_official)


def test_county_cannot_designate_provincial_pilots(institution, county_official):
    with pytest.raises(PermissionDenied):
        pilot_designate(institution=institution, year=2022, designated_on=datetime.date(2022, 3, 1),
                        actor=county_official)


def test_designating_twice_keeps_one_pilot(pilot, institution, province_official):
    again = pilot_designate(institution=institution, year=2022, designated_on=datetime.date(2022, 4, 1),
                            actor=province_official)
    assert again == pilot and Pilot.objects.count() == 1


def test_completion_is_recorded_once(pilot, city_official):
    pilot_mark_completed(pilot=pilot, completed_on=datetime.date(2022, 6, 1), actor=city_official)
    pilot_mark_completed(pilot=pilot, completed_on=datetime.date(2022, 6, 20), actor=city_official)
    pilot.refresh_from_db()
    assert pilot.completed_on == datetime.date(2022, 6, 1)
    assert AuditEntry.objects.filter(action="pilot.complete").count() == 1


def test_pilots_visible_only_in_area(pilot, city_official, other_city_official, staff):
    assert list(Pilot.objects.visible_to(city_official)) == [pilot]
    assert list(Pilot.objects.visible_to(other_city_official)) == []
    assert list(Pilot.objects.visible_to(staff)) == [pilot]


# --- Progress reports -----------------------------------------------------------------------------

@pytest.fixture
def daily(regions, province_official):
    template = progress_template_create(
        region=regions["13"], code="daily", name="每日进展", actor=province_official,
        fields=[{"code": "places_added", "label": "新增托位"}, {"code": "pilots_completed", "label": "完成试点"},
                {"code": "note", "label": "备注", "kind": "text", "required": False}])
    return template


def _at(day, hour=18):
    from django.utils import timezone

    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def test_reporting_rates_respect_when_a_region_was_expected(daily, regions, province_official, county_official,
                                                             other_county_official):
    reporting_assign(template=daily, region_codes=["130102"], starts_on=datetime.date(2022, 6, 1),
                     actor=province_official)
    reporting_assign(template=daily, region_codes=["130104"], starts_on=datetime.date(2022, 6, 21),
                     actor=province_official)
    for day in (1, 2, 3):
        progress_report_submit(template=daily, region=regions["130102"], date=datetime.date(2022, 6, day),
                               values={"places_added": 5, "pilots_completed": 0}, actor=county_official,
                               submitted_at=_at(datetime.date(2022, 6, day)))
    late = progress_report_submit(template=daily, region=regions["130104"], date=datetime.date(2022, 6, 21),
                                  values={"places_added": 1, "pilots_completed": 0}, actor=other_county_official,
                                  submitted_at=_at(datetime.date(2022, 6, 25)))
    assert late.on_time is False

    rates = reporting_rates(region_code="1301", group_length=6, start=datetime.date(2022, 6, 1),
                            end=datetime.date(2022, 6, 30), today=datetime.date(2022, 7, 10))
    assert rates["130102"] == {"expected": 30, "actual": 3, "on_time": 3}
    assert rates["130104"] == {"expected": 10, "actual": 1, "on_time": 0}  # expected only from 21 June
    city = reporting_rates(region_code="13", group_length=4, start=datetime.date(2022, 6, 1),
                           end=datetime.date(2022, 6, 30), today=datetime.date(2022, 6, 25))
    assert city["1301"] == {"expected": 25 + 5, "actual": 4, "on_time": 3}  # nothing expected after today
    # Many areas at once: each as asked alone, in two statements whatever their number.
    areas, june = {"13": 4, "1301": 6, "1305": 6, "14": 4}, (datetime.date(2022, 6, 1), datetime.date(2022, 6, 30))
    with CaptureQueriesContext(connection) as captured:
        grouped = reporting_rates_grouped(areas=areas, start=june[0], end=june[1], today=datetime.date(2022, 6, 25))
    assert len(captured.captured_queries) == 2
    assert grouped == {area: reporting_rates(region_code=area, group_length=length, start=june[0], end=june[1],
                                             today=datetime.date(2022, 6, 25)) for area, length in areas.items()}
    assert grouped["13"] == city and grouped["1301"]["130104"]["actual"] == 1


def test_next_day_submission_is_on_time_with_one_grace_day(daily, regions, province_official, county_official):
    report = progress_report_submit(template=daily, region=regions["130102"], date=datetime.date(2022, 6, 1),
                                    values={"places_added": 5, "pilots_completed": 0}, actor=county_official,
                                    submitted_at=_at(datetime.date(2022, 6, 2), hour=23))
    assert report.on_time is True


def test_report_values_are_checked_against_the_template(daily, regions, county_official):
    with pytest.raises(ValidationError) as excinfo:
        progress_report_submit(template=daily, region=regions["130102"], date=datetime.date(2022, 6, 1),
                               values={"places_added": "many", "pilots_completed": 0}, actor=county_official)
    assert "values" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        progress_report_submit(template=daily, region=regions["130102"], date=datetime.date(2022, 6, 1),
                               values={"places_added": 1}, actor=county_official)
    assert not ProgressReport.objects.exists()


def test_a_region_only_submits_its_own_report(daily, regions, city_official):
    with pytest.raises(PermissionDenied):
        progress_report_submit(template=daily, region=regions["130102"], date=datetime.date(2022, 6, 1),
                               values={"places_added": 1, "pilots_completed": 0}, actor=city_official)


def test_resubmission_corrects_values_and_keeps_timeliness(daily, regions, county_official):
    first = progress_report_submit(template=daily, region=regions["130102"], date=datetime.date(2022, 6, 1),
                                   values={"places_added": 1, "pilots_completed": 0}, actor=county_official,
                                   submitted_at=_at(datetime.date(2022, 6, 1)))
    second = progress_report_submit(template=daily, region=regions["130102"], date=datetime.date(2022, 6, 1),
                                    values={"places_added": 2, "pilots_completed": 0}, actor=county_official,
                                    submitted_at=_at(datetime.date(2022, 6, 9)))
    assert second.pk == first.pk and second.values["places_added"] == 2 and second.on_time is True


def test_period_counts_per_frequency():
    assert period_dates("daily", datetime.date(2022, 6, 1), datetime.date(2022, 6, 30)) == 30
    assert period_dates("weekly", datetime.date(2022, 6, 1), datetime.date(2022, 6, 30)) == 4  # Mondays 6–27
    assert period_dates("monthly", datetime.date(2022, 1, 1), datetime.date(2022, 6, 30)) == 6
    assert period_dates("monthly", datetime.date(2022, 1, 2), datetime.date(2022, 6, 30)) == 5


def test_templates_are_listed_per_province(wst821, staff):
    assert ScorecardTemplate.objects.visible_to(staff).filter(pk=wst821.pk).exists()
