"""A staff member's certificates with their numbers and dates: renewing one adds to the history instead of
typing over the expiry date, and the newest of each kind is the date the certificates-due flags read."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from institutions import services
from institutions.models import StaffCertificate, StaffMember
from institutions.staff_registry import certificates_due
from tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def member(institution):
    return StaffMemberFactory(institution=institution, name="王保育", health_certificate_expires_on=TODAY + 10 * DAY)


def _record(member, actor, number, issued_on, expires_on=None, kind="health"):
    return services.staff_certificate_record(member=member, kind=kind, number=number, issued_on=issued_on,
                                             expires_on=expires_on, actor=actor)


def test_a_renewed_health_certificate_keeps_the_old_one_and_sets_the_expiry(member, staff):
    old = _record(member, staff, "JK-2025-001", TODAY - 355 * DAY, TODAY + 10 * DAY)
    assert certificates_due(StaffMember.objects.filter(pk=member.pk)).exists()  # expires within 30 days
    new = _record(member, staff, "JK-2026-017", TODAY - DAY, TODAY + 364 * DAY)
    member.refresh_from_db()
    assert member.health_certificate_expires_on == TODAY + 364 * DAY
    assert not certificates_due(StaffMember.objects.filter(pk=member.pk)).exists()
    assert list(member.certificates.order_by("-issued_on")) == [new, old]
    entry = AuditEntry.objects.get(action="staff.certificate_record", target_id=str(new.pk))
    assert "JK-2026-017" not in str(entry.after)  # numbers stay out of the log, as for the staff record


def test_an_older_certificate_recorded_later_does_not_move_the_expiry_back(member, staff):
    _record(member, staff, "JK-2026-017", TODAY - DAY, TODAY + 364 * DAY)
    _record(member, staff, "JK-2024-003", TODAY - 700 * DAY, TODAY - 335 * DAY)  # history typed in afterwards
    member.refresh_from_db()
    assert member.health_certificate_expires_on == TODAY + 364 * DAY
    assert member.certificates.count() == 2


def test_a_qualification_may_have_no_end_and_sets_its_own_date(member, staff):
    _record(member, staff, "BY-440301", TODAY - 100 * DAY, None, kind="qualification")
    member.refresh_from_db()
    assert member.qualification_expires_on is None
    assert member.health_certificate_expires_on == TODAY + 10 * DAY  # the other kind is untouched


@pytest.mark.parametrize(("issued_on", "expires_on", "field"), [
    (TODAY, TODAY + 400 * DAY, "expires_on"),  # a health certificate is good for a year
    (TODAY, None, "expires_on"),
    (TODAY, TODAY - DAY, "__all__"),  # expires before it was issued
    (TODAY + DAY, TODAY + 300 * DAY, "issued_on"),  # not issued yet
])
def test_impossible_dates_are_refused_and_nothing_is_recorded(member, staff, issued_on, expires_on, field):
    with pytest.raises(ValidationError) as exc:
        _record(member, staff, "JK-X", issued_on, expires_on)
    assert field in exc.value.message_dict
    assert not StaffCertificate.objects.exists()


def test_the_same_number_twice_is_refused(member, staff):
    _record(member, staff, "JK-2026-017", TODAY - DAY, TODAY + 364 * DAY)
    with pytest.raises(ValidationError):
        _record(member, staff, "JK-2026-017", TODAY, TODAY + 365 * DAY)
    assert member.certificates.count() == 1


def test_other_institutions_staff_and_officials_cannot_record(member, other_staff, county_official):
    for actor in (other_staff, county_official):
        with pytest.raises(PermissionDenied):
            _record(member, actor, "JK-1", TODAY, TODAY + 300 * DAY)


def test_staff_record_and_read_the_history_on_the_page(client, member, staff, other_staff):
    url = reverse("institutions:staff_certificates", args=[member.pk])
    client.force_login(staff)
    assert f'href="{url}"' in client.get(reverse("institutions:mine")).content.decode()
    response = client.post(url, {"kind": "health", "number": "JK-2026-017", "issued_on": str(TODAY - DAY),
                                 "expires_on": str(TODAY + 364 * DAY)})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "JK-2026-017" in page and (TODAY + 364 * DAY).isoformat() in page
    refused = client.post(url, {"kind": "health", "number": "JK-2026-018", "issued_on": str(TODAY),
                                "expires_on": str(TODAY + 400 * DAY)})
    assert refused.status_code == 400 and 'data-testid="error-summary"' in refused.content.decode()
    assert member.certificates.count() == 1
    client.force_login(other_staff)
    assert client.get(url).status_code == 404


def test_the_certificates_page_reads_in_english_too(client, member, staff):
    client.force_login(staff)
    url = reverse("institutions:staff_certificates", args=[member.pk])
    assert "登记证书" in client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})  # the header's language switch
    english = client.get(url).content.decode()
    assert "Record a certificate" in english and "Certificate number" in english and "登记证书" not in english
