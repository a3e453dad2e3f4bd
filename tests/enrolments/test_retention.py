"""Children's personal data is erased a set time after they left; every figure stays the same."""

import datetime

import pytest
from django.conf import settings
from django.db import connection, transaction

from audit.models import AuditEntry
from enrolments import retention, services
from enrolments.models import Child, Enrolment, Guardian
from metrics.compute import snapshot_compute
from metrics.models import RegionSnapshot


def _figures(date):
    snapshot = snapshot_compute(date=date)
    rows = RegionSnapshot.objects.filter(snapshot=snapshot).order_by("region_id").values()
    return [{k: v for k, v in row.items() if k not in ("id", "snapshot_id")} for row in rows]


@pytest.fixture
def left_and_staying(register, younger_class, staff, today):
    """李小明 attended one day (left tomorrow); 王小红 is still enrolled; 张小刚 was recorded, never enrolled."""
    left = register("李小明", 20)
    enrolment = services.enrolment_create(child=left, klass=younger_class, care_form="full_day", start_date=today,
                                          actor=staff)
    services.enrolment_end(enrolment=enrolment, end_date=today + datetime.timedelta(days=1), reason="moved_away",
                           note="搬到北京 李小明外婆家", actor=staff)
    staying = register("王小红", 22, sex="female")
    services.enrolment_create(child=staying, klass=younger_class, care_form="full_day", start_date=today,
                              actor=staff)
    never = register("张小刚", 21)
    return left, staying, never


def _after_retention(today):
    return today + datetime.timedelta(days=settings.CHILD_DATA_RETENTION_DAYS + 5)


def test_default_retention_is_three_years():
    assert settings.CHILD_DATA_RETENTION_DAYS == 3 * 365


def test_nothing_is_erased_before_the_retention_period_ends(left_and_staying, today):
    near = today + datetime.timedelta(days=settings.CHILD_DATA_RETENTION_DAYS - 1)
    assert retention.retention_run(today=near)["erased"] == 0
    assert not Child.objects.filter(erased_at__isnull=False).exists()


def test_erasure_blanks_personal_data_keeps_enrolments_and_logs_without_the_data(left_and_staying, today, staff):
    left, staying, never = left_and_staying
    number = left.document_number()
    result = retention.retention_run(today=_after_retention(today))
    assert result["erased"] == 2
    left.refresh_from_db()
    assert (left.name, left.document_encrypted, left.document_masked, left.consent_guardian_name) == ("", "", "", "")
    assert left.document_hash == f"erased:{left.pk}" and left.erased_at is not None
    assert left.date_of_birth.day == 1  # the month is kept, the day is not
    assert left.consent_method == "written"  # proof the record was kept with consent
    assert not Guardian.objects.filter(child=left).exists()
    assert Enrolment.objects.filter(child=left).count() == 1
    assert Enrolment.objects.get(child=left).leaving_note == ""
    staying.refresh_from_db()
    assert staying.name == "王小红" and staying.erased_at is None and staying.guardians.count() == 1
    erase_rows = AuditEntry.objects.filter(action="child.erase")
    assert sorted(int(e.target_id) for e in erase_rows) == sorted([left.pk, never.pk])
    # No audit row, earlier or new, holds the erased child's name, number or mask.
    for entry in AuditEntry.objects.all():
        text = f"{entry.before} {entry.after} {entry.target_id}"
        assert "李小明" not in text and number not in text and number[-4:] + '"' not in text, entry.action
    assert retention.retention_run(today=_after_retention(today))["erased"] == 0  # a repeat changes nothing


def test_the_figures_are_identical_before_and_after_erasure(left_and_staying, today, institution):
    from enrolments.services import report_figures

    before = _figures(today)
    report_before = report_figures(institution, today)
    county = next(r for r in before if r["region_id"] == "130102")
    assert county["enrolled"] == 2  # both children were in care that day
    retention.retention_run(today=_after_retention(today))
    assert _figures(today) == before
    assert report_figures(institution, today) == report_before


def test_the_retention_pass_never_touches_the_audit_log(left_and_staying, today):
    with connection.cursor() as cursor:  # an entry written seven months ago (auto_now_add cannot be set)
        cursor.execute("INSERT INTO audit_auditentry (at, actor_label, action, target_type, target_id, region_code, "
                       "after) VALUES (now() - interval '210 days', 'system', 'child.view', 'enrolments.child', "
                       "%s, '130102001', NULL)", [str(left_and_staying[0].pk)])
    before = list(AuditEntry.objects.order_by("pk").values())
    retention.retention_run(today=_after_retention(today))
    after = list(AuditEntry.objects.order_by("pk").values())
    assert after[:len(before)] == before
    assert {e["action"] for e in after[len(before):]} == {"child.erase"}


def test_the_erased_childs_page_says_so(client, staff, left_and_staying, today):
    left = left_and_staying[0]
    retention.retention_run(today=_after_retention(today))
    client.force_login(staff)
    page = client.get(f"/enrolments/children/{left.pk}/").content.decode()
    assert 'data-testid="erased"' in page and "李小明" not in page


def test_the_beat_entry_queues_the_pass_through_the_outbox(db):
    from django_celery_beat.models import PeriodicTask

    from enrolments.tasks import child_data_retention
    from portal.models import TaskOutbox

    entry = PeriodicTask.objects.get(task="enrolments.child_data_retention")
    assert entry.enabled and entry.crontab.hour == "3"
    with transaction.atomic():
        child_data_retention.apply()
    assert TaskOutbox.objects.filter(task_name="enrolments.child_data_retention_run").exists()


def test_the_run_task_erases_what_is_due(left_and_staying, settings):
    from enrolments.tasks import child_data_retention_run

    settings.CHILD_DATA_RETENTION_DAYS = -2  # the cutoff is the day after tomorrow: the child who left is due
    assert child_data_retention_run()["erased"] == 2
    assert Child.objects.filter(erased_at__isnull=True).get().name == "王小红"
