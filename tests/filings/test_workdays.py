import datetime

from filings.models import Holiday
from filings.workdays import add_working_days, decision_due_on

# 2026-03-02 is a Monday.
MONDAY = datetime.date(2026, 3, 2)
FRIDAY = datetime.date(2026, 3, 6)


def test_five_working_days_from_monday_is_next_monday(db):
    assert add_working_days(MONDAY, 5) == datetime.date(2026, 3, 9)


def test_weekends_do_not_count(db):
    assert add_working_days(FRIDAY, 1) == datetime.date(2026, 3, 9)
    assert decision_due_on(FRIDAY) == datetime.date(2026, 3, 13)


def test_a_saturday_submission_is_due_the_friday_after(db):
    assert add_working_days(datetime.date(2026, 3, 7), 5) == datetime.date(2026, 3, 13)


def test_a_holiday_on_a_weekday_pushes_the_deadline(db):
    Holiday.objects.create(date=datetime.date(2026, 3, 4), name="测试假日")
    assert add_working_days(MONDAY, 5) == datetime.date(2026, 3, 10)


def test_golden_week_holidays_are_skipped(db):
    for day in range(1, 8):
        Holiday.objects.create(date=datetime.date(2026, 10, day), name="国庆节")
    # Wednesday 30 September: 1 working day left in September, then 8–9 October and on.
    assert add_working_days(datetime.date(2026, 9, 29), 5) == datetime.date(2026, 10, 13)


def test_a_weekend_day_worked_instead_counts(db):
    """调休: a Sunday worked before a holiday week is a working day; the days off are not."""
    Holiday.objects.create(date=datetime.date(2026, 9, 27), name="国庆节调休上班",
                           kind=Holiday.Kind.WORKING_WEEKEND)
    for day in range(1, 8):
        Holiday.objects.create(date=datetime.date(2026, 10, day), name="国庆节")
    # Friday 25 September: Sunday 27, Monday 28, Tuesday 29, Wednesday 30 September, then Thursday 8 October.
    assert add_working_days(datetime.date(2026, 9, 25), 5) == datetime.date(2026, 10, 8)


def test_a_weekday_marked_worked_changes_nothing(db):
    Holiday.objects.create(date=datetime.date(2026, 3, 4), name="普通工作日", kind=Holiday.Kind.WORKING_WEEKEND)
    assert add_working_days(MONDAY, 5) == datetime.date(2026, 3, 9)
