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
