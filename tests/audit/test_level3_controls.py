"""Level-3 (等级保护) controls the portal holds itself: password rules, the audit log kept and not deletable
by the application, administrators' actions audited. Lockout and idle timeouts are tested in
tests/accounts (test_totp.py, test_api_and_scoping.py)."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEntry
from audit.services import audit_record
from enrolments.models import ReportingPeriodSetting


@pytest.mark.parametrize("password", ["short1!", "1234567890123", "qwertyuiop"])
def test_weak_passwords_are_refused(password, staff):
    with pytest.raises(ValidationError):
        validate_password(password, user=staff)


def test_a_strong_password_is_accepted(staff):
    validate_password("Lan-zhou-river-42", user=staff)


def test_the_audit_log_is_kept_at_least_six_months():
    assert settings.AUDIT_RETENTION_MIN_DAYS >= 183


def test_the_application_cannot_delete_or_edit_audit_rows(db):
    entry = audit_record(actor=None, action="child.view", target_type="enrolments.child", target_id="1")
    with pytest.raises(RuntimeError):
        entry.delete()
    if connection.vendor == "postgresql":
        for statement in (lambda: AuditEntry.objects.filter(pk=entry.pk).delete(),
                          lambda: AuditEntry.objects.filter(pk=entry.pk).update(action="forged")):
            with pytest.raises(DatabaseError), transaction.atomic():
                statement()
    assert AuditEntry.objects.get(pk=entry.pk).action == "child.view"


def test_admin_site_writes_leave_audit_rows_without_the_objects_text(client, admin_user, regions):
    client.force_login(admin_user)
    response = client.post("/admin/enrolments/reportingperiodsetting/add/", {
        "province": "13", "period_days": 60, "first_period_starts": "2022-01-01", "grace_days": 15})
    assert response.status_code == 302, response.content.decode()[:2000]
    setting = ReportingPeriodSetting.objects.get()
    added = AuditEntry.objects.get(action="admin.add")
    assert (added.actor, added.target_type, added.target_id) == (admin_user, "enrolments.reportingperiodsetting",
                                                                 str(setting.pk))
    response = client.post(f"/admin/enrolments/reportingperiodsetting/{setting.pk}/change/", {
        "province": "13", "period_days": 30, "first_period_starts": "2022-01-01", "grace_days": 15})
    assert response.status_code == 302
    changed = AuditEntry.objects.get(action="admin.change")
    assert changed.after["fields"] and "30" not in str(changed.after)
    client.post(f"/admin/enrolments/reportingperiodsetting/{setting.pk}/delete/", {"post": "yes"})
    assert not ReportingPeriodSetting.objects.exists()
    assert AuditEntry.objects.filter(action="admin.delete", target_id=str(setting.pk)).count() == 1


def _holidays(n):
    import datetime

    from filings.models import Holiday

    return [Holiday.objects.create(date=datetime.date(2099, 1, 1 + i), name=f"测试假日{i}") for i in range(n)]


@pytest.mark.parametrize("selected", [1, 3])
def test_admin_bulk_delete_leaves_one_audit_row_per_deleted_object(client, admin_user, selected):
    from filings.models import Holiday

    client.force_login(admin_user)
    rows = _holidays(selected)
    ids = [str(h.pk) for h in rows]
    confirm = client.post("/admin/filings/holiday/", {"action": "delete_selected", "_selected_action": ids})
    assert confirm.status_code == 200 and not AuditEntry.objects.filter(action="admin.delete").exists()
    done = client.post("/admin/filings/holiday/", {"action": "delete_selected", "_selected_action": ids,
                                                   "post": "yes"})
    assert done.status_code == 302 and not Holiday.objects.filter(pk__in=ids).exists()
    entries = AuditEntry.objects.filter(action="admin.delete", target_type="filings.holiday")
    assert sorted(e.target_id for e in entries) == sorted(ids)
    assert all(e.actor == admin_user and "测试假日" not in str(e.after) for e in entries)


@pytest.mark.parametrize("path", ["/admin/accounts/user/", "/admin/institutions/staffmember/",
                                  "/admin/enrolments/importjob/"])
def test_personal_data_is_not_deleted_in_the_admin(client, admin_user, staff, path):
    """Accounts are switched off, staff members leave, import records are cleared by the retention pass:
    each through its service, so the admin offers no delete."""
    from django.apps import apps

    from enrolments.models import ImportJob
    from tests.factories import StaffMemberFactory

    StaffMemberFactory(institution=staff.institution)
    ImportJob.objects.create(institution=staff.institution, created_by=staff, filename="名单.csv")
    model = apps.get_model(*path.strip("/").split("/")[1:3])
    obj = (model.objects.exclude(pk=admin_user.pk) if model is type(admin_user) else model.objects).first()
    before = model.objects.count()
    client.force_login(admin_user)
    listing = client.get(path)
    assert listing.status_code == 200 and 'value="delete_selected"' not in listing.content.decode()
    assert client.get(f"{path}{obj.pk}/delete/").status_code == 403
    client.post(f"{path}{obj.pk}/delete/", {"post": "yes"})
    client.post(path, {"action": "delete_selected", "_selected_action": [str(obj.pk)], "post": "yes"})
    assert model.objects.count() == before
    assert not AuditEntry.objects.filter(action="admin.delete").exists()


def test_the_admin_switches_an_account_off_only_through_the_service(client, admin_user, staff):
    """The change form shows `is_active` but does not take it (ticking it would leave sessions and tokens
    alive); the list's action goes through account_set_active: inactive, a new session stamp, audited."""
    client.force_login(admin_user)
    form = client.get(f"/admin/accounts/user/{staff.pk}/change/").content.decode()
    assert 'name="is_active"' not in form
    stamp = staff.session_stamp
    client.post("/admin/accounts/user/", {"action": "deactivate", "_selected_action": [str(staff.pk)]})
    staff.refresh_from_db()
    assert not staff.is_active and staff.session_stamp != stamp
    assert AuditEntry.objects.filter(action="account.deactivated", target_id=str(staff.pk)).count() == 1
    client.post("/admin/accounts/user/", {"action": "reactivate", "_selected_action": [str(staff.pk)]})
    staff.refresh_from_db()
    assert staff.is_active
