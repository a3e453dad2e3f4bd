"""Every download of children's data: its purpose asked, logged with the row count, rate-limited,
watermarked; a bulk download needs a second person's approval and is downloaded once."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEntry
from enrolments import exporting
from enrolments.models import ExportApproval, ExportLog
from tests.factories import UserFactory


@pytest.fixture
def colleague(institution):
    return UserFactory(username="staff_a2", institution=institution)


def _lines(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_a_download_is_logged_with_purpose_and_rows_and_watermarked(client, staff, enrolled):
    client.force_login(staff)
    response = client.post(reverse("enrolments:export"), {"purpose": "年度核对花名册", "format": "csv"})
    assert response.status_code == 200
    lines = _lines(response.content)
    assert "staff_a" in lines[0][0] and "年度核对花名册" in lines[0][0] and "Rows: 1" in lines[0][0]
    assert lines[1][0] == "姓名" and lines[2][0] == "李小明"
    log = ExportLog.objects.get()
    assert (log.user, log.purpose, log.rows, log.format) == (staff, "年度核对花名册", 1, "csv")
    entry = AuditEntry.objects.get(action="child.export")
    assert entry.after == {"format": "csv", "purpose": "年度核对花名册", "rows": 1, "approval": None}


def test_the_xlsx_carries_the_watermark_in_its_first_row(staff, enrolled):
    content, rows = exporting.export_download(institution=staff.institution, fmt="xlsx", purpose="年度核对",
                                              actor=staff)
    sheet = load_workbook(io.BytesIO(content)).active
    assert "staff_a" in sheet.cell(1, 1).value and sheet.cell(2, 1).value == "姓名" and rows == 1


def test_a_download_without_a_purpose_is_refused_and_not_logged(client, staff, enrolled):
    client.force_login(staff)
    response = client.post(reverse("enrolments:export"), {"purpose": "", "format": "csv"})
    assert response.status_code == 400 and not ExportLog.objects.exists()
    with pytest.raises(ValidationError):
        exporting.export_download(institution=staff.institution, fmt="csv", purpose="x", actor=staff)


def test_downloads_are_rate_limited_per_user(staff, colleague, enrolled, settings):
    settings.PERSONAL_DATA_EXPORTS_PER_HOUR = 2
    for _ in range(2):
        exporting.export_download(institution=staff.institution, fmt="csv", purpose="年度核对", actor=staff)
    with pytest.raises(ValidationError, match="last hour"):
        exporting.export_download(institution=staff.institution, fmt="csv", purpose="年度核对", actor=staff)
    assert ExportLog.objects.count() == 2
    exporting.export_download(institution=staff.institution, fmt="csv", purpose="年度核对", actor=colleague)


def test_officials_and_other_institutions_cannot_download(staff, other_staff, county_official, enrolled):
    for who in (other_staff, county_official):
        with pytest.raises(PermissionDenied):
            exporting.export_download(institution=staff.institution, fmt="csv", purpose="年度核对", actor=who)


def test_a_bulk_export_needs_a_second_persons_approval_then_downloads_once(client, staff, colleague, enrolled,
                                                                          settings):
    settings.CHILD_EXPORT_APPROVAL_ROWS = 0
    client.force_login(staff)
    response = client.post(reverse("enrolments:export"), {"purpose": "转园材料", "format": "csv"})
    assert response.status_code == 302 and not ExportLog.objects.exists()
    approval = ExportApproval.objects.get()
    assert (approval.status, approval.requested_by, approval.rows) == ("pending", staff, 1)
    # The requester cannot approve it, nor download it before approval.
    assert client.post(reverse("enrolments:export_decide", args=[approval.pk]), {"approve": "1"}).status_code == 403
    client.post(reverse("enrolments:export_fetch", args=[approval.pk]))
    assert not ExportLog.objects.exists()
    # A colleague approves it.
    client.force_login(colleague)
    page = client.get(reverse("enrolments:export")).content.decode()
    assert f'data-testid="approval-{approval.pk}"' in page
    assert client.post(reverse("enrolments:export_decide", args=[approval.pk]), {"approve": "1"}).status_code == 302
    approval.refresh_from_db()
    assert (approval.status, approval.decided_by) == ("approved", colleague)
    # Only the requester downloads it, once.
    assert client.post(reverse("enrolments:export_fetch", args=[approval.pk])).status_code == 403
    client.force_login(staff)
    first = client.post(reverse("enrolments:export_fetch", args=[approval.pk]))
    assert first.status_code == 200 and "转园材料" in _lines(first.content)[0][0]
    second = client.post(reverse("enrolments:export_fetch", args=[approval.pk]))
    assert second.status_code == 302
    assert ExportLog.objects.get().approval == approval
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="child_export").order_by("pk")] == [
        "child_export.request", "child_export.approve"]


def test_the_database_refuses_an_approval_by_the_requester(staff, enrolled):
    from django.db import IntegrityError, transaction

    approval = exporting.export_approval_request(institution=staff.institution, fmt="csv", purpose="年度核对",
                                                 actor=staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportApproval.objects.filter(pk=approval.pk).update(decided_by=staff, status="approved")


def test_a_refused_bulk_export_cannot_be_downloaded(staff, colleague, enrolled):
    approval = exporting.export_approval_request(institution=staff.institution, fmt="csv", purpose="年度核对",
                                                 actor=staff)
    exporting.export_approval_decide(approval=approval, approve=False, actor=colleague)
    with pytest.raises(ValidationError):
        exporting.export_approved_download(approval=approval, actor=staff)
    with pytest.raises(ValidationError):  # decided already
        exporting.export_approval_decide(approval=approval, approve=True, actor=colleague)
