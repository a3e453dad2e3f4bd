import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry
from enrolments import services
from enrolments.models import CareForm, Enrolment, LeavingReason
from institutions.models import Institution
from tests.factories import InstitutionClassFactory, UserFactory

from .helpers import born_months_ago, resident_id


def enrol(child, klass, staff, *, start, care=CareForm.FULL_DAY, end=None):
    return services.enrolment_create(child=child, klass=klass, care_form=care, start_date=start, end_date=end,
                                     actor=staff)


def test_child_of_matching_age_is_enrolled_with_an_audit_row(register, older_class, staff, today):
    child = register("李小明", 26)
    e = enrol(child, older_class, staff, start=today)
    assert e.is_active_on(today)
    assert AuditEntry.objects.filter(action="enrolment.create", target_id=str(e.pk)).exists()


def test_eight_month_old_in_older_toddler_class_is_refused_naming_child_and_rule(register, older_class, staff, today):
    child = register("王小红", 8)
    with pytest.raises(ValidationError) as exc:
        enrol(child, older_class, staff, start=today)
    message = " ".join(exc.value.messages)
    assert "王小红" in message and "8" in message and "24" in message


def test_child_under_six_months_is_not_enrolled_in_any_class(register, infant_class, staff, today):
    child = register("张小宝", 4)
    with pytest.raises(ValidationError, match="under 6 months"):
        enrol(child, infant_class, staff, start=today)


def test_child_of_three_is_not_enrolled(register, older_class, staff, today):
    child = register("张大宝", 37)
    with pytest.raises(ValidationError, match="3 years"):
        enrol(child, older_class, staff, start=today)


def test_mixed_class_takes_from_eighteen_months(register, institution, staff, today):
    mixed = InstitutionClassFactory(institution=institution, name="混合班", class_type="mixed", places=18, caregivers=4)
    enrol(register("甲", 20), mixed, staff, start=today)
    with pytest.raises(ValidationError, match="mixed|混合|18"):
        enrol(register("乙", 15), mixed, staff, start=today)


def test_class_never_holds_more_than_its_places(register, older_class, staff, today):
    for name in ("一", "二", "三"):
        enrol(register(name, 26), older_class, staff, start=today)
    with pytest.raises(ValidationError) as exc:
        enrol(register("四", 26), older_class, staff, start=today)
    assert "四" in exc.value.messages[0] and "3" in exc.value.messages[0]


def test_class_cap_counts_overlapping_future_dates(register, older_class, staff, today):
    # Two children now, one more from day 20; a newcomer from day 10 fits until day 20 only if
    # someone leaves: it must be refused because on day 20 the class would hold four.
    enrol(register("一", 26), older_class, staff, start=today)
    enrol(register("二", 26), older_class, staff, start=today)
    enrol(register("三", 26), older_class, staff, start=today + datetime.timedelta(days=20))
    with pytest.raises(ValidationError, match="places"):
        enrol(register("四", 26), older_class, staff, start=today + datetime.timedelta(days=10))
    # A stay that ends before day 20 fits.
    enrol(register("五", 26), older_class, staff, start=today + datetime.timedelta(days=10),
          end=today + datetime.timedelta(days=20))


def test_leaving_frees_the_place_on_the_leaving_day(register, older_class, staff, today):
    first = [enrol(register(n, 26), older_class, staff, start=today - datetime.timedelta(days=5)) for n in "甲乙丙"]
    services.enrolment_end(enrolment=first[0], end_date=today + datetime.timedelta(days=3),
                           reason=LeavingReason.MOVED_AWAY, actor=staff)
    enrol(register("丁", 26), older_class, staff, start=today + datetime.timedelta(days=3))
    with pytest.raises(ValidationError):
        enrol(register("戊", 26), older_class, staff, start=today + datetime.timedelta(days=2))


def test_one_full_day_enrolment_across_institutions_found_by_hash_without_naming_the_other(
        register, older_class, other_class, staff, other_staff, today):
    child = register("李小明", 26)
    enrol(child, older_class, staff, start=today - datetime.timedelta(days=10))
    twin = register("李小明", 26, actor=other_staff, number=child.document_number())
    with pytest.raises(ValidationError) as exc:
        enrol(twin, other_class, other_staff, start=today)
    message = " ".join(exc.value.messages)
    assert "full-day" in message and older_class.institution.name not in message
    # Half-day at the other institution is allowed.
    Institution.objects.filter(pk=other_class.institution_id).update(half_day=True)
    other_class.institution.refresh_from_db()
    enrol(twin, other_class, other_staff, start=today, care=CareForm.HALF_DAY)


