"""Control of every download of children's personal data (docs/privacy.md, "Exports").

Each download states its purpose, is logged (ExportLog and an audit row with purpose and row count), is
rate-limited per user, and carries a watermark line naming who downloaded it, when and why. A download
of more than CHILD_EXPORT_APPROVAL_ROWS rows needs a second person's approval first: the request is
approved by another member of the institution's staff or an administrator, then downloaded once.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require
from audit.services import audit_record
from portal.exceptions import Conflict

from . import exports
from .models import Enrolment, ExportApproval, ExportLog
from .services import ensure_record_keeper

FORMATS = ("csv", "xlsx")


class ApprovalNeeded(Conflict):
    """The export is larger than the threshold: ask for a second person's approval."""


def export_rows_count(institution) -> int:
    return Enrolment.objects.filter(institution=institution).count()


def _check_request(*, purpose: str, fmt: str) -> str:
    purpose = (purpose or "").strip()
    if len(purpose) < 4:
        raise ValidationError({"purpose": _("Say what the download is for (at least 4 characters).")})
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Choose CSV or XLSX.")})
    return purpose[:200]


def _check_rate(actor) -> None:
    since = timezone.now() - datetime.timedelta(hours=1)
    if ExportLog.objects.filter(user=actor, at__gte=since).count() >= settings.PERSONAL_DATA_EXPORTS_PER_HOUR:
        raise Conflict(_("You have downloaded personal data %(n)d times in the last hour; try again later.")
                       % {"n": settings.PERSONAL_DATA_EXPORTS_PER_HOUR})


def watermark(*, actor, at: datetime.datetime, purpose: str, rows: int) -> str:
    name = actor.get_full_name() or actor.get_username()
    return (f"导出人 Downloaded by: {name} ({actor.get_username()}) · 时间 At: "
            f"{timezone.localtime(at).isoformat(timespec='seconds')} · 用途 Purpose: {purpose} · 行数 Rows: {rows}")


def _produce(*, institution, fmt: str, purpose: str, actor, approval: ExportApproval | None) -> tuple[bytes, int]:
    enrolments = Enrolment.objects.filter(institution=institution)
    rows = enrolments.count()
    now = timezone.now()
    mark = watermark(actor=actor, at=now, purpose=purpose, rows=rows)
    content = exports.export_xlsx(enrolments, mark) if fmt == "xlsx" else exports.export_csv(enrolments, mark)
    ExportLog.objects.create(user=actor, institution=institution, format=fmt, purpose=purpose, rows=rows,
                             approval=approval)
    audit_record(actor=actor, action="child.export", target=institution,
                 after={"format": fmt, "purpose": purpose, "rows": rows,
                        "approval": approval.pk if approval else None})
    return content, rows


@transaction.atomic
def export_download(*, institution, fmt: str, purpose: str, actor) -> tuple[bytes, int]:
    """The institution's enrolment records as CSV or XLSX, watermarked. Raises ApprovalNeeded above the
    threshold, Conflict past the hourly limit. Side effects: an ExportLog row and an audit row. Each call is
    one more download (and counts against the limit)."""
    ensure_record_keeper(actor, institution.pk)
    purpose = _check_request(purpose=purpose, fmt=fmt)
    if export_rows_count(institution) > settings.CHILD_EXPORT_APPROVAL_ROWS:
        raise ApprovalNeeded(_("This download holds more than %(n)d children's records: ask a colleague to "
                               "approve it first.") % {"n": settings.CHILD_EXPORT_APPROVAL_ROWS})
    _check_rate(actor)
    return _produce(institution=institution, fmt=fmt, purpose=purpose, actor=actor, approval=None)


@transaction.atomic
def export_approval_request(*, institution, fmt: str, purpose: str, actor) -> ExportApproval:
    """Asks for a bulk export. Side effects: one audit row. Repeats make further requests."""
    ensure_record_keeper(actor, institution.pk)
    purpose = _check_request(purpose=purpose, fmt=fmt)
    approval = ExportApproval.objects.create(institution=institution, requested_by=actor, purpose=purpose,
                                             format=fmt, rows=export_rows_count(institution))
    audit_record(actor=actor, action="child_export.request", target=approval,
                 after={"format": fmt, "purpose": purpose, "rows": approval.rows})
    return approval


@transaction.atomic
def export_approval_decide(*, approval: ExportApproval, approve: bool, actor) -> ExportApproval:
    """A second person approves or refuses a bulk export: another member of the institution's staff, or an
    administrator — never the requester. Side effects: one audit row. A repeat is refused (decided)."""
    require(policies.approves_export(actor, approval), _("A bulk export is approved by a second person of the "
                                                         "institution, not by who asked for it."))
    status = ExportApproval.Status.APPROVED if approve else ExportApproval.Status.REFUSED
    claimed = ExportApproval.objects.filter(pk=approval.pk, status=ExportApproval.Status.PENDING).update(
        status=status, decided_by=actor, decided_at=timezone.now())
    if not claimed:
        raise Conflict(_("This request has been decided already."))
    approval.refresh_from_db()
    audit_record(actor=actor, action="child_export.approve" if approve else "child_export.refuse", target=approval)
    return approval


@transaction.atomic
def export_approved_download(*, approval: ExportApproval, actor) -> tuple[bytes, int]:
    """The requester downloads an approved bulk export, once. Side effects: an ExportLog row and an audit
    row. A second download is refused."""
    if approval.requested_by_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the person who asked for this export may download it."))
    ensure_record_keeper(actor, approval.institution_id)
    claimed = ExportApproval.objects.filter(pk=approval.pk, status=ExportApproval.Status.APPROVED).update(
        status=ExportApproval.Status.DOWNLOADED, downloaded_at=timezone.now())
    if not claimed:
        raise Conflict(_("This export is not approved, or has been downloaded already."))
    _check_rate(actor)
    return _produce(institution=approval.institution, fmt=approval.format, purpose=approval.purpose, actor=actor,
                    approval=approval)
