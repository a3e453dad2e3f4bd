import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.policies import OutsideArea
from audit.models import AuditEntry
from filings.models import Notification
from portal.exceptions import Conflict
from tests.factories import InstitutionFactory
from yearend import selectors, services
from yearend.models import YearEndReport

from .conftest import complete_values

pytestmark = pytest.mark.django_db


def test_obligation_is_due_31_january_of_the_next_year(obligation):
    assert obligation.due_on == datetime.date(obligation.year + 1, 1, 31)
    assert obligation.template.is_working_definition
    assert obligation.template.fields.count() >= 15


def test_staff_draft_then_submit_on_time_and_county_accepts(obligation, institution, staff, county_official):
    report = services.yearend_report_save_draft(institution=institution, obligation=obligation,
                                                values={"children_served": "40"}, actor=staff)
    assert report.status == YearEndReport.Status.DRAFT and report.values == {"children_served": 40}
    report = services.yearend_report_save_draft(institution=institution, obligation=obligation,
                                                values=complete_values(), actor=staff)
    report = services.yearend_report_submit(report=report, actor=staff)
    assert report.status == YearEndReport.Status.SUBMITTED and report.on_time is True
    report = services.yearend_report_accept(report=report, actor=county_official)
    assert report.status == YearEndReport.Status.ACCEPTED and report.decided_by == county_official
    with pytest.raises(Conflict):
        services.yearend_report_accept(report=report, actor=county_official)
    actions = set(AuditEntry.objects.filter(target_id=str(report.pk)).values_list("action", flat=True))
    assert {"yearend_report.draft", "yearend_report.submit", "yearend_report.accept"} <= actions


def test_submission_names_the_missing_required_fields(obligation, institution, staff):
    report = services.yearend_report_save_draft(institution=institution, obligation=obligation,
                                                values={"children_served": 4}, actor=staff)
    with pytest.raises(ValidationError) as exc:
        services.yearend_report_submit(report=report, actor=staff)
    assert any("年末托位数" in m for m in exc.value.messages)
    report.refresh_from_db()
    assert report.status == YearEndReport.Status.DRAFT


def test_a_negative_number_is_refused(obligation, institution, staff):
    with pytest.raises(ValidationError) as exc:
        services.yearend_report_save_draft(institution=institution, obligation=obligation,
                                           values={"places": "-3"}, actor=staff)
    assert "values" in exc.value.message_dict


def test_return_notifies_staff_and_a_late_resubmission_keeps_first_timeliness(obligation, institution, staff,
                                                                              county_official):
    report = services.yearend_report_save_draft(institution=institution, obligation=obligation,
                                                values=complete_values(), actor=staff)
    report = services.yearend_report_submit(report=report, actor=staff)
    with pytest.raises(ValidationError):
        services.yearend_report_return(report=report, comment=" ", actor=county_official)
    report = services.yearend_report_return(report=report, comment="托位数有误", actor=county_official)
    assert report.status == YearEndReport.Status.RETURNED
    note = Notification.objects.get(user=staff, event=Notification.Event.YEAREND_RETURNED)
    assert "托位数有误" in note.message
    # Corrected after the deadline: still on time, as first sent before it.
    YearEndReport.objects.filter(pk=report.pk).update(
        first_submitted_at=timezone.now() - datetime.timedelta(days=1))
    obligation.__class__.objects.filter(pk=obligation.pk).update(due_on=timezone.localdate().replace(
        year=obligation.year + 1))
    report.refresh_from_db()
    report = services.yearend_report_submit(report=report, values=complete_values(places=25), actor=staff)
    assert report.status == YearEndReport.Status.SUBMITTED and report.on_time is True
    assert report.values["places"] == 25


def test_only_the_institutions_county_decides(obligation, institution, staff, other_county_official,
                                              township_official, other_staff):
    report = services.yearend_report_save_draft(institution=institution, obligation=obligation,
                                                values=complete_values(), actor=staff)
    report = services.yearend_report_submit(report=report, actor=staff)
    with pytest.raises(OutsideArea):
        services.yearend_report_accept(report=report, actor=other_county_official)
    with pytest.raises(PermissionDenied):
        services.yearend_report_accept(report=report, actor=township_official)
    with pytest.raises(OutsideArea):
        services.yearend_report_save_draft(institution=institution, obligation=obligation, values={},
                                           actor=other_staff)


def test_an_institution_filed_after_31_december_owes_no_report(obligation, regions, staff):
    late = InstitutionFactory(region_id="130102", filed_on=datetime.date(obligation.year + 1, 1, 2))
    cancelled = InstitutionFactory(region_id="130102", status="cancelled", filed_on=datetime.date(2020, 1, 1),
                                   cancelled_on=datetime.date(obligation.year, 6, 30))
    assert not services.owes_report(late, obligation)
    assert not services.owes_report(cancelled, obligation)
    staff.institution = late
    staff.save()
    with pytest.raises(ValidationError):
        services.yearend_report_save_draft(institution=late, obligation=obligation, values={}, actor=staff)


def test_rates_per_city_in_one_query(obligation, institution, other_institution, staff, other_staff,
                                     django_assert_num_queries):
    InstitutionFactory(region_id="130104")  # owes, has not reported
    report = services.yearend_report_save_draft(institution=institution, obligation=obligation,
                                                values=complete_values(), actor=staff)
    services.yearend_report_submit(report=report, actor=staff)
    services.yearend_report_save_draft(institution=other_institution, obligation=obligation, values={},
                                       actor=other_staff)
    with django_assert_num_queries(1):
        rates = selectors.reporting_rates(year=obligation.year, area="13", group_length=4)
    assert (rates["1301"].due, rates["1301"].submitted, rates["1301"].on_time) == (2, 1, 1)
    assert (rates["1305"].due, rates["1305"].submitted, rates["1305"].drafts) == (1, 0, 1)
    figures = selectors.pack_figures(year=obligation.year, city_codes=["1301", "1305"])
    assert figures["1301"][0]["numerator"] == 1 and figures["1301"][0]["denominator"] == 2


def test_half_yearly_progress_reports_have_two_periods_a_year():
    from pilots.models import ProgressReportTemplate
    from pilots.reporting import period_dates, period_end, period_start

    half = ProgressReportTemplate.Frequency.HALF_YEARLY
    assert period_dates(half, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)) == 2
    assert period_dates(half, datetime.date(2025, 2, 1), datetime.date(2026, 7, 1)) == 3
    assert period_start(half, datetime.date(2025, 9, 3)) == datetime.date(2025, 7, 1)
    assert period_end(half, datetime.date(2025, 1, 1)) == datetime.date(2025, 6, 30)
