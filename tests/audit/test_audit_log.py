import pytest
from django.db import DatabaseError, transaction

from audit.models import AuditEntry
from audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_entry_records_target_region_and_institution(institution, staff):
    entry = audit_record(actor=staff, action="institution.update", target=institution,
                         before={"name": "a"}, after={"name": "b"})
    assert (entry.target_type, entry.target_id) == ("institutions.institution", str(institution.pk))
    assert entry.region_code == "130102001"
    assert entry.institution_id == institution.pk
    assert entry.actor_label == staff.username


def test_application_cannot_edit_or_delete_an_entry(institution, staff):
    entry = audit_record(actor=staff, action="x", target=institution)
    entry.action = "y"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_database_refuses_update_and_delete(require_postgresql, institution, staff):
    audit_record(actor=staff, action="x", target=institution)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.update(action="tampered")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(action="x").count() == 1


def test_scoped_reading(institution, other_institution, staff, county_official, other_city_official):
    audit_record(actor=staff, action="a", target=institution)
    audit_record(actor=staff, action="b", target=other_institution)
    assert list(AuditEntry.objects.visible_to(staff).values_list("action", flat=True)) == ["a"]
    assert list(AuditEntry.objects.visible_to(county_official).values_list("action", flat=True)) == ["a"]
    assert list(AuditEntry.objects.visible_to(other_city_official).values_list("action", flat=True)) == ["b"]


def test_admin_offers_no_way_to_change_the_log(client, admin_user, institution, staff):
    entry = audit_record(actor=staff, action="a", target=institution)
    client.force_login(admin_user)
    assert client.get("/admin/audit/auditentry/").status_code == 200
    assert client.get(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403


def test_refused_access_by_a_signed_in_user_is_logged(client, api_client, institution, other_staff):
    client.force_login(other_staff)
    api_client.force_authenticate(other_staff)
    api_client.get(f"/api/v1/institutions/{institution.pk}/")
    client.get("/admin/")  # not staff: redirected, not a refusal: not logged
    denied = AuditEntry.objects.filter(action="access.denied")
    assert [e.after["path"] for e in denied] == [f"/api/v1/institutions/{institution.pk}/"]
    assert denied.get().actor == other_staff
    assert denied.get().after["status"] == 404
