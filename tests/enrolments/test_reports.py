import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from enrolments import selectors, services
from enrolments.models import EnrolmentReport, ReportingPeriodSetting
from institutions.models import Institution
from tests.factories import InstitutionFactory, StaffMemberFactory, UserFactory

D = datetime.timedelta


@pytest.fixture
def period(regions, today):
    # Periods of 90 days; the last ended period is [today-110, today-21], due 15 days later (today-6).
    ReportingPeriodSetting.objects.create(province_id="13", period_days=90, first_period_starts=today - D(200),
                                          grace_days=15)
    setting = services.reporting_setting("130102")
    start, end = services.recent_periods(setting, today, 1)[0]
    assert (start, end) == (today - D(110), today - D(21))
    return start, end


def _inst(name, region="130102001", filed=None, cancelled=None):
    status = Institution.Status.CANCELLED if cancelled else Institution.Status.FILED
    return InstitutionFactory(name=name, region_id=region, filed_on=filed, cancelled_on=cancelled, status=status)


def _report(inst, start, *, submitted_on):
    staff = UserFactory(institution=inst)
    r = services.report_prepare(institution=inst, period_start=start, actor=staff)
    services.report_confirm(report=r, actor=staff)
    return services.report_submit(report=r, actor=staff, today=submitted_on)


def test_expected_actual_on_time_respect_filing_and_cancellation_dates(period, today):
    start, end = period
    due = end + D(15)
    on_time = _inst("按时", filed=start - D(30))
    late = _inst("迟报", filed=start - D(30))
    _inst("期后备案", filed=end + D(1))                       # filed after the period: not expected
    _inst("期前注销", filed=start - D(300), cancelled=start - D(1))  # cancelled before: not expected
    _inst("期初注销", filed=start - D(300), cancelled=start)         # cancelled on the first day: not active in it
    missing = _inst("期中注销", filed=start - D(300), cancelled=start + D(10))  # expected, never reports
    last_day = _inst("末日备案", filed=end)                    # filed on the last day: expected
    elsewhere = _inst("桥西", region="130104001", filed=start - D(30))
    _report(on_time, start, submitted_on=due)
    _report(late, start, submitted_on=due + D(1))
    _report(elsewhere, start, submitted_on=end + D(1))

    rows = {r.code: r for r in selectors.report_completeness("1301", start, end)}
    changan, qiaoxi = rows["130102"], rows["130104"]
    assert (changan.expected, changan.actual, changan.on_time) == (4, 2, 1)
    assert (qiaoxi.expected, qiaoxi.actual, qiaoxi.on_time) == (1, 1, 1)
    assert changan.reporting_rate == 50

    states = {inst.name: state for inst, _r, state in
              selectors.report_status_list("130102", start, end, due, today)}
    assert states["按时"] == "on_time" and states["迟报"] == "submitted_late"
    assert states["期中注销"] == "late" and states["末日备案"] == "late"
    assert states["期后备案"] == "not_yet_filed"
    assert states["期前注销"] == "cancelled" and states["期初注销"] == "cancelled"
    assert missing and last_day


def test_report_figures_come_from_the_records(period, register, older_class, staff, institution):
    start, end = period
    Institution.objects.filter(pk=institution.pk).update(filed_on=start - D(30))
    institution.refresh_from_db()
    child = register("李小明", 26 + 4)
    services.enrolment_create(child=child, klass=older_class, care_form="full_day", start_date=start + D(5),
                              actor=staff)
    StaffMemberFactory(institution=institution, started_on=start)
    r = services.report_prepare(institution=institution, period_start=start, actor=staff)
    assert (r.enrolled, r.places, r.staff) == (1, 3, 1)
    assert r.figures == {"older": {"full_day": 1}}
    assert r.due_on == end + D(15)


def test_report_workflow_is_guarded(period, staff, institution):
    start, _end = period
    r = services.report_prepare(institution=institution, period_start=start, actor=staff)
    with pytest.raises(ValidationError):
        services.report_submit(report=r, actor=staff)  # not confirmed yet
    services.report_confirm(report=r, actor=staff)
    services.report_submit(report=r, actor=staff)
    with pytest.raises(ValidationError):
        services.report_submit(report=r, actor=staff)
    with pytest.raises(ValidationError, match="already submitted"):
        services.report_prepare(institution=institution, period_start=start, actor=staff)
    assert EnrolmentReport.objects.get().status == "submitted"


def test_no_report_for_a_period_not_ended_or_not_filed(period, staff, institution, today):
    setting = services.reporting_setting("13")
    current, _ = services.period_containing(setting, today)
    with pytest.raises(ValidationError, match="not ended"):
        services.report_prepare(institution=institution, period_start=current, actor=staff)
    Institution.objects.filter(pk=institution.pk).update(filed_on=today - D(5))
    institution.refresh_from_db()
    with pytest.raises(ValidationError, match="not filed during"):
        services.report_prepare(institution=institution, period_start=period[0], actor=staff)


def test_default_period_is_ninety_days(regions, today):
    setting = services.reporting_setting("13")
    start, end = services.period_containing(setting, today)
    assert (end - start).days == 89 and start <= today <= end


def test_staff_report_page_prepare_confirm_submit(client, period, staff, institution):
    client.force_login(staff)
    assert client.get(reverse("enrolments:reports")).status_code == 200
    client.post(reverse("enrolments:report_action", args=["prepare"]), {"period_start": period[0].isoformat()})
    r = EnrolmentReport.objects.get()
    client.post(reverse("enrolments:report_action", args=["confirm"]), {"report": r.pk})
    client.post(reverse("enrolments:report_action", args=["submit"]), {"report": r.pk})
    assert EnrolmentReport.objects.get().status == "submitted"


def test_official_reporting_page_shows_the_area_counts(client, period, county_official, other_county_official,
                                                       institution):
    client.force_login(county_official)
    body = client.get(reverse("enrolments:reporting")).content.decode()
    assert institution.name in body
    client.force_login(other_county_official)
    assert institution.name not in client.get(reverse("enrolments:reporting")).content.decode()