def test_full_day_elsewhere_is_allowed_after_leaving(register, older_class, other_class, staff, other_staff, today):
    child = register("李小明", 26)
    e = enrol(child, older_class, staff, start=today - datetime.timedelta(days=10))
    services.enrolment_end(enrolment=e, end_date=today, reason=LeavingReason.MOVED_AWAY, actor=staff)
    twin = register("李小明", 26, actor=other_staff, number=child.document_number())
    enrol(twin, other_class, other_staff, start=today)


@pytest.mark.parametrize("status", [Institution.Status.DRAFT, Institution.Status.CANCELLED,
                                    Institution.Status.SUSPENDED])
def test_no_enrolment_in_an_institution_not_filed(register, older_class, staff, today, status):
    child = register("李小明", 26)
    Institution.objects.filter(pk=older_class.institution_id).update(
        status=status, cancelled_on=today - datetime.timedelta(days=1) if status == "cancelled" else None)
    with pytest.raises(ValidationError, match="not filed|cancelled"):
        enrol(child, older_class, staff, start=today)


def test_no_start_before_the_filing_date(register, older_class, staff, today):
    child = register("李小明", 26)
    with pytest.raises(ValidationError, match="filed only on"):
        enrol(child, older_class, staff, start=today - datetime.timedelta(days=200))


def test_leaving_date_must_be_after_start(register, older_class, staff, today):
    e = enrol(register("李小明", 26), older_class, staff, start=today)
    with pytest.raises(ValidationError, match="after the start"):
        services.enrolment_end(enrolment=e, end_date=today, reason=LeavingReason.OTHER, actor=staff)


def test_start_more_than_sixty_days_ahead_is_refused(register, older_class, staff, today):
    with pytest.raises(ValidationError, match="60 days"):
        enrol(register("李小明", 25), older_class, staff, start=today + datetime.timedelta(days=61))


def test_move_class_keeps_history(register, younger_class, institution, staff, today):
    older = InstitutionClassFactory(institution=institution, name="托大二班", class_type="older", places=20,
                                    caregivers=3)
    child = register("李小明", 24)
    first = enrol(child, younger_class, staff, start=today - datetime.timedelta(days=40))
    moved = services.enrolment_move_class(enrolment=first, klass=older, on=today, actor=staff)
    first.refresh_from_db()
    assert first.end_date == today and first.leaving_reason == LeavingReason.CLASS_CHANGE
    assert moved.previous_id == first.pk and moved.is_active_on(today)
    assert Enrolment.objects.filter(child=child).count() == 2
    with pytest.raises(ValidationError):
        services.enrolment_move_class(enrolment=first, klass=older, on=today, actor=staff)


def test_withdraw_twice_is_refused_and_nothing_is_deleted(register, older_class, staff, today):
    e = enrol(register("李小明", 26), older_class, staff, start=today - datetime.timedelta(days=3))
    services.enrolment_end(enrolment=e, end_date=today, reason=LeavingReason.FAMILY_CHOICE, actor=staff)
    with pytest.raises(ValidationError, match="already left"):
        services.enrolment_end(enrolment=e, end_date=today, reason=LeavingReason.FAMILY_CHOICE, actor=staff)
    assert Enrolment.objects.filter(pk=e.pk).exists()


def test_staff_of_another_institution_cannot_enrol_into_this_class(register, older_class, other_staff, today):
    child = register("李小明", 26)
    with pytest.raises(PermissionDenied, match="own staff"):
        enrol(child, older_class, other_staff, start=today)


def test_due_list_names_children_about_to_outgrow_their_class(register, younger_class, older_class, staff, today):
    soon = register("快满两岁", 23, number=resident_id(born_months_ago(23, extra_days=20)))
    later = register("刚一岁", 13)
    leaving = register("快满三岁", 35, number=resident_id(born_months_ago(35, extra_days=20)))
    enrol(soon, younger_class, staff, start=today - datetime.timedelta(days=30))
    enrol(later, younger_class, staff, start=today - datetime.timedelta(days=5))
    enrol(leaving, older_class, staff, start=today - datetime.timedelta(days=5))
    assert services.due_notices_refresh(on=today) == 2
    from enrolments.models import DueNotice

    kinds = {n.enrolment.child.name: n.kind for n in DueNotice.objects.select_related("enrolment__child")}
    assert kinds == {"快满两岁": "move", "快满三岁": "leave"}
    assert services.due_notices_refresh(on=today) == 2  # a repeat replaces, never duplicates


def test_daily_task_is_scheduled_in_beat(db):
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.filter(task="enrolments.tasks.due_notices_refresh_all", enabled=True).exists()


def test_admin_may_act_for_any_institution(register, older_class, today, db):
    admin = UserFactory(username="adm", role="admin")
    child = register("李小明", 26)
    enrol(child, older_class, admin, start=today)
