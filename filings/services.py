"""Every write of the filing workflow and of appointments.

Each function is one transaction with its audit row. Status changes are guarded conditional UPDATEs:
zero rows means someone else got there first, and the caller gets a clear `FilingStateError`
(the API answers 409) while nothing is written. Side effects (e-mail, metrics recompute) are
dispatched on commit, so a rolled-back decision sends nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import inspect
import logging
import re

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require
from audit.services import audit_record
from institutions import services as institution_services
from institutions.models import Institution, InstitutionClass

from .models import (
    AppointmentSlot,
    Booking,
    Document,
    Filing,
    FilingReturnComment,
    Notification,
    ReceiptCounter,
)
from .workdays import add_working_days, decision_due_on  # noqa: F401 — re-exported for callers

logger = logging.getLogger(__name__)

LEASE_MIN_YEARS = 3


class FilingStateError(ValidationError):
    """The filing (or slot) is not in a state that allows this action, e.g. another reviewer
    decided it a moment ago. Nothing was written. The API answers 409."""


# --- Who may do what (the rules themselves live in accounts.policies) ------------------------------

def _ensure_staff(actor, institution_id: int) -> None:
    require(policies.is_staff_of(actor, institution_id), _("Only the institution's own staff may do this."))


def _ensure_reviewer(actor, filing: Filing) -> None:
    require(policies.reviews(actor, filing.institution),
            _("Only officials of the institution's county health commission decide filings."))


def _state_error(filing_id: int, action: str) -> FilingStateError:
    status = Filing.objects.filter(pk=filing_id).values_list("status", flat=True).first()
    label = Filing.Status(status).label if status else "?"
    return FilingStateError(
        _("This filing is now “%(status)s”: it cannot be %(action)s. Reload the page to see its current state.")
        % {"status": label, "action": action}, code="state")


def _snapshot(filing: Filing) -> dict:
    return {"status": filing.status, "kind": filing.kind, "receipt_number": filing.receipt_number,
            "due_on": str(filing.due_on) if filing.due_on else None}


# --- Change payloads ------------------------------------------------------------------------------

CLASS_ACTIONS = ("add", "update", "close")


def _validate_particulars(institution: Institution, particulars: dict) -> dict:
    """Checks a change filing's particulars against the same rules as the registry itself."""
    if not isinstance(particulars, dict):
        raise ValidationError({"particulars": _("Particulars must be an object mapping fields to new values.")})
    unknown = sorted(set(particulars) - set(institution_services.CHANGEABLE_FIELDS))
    if unknown:
        raise ValidationError({"particulars": _("These fields cannot be changed by a change filing: %(fields)s")
                               % {"fields": ", ".join(unknown)}})
    if particulars:
        probe = Institution.objects.get(pk=institution.pk)
        for key, value in particulars.items():
            setattr(probe, key, value)
        try:
            probe.full_clean(validate_unique=False)
        except ValidationError as exc:
            raise ValidationError({"particulars": [f"{k}: {m}" for k, msgs in exc.message_dict.items()
                                                   for m in msgs]}) from exc
        # JSON-safe values (the price arrives as a Decimal from forms).
        particulars = {k: (str(v) if v is not None and not isinstance(v, bool | int | str) else v)
                       for k, v in particulars.items()}
    return particulars


def _validate_class_changes(institution: Institution, changes: list) -> list:
    """Each class change is checked against the caps and ratios now, not only at approval."""
    if not isinstance(changes, list):
        raise ValidationError({"classes": _("Class changes must be a list.")})
    open_classes = {c.pk: c for c in institution.classes.filter(closed_on__isnull=True)}
    clean = []
    for index, change in enumerate(changes, start=1):
        if not isinstance(change, dict) or change.get("action") not in CLASS_ACTIONS:
            raise ValidationError({"classes": _("Class change %(n)d: action must be add, update or close.")
                                   % {"n": index}})
        action = change["action"]
        fields = {k: change[k] for k in ("name", "class_type", "places", "caregivers") if k in change}
        if action == "add":
            klass = InstitutionClass(institution=institution, **fields)
        else:
            try:
                klass = open_classes[int(change.get("class_id"))]
            except (KeyError, TypeError, ValueError):
                raise ValidationError({"classes": _("Class change %(n)d: no such open class in this institution.")
                                       % {"n": index}}) from None
            for key, value in fields.items():
                setattr(klass, key, value)
        if action != "close":
            try:
                klass.full_clean(exclude=["institution", "opened_on"], validate_unique=False)
            except ValidationError as exc:
                raise ValidationError({"classes": [m for msgs in exc.message_dict.values() for m in msgs]}) from exc
        entry = {"action": action, **fields}
        if action != "add":
            entry["class_id"] = klass.pk
        clean.append(entry)
    return clean


# --- Enrolments (another app; optional) -------------------------------------------------------------

def active_enrolments(institution: Institution, on: datetime.date | None = None) -> list[dict]:
    """Active enrolments per class: [{"class_name": ..., "count": n}] — counts only, no child names.

    The enrolments app may not exist yet; without its model nobody can be enrolled, so the list is
    empty. An enrolment is active while its end date is empty or in the future.
    """
    on = on or timezone.localdate()
    try:
        enrolment = apps.get_model("enrolments", "Enrolment")
    except LookupError:
        return []
    class_field = next((f.name for f in enrolment._meta.get_fields()
                        if getattr(f, "related_model", None) is InstitutionClass and f.many_to_one), None)
    try:
        enrolment._meta.get_field("institution")
        qs = enrolment.objects.filter(institution=institution)
    except FieldDoesNotExist:
        if not class_field:
            return []
        qs = enrolment.objects.filter(**{f"{class_field}__institution": institution})
    # Enrolments starting later block too: those children also need a new place.
    qs = qs.filter(Q(end_date__isnull=True) | Q(end_date__gt=on))
    if class_field:
        rows = qs.values(f"{class_field}__name").annotate(n=Count("pk")).order_by(f"{class_field}__name")
        return [{"class_name": r[f"{class_field}__name"] or "", "count": r["n"]} for r in rows]
    n = qs.count()
    return [{"class_name": "", "count": n}] if n else []


def _ensure_no_active_enrolments(institution: Institution) -> None:
    rows = active_enrolments(institution)
    if rows:
        listing = "; ".join(_("%(cls)s: %(n)d children") % {"cls": r["class_name"] or _("(no class)"),
                                                           "n": r["count"]} for r in rows)
        raise ValidationError({"resettlement_confirmed": _(
            "Children are still enrolled — end or transfer these enrolments before cancelling: %(list)s"
        ) % {"list": listing}})


# --- Completeness ---------------------------------------------------------------------------------

def required_document_kinds(filing: Filing) -> list[str]:
    """Which documents this filing needs (domain.md: filing materials), depending on the institution."""
    K = Document.Kind
    institution = filing.institution
    if filing.kind == Filing.Kind.INITIAL:
        kinds = [K.BUSINESS_LICENCE, K.PREMISES, K.STAFF_CERTIFICATES, K.HEALTH_EVALUATION, K.FIRE_SAFETY]
        if institution.meals_served:
            kinds.append(K.FOOD_LICENCE)
        kinds.append(K.COMMITMENT)
        return kinds
    if filing.kind == Filing.Kind.CHANGE:
        kinds = []
        particulars = filing.particulars
        if "address" in particulars:
            kinds.append(K.PREMISES)
        if particulars.get("meals_served") is True and not institution.meals_served:
            kinds.append(K.FOOD_LICENCE)
        if "name" in particulars or "legal_representative" in particulars:
            kinds.append(K.BUSINESS_LICENCE)
        kinds.append(K.COMMITMENT)
        return kinds
    return [K.COMMITMENT]


def lease_problem(document: Document, on: datetime.date) -> str | None:
    if document.kind != Document.Kind.PREMISES or document.premises_owned:
        return None
    if document.lease_ends_on is None:
        return _("The premises proof needs the lease end date, or must say the premises are owned.")
    try:
        minimum = on.replace(year=on.year + LEASE_MIN_YEARS)
    except ValueError:  # 29 February
        minimum = on.replace(year=on.year + LEASE_MIN_YEARS, day=28)
    if document.lease_ends_on < minimum:
        return _("The lease must run at least %(years)d more years (until %(date)s or later); it ends on %(end)s.") % {
            "years": LEASE_MIN_YEARS, "date": minimum.isoformat(), "end": document.lease_ends_on.isoformat()}
    return None


def completeness_problems(filing: Filing, documents: list[Document] | None = None,
                          on: datetime.date | None = None) -> list[str]:
    """Everything missing before the county can accept the filing as complete; empty when ready."""
    on = on or timezone.localdate()
    documents = list(filing.documents.all()) if documents is None else documents
    present = {d.kind for d in documents}
    problems = []
    for kind in required_document_kinds(filing):
        if kind not in present:
            problems.append(_("Missing document: %(kind)s.") % {"kind": Document.Kind(kind).label})
    for document in documents:
        problem = lease_problem(document, on)
        if problem:
            problems.append(problem)
    health = [d for d in documents if d.kind == Document.Kind.HEALTH_EVALUATION]
    if health and not any(d.rated_pass for d in health):
        problems.append(_("The health evaluation report must be rated 合格 (pass)."))
    if filing.kind == Filing.Kind.INITIAL and not filing.institution.classes.filter(closed_on__isnull=True).exists():
        problems.append(_("Add at least one class before filing."))
    if filing.kind == Filing.Kind.CHANGE and not (filing.particulars or filing.class_changes):
        problems.append(_("A change filing must change at least one particular or class."))
    if filing.kind == Filing.Kind.CANCELLATION and not filing.resettlement_confirmed:
        problems.append(_("Confirm that enrolled children and staff have been resettled."))
    return problems


# --- Filing lifecycle -----------------------------------------------------------------------------

@transaction.atomic
def filing_create(*, institution: Institution, kind: str, actor, particulars: dict | None = None,
                  class_changes: list | None = None, resettlement_confirmed: bool = False,
                  note: str = "") -> Filing:
    """Opens a draft filing for the actor's institution. One audit row.

    Not idempotent: a second call while a filing is in progress is refused (one open filing per
    institution, also held by a database constraint).
    """
    _ensure_staff(actor, institution.pk)
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    if kind not in Filing.Kind.values:
        raise ValidationError({"kind": _("Choose initial, change or cancellation.")})
    if Filing.objects.filter(institution=institution, status__in=Filing.OPEN).exists():
        raise FilingStateError(_("This institution already has a filing in progress: finish or withdraw it first."),
                               code="state")
    Status = Institution.Status
    if kind == Filing.Kind.INITIAL and institution.status != Status.DRAFT:
        raise FilingStateError(_("This institution is already filed: submit a change filing instead."), code="state")
    if kind in (Filing.Kind.CHANGE, Filing.Kind.CANCELLATION) and institution.status not in (Status.FILED,
                                                                                            Status.SUSPENDED):
        raise FilingStateError(_("Only a filed institution can submit a change or cancellation filing."),
                               code="state")
    changes = {}
    if kind == Filing.Kind.CHANGE:
        changes = {"particulars": _validate_particulars(institution, particulars or {}),
                   "classes": _validate_class_changes(institution, class_changes or [])}
    filing = Filing(institution=institution, kind=kind, changes=changes, created_by=actor, note=note,
                    resettlement_confirmed=bool(resettlement_confirmed) and kind == Filing.Kind.CANCELLATION)
    filing.full_clean()
    filing.save()
    audit_record(actor=actor, action="filing.create", target=filing, after=_snapshot(filing))
    return filing


@transaction.atomic
def filing_update_draft(*, filing: Filing, actor, particulars: dict | None = None, class_changes: list | None = None,
                        resettlement_confirmed: bool | None = None, note: str | None = None) -> Filing:
    """Edits a draft or returned filing. Repeating it with the same values changes nothing."""
    _ensure_staff(actor, filing.institution_id)
    filing = Filing.objects.select_for_update().select_related("institution").get(pk=filing.pk)
    if not filing.is_editable:
        raise _state_error(filing.pk, _("edited"))
    before = {"changes": filing.changes, "resettlement_confirmed": filing.resettlement_confirmed, "note": filing.note}
    if filing.kind == Filing.Kind.CHANGE:
        changes = dict(filing.changes or {})
        if particulars is not None:
            changes["particulars"] = _validate_particulars(filing.institution, particulars)
        if class_changes is not None:
            changes["classes"] = _validate_class_changes(filing.institution, class_changes)
        filing.changes = changes
    elif particulars or class_changes:
        raise ValidationError({"particulars": _("Only a change filing carries changed particulars or classes.")})
    if resettlement_confirmed is not None:
        if filing.kind != Filing.Kind.CANCELLATION and resettlement_confirmed:
            raise ValidationError({"resettlement_confirmed": _("Only a cancellation confirms resettlement.")})
        filing.resettlement_confirmed = bool(resettlement_confirmed)
    if note is not None:
        filing.note = note
    filing.full_clean()
    filing.save()
    audit_record(actor=actor, action="filing.update", target=filing, before=before,
                 after={"changes": filing.changes, "resettlement_confirmed": filing.resettlement_confirmed,
                        "note": filing.note})
    return filing


def _submit(filing: Filing, actor, *, from_status: str, to_status: str, action: str) -> Filing:
    _ensure_staff(actor, filing.institution_id)
    filing = Filing.objects.select_for_update().select_related("institution").get(pk=filing.pk)
    if filing.status != from_status:
        raise _state_error(filing.pk, _("submitted"))
    problems = completeness_problems(filing)
    if filing.kind == Filing.Kind.CANCELLATION:
        _ensure_no_active_enrolments(filing.institution)
    if problems:
        raise ValidationError({"documents": problems})
    now = timezone.now()
    due_on = decision_due_on(timezone.localdate(now))
    updates = {"status": to_status, "submitted_at": now, "due_on": due_on, "updated_at": now}
    if from_status == Filing.Status.DRAFT:
        updates["first_submitted_at"] = now
    else:
        updates["resubmission_count"] = F("resubmission_count") + 1
    if not Filing.objects.filter(pk=filing.pk, status=from_status).update(**updates):
        raise _state_error(filing.pk, _("submitted"))
    filing.refresh_from_db()
    audit_record(actor=actor, action=action, target=filing, before={"status": from_status}, after=_snapshot(filing))
    return filing


@transaction.atomic
def filing_submit(*, filing: Filing, actor) -> Filing:
    """Submits a complete draft: the 5-working-day deadline starts. Repeating it is refused, nothing changes.

    Refused with every missing item listed when documents, classes or the commitment letter are missing.
    """
    return _submit(filing, actor, from_status=Filing.Status.DRAFT, to_status=Filing.Status.SUBMITTED,
                   action="filing.submit")


@transaction.atomic
def filing_resubmit(*, filing: Filing, actor) -> Filing:
    """Resubmits a corrected, returned filing; the deadline starts again from now (complete materials)."""
    return _submit(filing, actor, from_status=Filing.Status.RETURNED, to_status=Filing.Status.RESUBMITTED,
                   action="filing.resubmit")


def _notify_staff(filing: Filing, event: str, message: str = "") -> None:
    from accounts.models import User

    from .tasks import send_filing_notifications

    recipients = User.objects.filter(institution_id=filing.institution_id, role=User.Role.INSTITUTION_STAFF,
                                     is_active=True)
    created = Notification.objects.bulk_create(
        [Notification(user=u, filing=filing, event=event, message=message) for u in recipients])
    ids = [n.pk for n in created if n.pk]
    if not ids:  # backends that do not return primary keys from bulk_create
        ids = list(Notification.objects.filter(filing=filing, event=event, read_at__isnull=True)
                   .values_list("pk", flat=True))
    if ids:
        send_filing_notifications.delay_on_commit(notification_ids=ids)


def _dispatch_metrics_recompute(region_code: str) -> None:
    """Filed and cancelled institutions change the metrics. The metrics app is built in parallel:
    when it offers a debounced recompute task we ask for it on commit; without it there is nothing
    to refresh, hence the ImportError guard."""
    try:
        from metrics import tasks as metrics_tasks
    except ImportError:
        return
    task = getattr(metrics_tasks, "recompute_snapshot_debounced", None)
    if task is None:
        return
    try:
        params = inspect.signature(task.run).parameters
    except (TypeError, ValueError):
        params = {}
    kwargs = {"region_code": region_code} if "region_code" in params else {}
    task.delay_on_commit(**kwargs)


@transaction.atomic
def filing_return(*, filing: Filing, actor, comments: dict[str, str]) -> Filing:
    """Returns a pending filing for correction with comments per section (退回补正).

    Side effects: a notification to the institution's staff and an e-mail on commit. A repeat (or a
    second reviewer a moment later) is refused and changes nothing.
    """
    _ensure_reviewer(actor, filing)
    comments = {str(k): v.strip() for k, v in (comments or {}).items() if isinstance(v, str) and v.strip()}
    unknown = set(comments) - set(FilingReturnComment.Section.values)
    if unknown:
        raise ValidationError({"comments": _("Unknown sections: %(s)s") % {"s": ", ".join(sorted(unknown))}})
    if not comments:
        raise ValidationError({"comments": _("Write a comment for at least one section.")})
    now = timezone.now()
    locked = Filing.objects.select_for_update().filter(pk=filing.pk).first()
    if locked is None or not Filing.objects.filter(pk=filing.pk, status__in=Filing.PENDING).update(
            status=Filing.Status.RETURNED, updated_at=now):
        raise _state_error(filing.pk, _("returned"))
    filing = Filing.objects.select_related("institution").get(pk=filing.pk)
    round_ = FilingReturnComment.objects.filter(filing=filing).values_list("round", flat=True).order_by("-round")
    next_round = (round_.first() or 0) + 1
    FilingReturnComment.objects.bulk_create([
        FilingReturnComment(filing=filing, round=next_round, section=section, comment=text, author=actor)
        for section, text in comments.items()])
    audit_record(actor=actor, action="filing.return", target=filing, before={"status": locked.status},
                 after={"status": filing.status, "sections": sorted(comments)})
    _notify_staff(filing, Notification.Event.RETURNED,
                  "\n".join(f"{FilingReturnComment.Section(s).label}: {t}" for s, t in comments.items()))
    return filing


def _next_receipt_number(county_code: str, year: int) -> str:
    """Locks the county's counter row for the year and takes the next number (no gaps, no repeats)."""
    ReceiptCounter.objects.bulk_create([ReceiptCounter(county_id=county_code, year=year)], ignore_conflicts=True)
    counter = ReceiptCounter.objects.select_for_update().get(county_id=county_code, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{county_code}-{year}-{counter.last_number:04d}"


@transaction.atomic
def filing_approve(*, filing: Filing, actor) -> Filing:
    """Files the filing and issues its receipt number, exactly once.

    The filing row is locked first, so of two reviewers approving at the same moment one wins and
    the other gets a FilingStateError; the county's receipt counter is taken only by the winner, so
    numbers stay unique and consecutive. Effects on the registry: initial → institution filed with
    the receipt number; change → particulars and classes applied; cancellation → institution
    cancelled (refused while children are enrolled). Side effects on commit: notification e-mail and
    a metrics recompute.
    """
    _ensure_reviewer(actor, filing)
    locked = Filing.objects.select_for_update().filter(pk=filing.pk).first()
    if locked is None or locked.status not in Filing.PENDING:
        raise _state_error(filing.pk, _("approved"))
    filing = Filing.objects.select_related("institution").get(pk=filing.pk)
    institution = filing.institution
    if filing.kind == Filing.Kind.CANCELLATION:
        _ensure_no_active_enrolments(institution)
    now = timezone.now()
    today = timezone.localdate(now)
    number = _next_receipt_number(institution.region_id[:6], today.year)
    if not Filing.objects.filter(pk=filing.pk, status__in=Filing.PENDING).update(
            status=Filing.Status.FILED, decided_at=now, decided_by=actor, receipt_number=number, updated_at=now):
        raise _state_error(filing.pk, _("approved"))
    filing.refresh_from_db()
    if filing.kind == Filing.Kind.INITIAL:
        institution_services.institution_mark_filed(institution=institution, filed_on=today, filing_number=number,
                                                    actor=actor)
    elif filing.kind == Filing.Kind.CHANGE:
        if filing.particulars:
            institution_services.institution_apply_changes(institution=institution, changes=filing.particulars,
                                                           actor=actor)
        _apply_class_changes(institution, filing.class_changes, actor)
    else:
        institution_services.institution_cancel(institution=institution, cancelled_on=today, actor=actor)
    audit_record(actor=actor, action="filing.approve", target=filing, before={"status": locked.status},
                 after=_snapshot(filing))
    _notify_staff(filing, Notification.Event.FILED, number)
    _dispatch_metrics_recompute(institution.region_id)
    return filing


def _apply_class_changes(institution: Institution, changes: list, actor) -> None:
    for change in changes:
        fields = {k: change[k] for k in ("name", "class_type", "places", "caregivers") if k in change}
        if change["action"] == "add":
            institution_services.class_add(institution=institution, actor=actor, **fields)
            continue
        klass = InstitutionClass.objects.filter(pk=change.get("class_id"), institution=institution).first()
        if klass is None:
            raise ValidationError({"classes": _("A class named in this change filing no longer exists.")})
        if change["action"] == "update":
            institution_services.class_update(klass=klass, actor=actor, **fields)
        else:
            institution_services.class_close(klass=klass, actor=actor)


@transaction.atomic
def filing_reject(*, filing: Filing, actor, reason: str) -> Filing:
    """Rejects a pending filing as non-compliant; the reason is made public. Notifies the staff on commit.

    A repeat is refused and changes nothing.
    """
    _ensure_reviewer(actor, filing)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason: it is made public.")})
    now = timezone.now()
    locked = Filing.objects.select_for_update().filter(pk=filing.pk).first()
    if locked is None or not Filing.objects.filter(pk=filing.pk, status__in=Filing.PENDING).update(
            status=Filing.Status.REJECTED, decided_at=now, decided_by=actor, rejection_reason=reason,
            updated_at=now):
        raise _state_error(filing.pk, _("rejected"))
    filing = Filing.objects.select_related("institution").get(pk=filing.pk)
    audit_record(actor=actor, action="filing.reject", target=filing, before={"status": locked.status},
                 after={"status": filing.status, "reason": reason})
    _notify_staff(filing, Notification.Event.REJECTED, reason)
    return filing


@transaction.atomic
def filing_withdraw(*, filing: Filing, actor) -> Filing:
    """The institution withdraws a filing that is not yet decided. A repeat is refused, nothing changes."""
    _ensure_staff(actor, filing.institution_id)
    now = timezone.now()
    locked = Filing.objects.select_for_update().filter(pk=filing.pk).first()
    if locked is None or not Filing.objects.filter(pk=filing.pk, status__in=Filing.OPEN).update(
            status=Filing.Status.WITHDRAWN, withdrawn_at=now, updated_at=now):
        raise _state_error(filing.pk, _("withdrawn"))
    filing = Filing.objects.select_related("institution").get(pk=filing.pk)
    audit_record(actor=actor, action="filing.withdraw", target=filing, before={"status": locked.status},
                 after={"status": filing.status})
    return filing


# --- Documents ------------------------------------------------------------------------------------

MAGIC_BYTES = {
    "application/pdf": b"%PDF-",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
}
EXTENSIONS = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}
_BAD_NAME = re.compile(r"[/\\\x00-\x1f\x7f]|\.\.|^\.|:")


MAX_IMAGE_PIXELS = 60_000_000  # a 600 dpi A3 scan is about 70 megapixels at most; beyond that, a bomb


def image_pixels(head: bytes, content_type: str) -> int | None:
    """Width × height read from a PNG's IHDR or a JPEG's frame header, without decoding the image.

    A decompression bomb is a small file that claims enormous dimensions; its header says so.
    """
    if content_type == "image/png" and len(head) >= 24 and head[12:16] == b"IHDR":
        return int.from_bytes(head[16:20], "big") * int.from_bytes(head[20:24], "big")
    if content_type == "image/jpeg":
        i = 2
        while i + 9 < len(head):
            if head[i] != 0xFF:
                i += 1
                continue
            marker = head[i + 1]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                height = int.from_bytes(head[i + 5:i + 7], "big")
                width = int.from_bytes(head[i + 7:i + 9], "big")
                return width * height
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            i += 2 + int.from_bytes(head[i + 2:i + 4], "big")
    return None


def check_upload(upload) -> tuple[str, str, str]:
    """Checks an uploaded file by its content. Returns (clean name, content type, sha256).

    Refused: names with path characters, extensions other than pdf/jpg/jpeg/png, content whose magic
    bytes do not match the extension (a PDF that is really an executable), empty or oversized files.
    """
    name = (getattr(upload, "name", "") or "").strip()
    if not name or _BAD_NAME.search(name) or len(name) > 120:
        raise ValidationError({"file": _("The file name must be a plain name without path characters "
                                         "(/ \\ .. :) and at most 120 characters.")})
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    content_type = EXTENSIONS.get(ext)
    if content_type is None:
        raise ValidationError({"file": _("Upload a PDF, JPEG or PNG file (.pdf, .jpg, .jpeg, .png).")})
    size = upload.size or 0
    if size <= 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError({"file": _("The file is %(size)s MB; the limit is %(max)s MB.") % {
            "size": f"{size / 1048576:.1f}", "max": f"{settings.UPLOAD_MAX_BYTES / 1048576:.0f}"}})
    upload.seek(0)
    head = upload.read(65536)
    if not head.startswith(MAGIC_BYTES[content_type]):
        raise ValidationError({"file": _("The content of %(name)s is not a %(type)s file: its extension does not "
                                         "match what is inside.") % {"name": name, "type": ext.upper()}})
    pixels = image_pixels(head, content_type)
    if pixels is not None and pixels > MAX_IMAGE_PIXELS:
        raise ValidationError({"file": _("%(name)s claims %(mp)s megapixels: images are accepted up to %(max)s "
                                         "megapixels. Scan at a lower resolution.") % {
            "name": name, "mp": f"{pixels / 1e6:,.0f}", "max": f"{MAX_IMAGE_PIXELS / 1e6:,.0f}"}})
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return name, content_type, digest.hexdigest()


@transaction.atomic
def document_upload(*, filing: Filing, actor, kind: str, file, premises_owned: bool = False,
                    lease_ends_on: datetime.date | None = None, rated_pass: bool | None = None) -> Document:
    """Stores one document of a draft or returned filing under a server-generated private name.

    Checked by content and size; a premises proof needs ownership or a lease running ≥ 3 more years;
    a health evaluation report needs its rating. Not idempotent: each call adds a document.
    """
    _ensure_staff(actor, filing.institution_id)
    filing = Filing.objects.select_for_update().select_related("institution").get(pk=filing.pk)
    if not filing.is_editable:
        raise _state_error(filing.pk, _("changed"))
    if kind not in Document.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of document.")})
    name, content_type, sha256 = check_upload(file)
    document = Document(filing=filing, kind=kind, original_name=name, content_type=content_type, size=file.size,
                        sha256=sha256, premises_owned=bool(premises_owned) if kind == Document.Kind.PREMISES else False,
                        lease_ends_on=lease_ends_on if kind == Document.Kind.PREMISES else None,
                        rated_pass=rated_pass if kind == Document.Kind.HEALTH_EVALUATION else None,
                        uploaded_by=actor)
    if kind == Document.Kind.PREMISES:
        problem = lease_problem(document, timezone.localdate())
        if problem:
            raise ValidationError({"lease_ends_on": problem})
    if kind == Document.Kind.HEALTH_EVALUATION and rated_pass is None:
        raise ValidationError({"rated_pass": _("Say how the health evaluation report is rated.")})
    document.file.save(name, file, save=False)
    try:
        document.full_clean(exclude=["file"])
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    stored = document.file.name
    # A rollback after this point leaves an unreferenced file under a random name: harmless, and
    # never reachable through a URL.
    audit_record(actor=actor, action="document.upload", target=document,
                 after={"kind": kind, "name": name, "size": document.size, "sha256": sha256, "stored": stored})
    return document


@transaction.atomic
def document_remove(*, document: Document, actor) -> None:
    """Removes a document from a draft or returned filing (the file is deleted on commit)."""
    filing = document.filing
    _ensure_staff(actor, filing.institution_id)
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    if not filing.is_editable:
        raise _state_error(filing.pk, _("changed"))
    storage, stored = document.file.storage, document.file.name
    audit_record(actor=actor, action="document.remove", target=document,
                 after={"kind": document.kind, "name": document.original_name})
    document.delete()
    transaction.on_commit(lambda: storage.delete(stored))


def document_record_view(*, document: Document, actor) -> None:
    """Audit-logs that a user opened a document (staff certificates carry personal data, as OpenCRVS
    logs every view of a record). One audit row per view; repeating it simply logs another view."""
    audit_record(actor=actor, action="document.view", target=document, after={"kind": document.kind})


# --- Appointments ---------------------------------------------------------------------------------

@transaction.atomic
def appointment_slot_create(*, centre, date: datetime.date, start_time: datetime.time, end_time: datetime.time,
                            capacity: int, purpose: str, actor) -> AppointmentSlot:
    """A city (or province) official publishes a slot at a guidance centre of their area."""
    if not (actor.is_system_admin or (actor.is_official and actor.region_id == centre.city_id)):
        raise PermissionDenied(_("Only officials of the centre's city publish its slots."))
    if date < timezone.localdate():
        raise ValidationError({"date": _("A slot cannot be in the past.")})
    slot = AppointmentSlot(centre=centre, date=date, start_time=start_time, end_time=end_time, capacity=capacity,
                           purpose=purpose)
    slot.full_clean()
    if slot.end_time <= slot.start_time:
        raise ValidationError({"end_time": _("The slot must end after it starts.")})
    slot.save()
    audit_record(actor=actor, action="appointment.slot_create", target=slot, region_code=centre.city_id,
                 after={"date": str(date), "capacity": capacity, "purpose": purpose})
    return slot


def _slot_is_past(slot: AppointmentSlot) -> bool:
    """The same rule the slot lists apply (AppointmentSlot.objects.upcoming): started slots are past."""
    return not AppointmentSlot.objects.upcoming().filter(pk=slot.pk).exists()


def _take_place(slot: AppointmentSlot) -> None:
    if _slot_is_past(slot):
        raise ValidationError({"slot": _("This slot is in the past: choose a later one.")})
    # Guarded increment: of two bookings racing for the last place, exactly one updates a row.
    if not AppointmentSlot.objects.filter(pk=slot.pk, booked_count__lt=F("capacity")).update(
            booked_count=F("booked_count") + 1):
        raise FilingStateError(_("This slot is full: choose another one."), code="state")


@transaction.atomic
def booking_create(*, slot: AppointmentSlot, actor, filing: Filing | None = None) -> Booking:
    """Books a place in a slot for the actor's institution (optionally for one of its filings).

    Refused for a past or full slot, or a slot the institution already booked. Not idempotent.
    """
    if not (actor.is_authenticated and actor.is_institution_staff and actor.institution_id):
        raise PermissionDenied(_("Only institution staff book appointments."))
    if filing is not None and filing.institution_id != actor.institution_id:
        raise ValidationError({"filing": _("Choose one of your institution's filings.")})
    if Booking.objects.filter(slot=slot, institution_id=actor.institution_id, status=Booking.Status.BOOKED).exists():
        raise FilingStateError(_("Your institution has already booked this slot."), code="state")
    _take_place(slot)
    booking = Booking.objects.create(slot=slot, institution_id=actor.institution_id, filing=filing, booked_by=actor)
    audit_record(actor=actor, action="appointment.book", target=booking,
                 after={"slot": slot.pk, "filing": filing.pk if filing else None})
    return booking


def _release(booking: Booking, now) -> bool:
    if not Booking.objects.filter(pk=booking.pk, status=Booking.Status.BOOKED).update(
            status=Booking.Status.CANCELLED, cancelled_at=now):
        return False
    AppointmentSlot.objects.filter(pk=booking.slot_id, booked_count__gt=0).update(booked_count=F("booked_count") - 1)
    return True


@transaction.atomic
def booking_cancel(*, booking: Booking, actor) -> Booking:
    """Cancels a booking and frees its place. A repeat changes nothing."""
    _ensure_staff(actor, booking.institution_id)
    if _release(booking, timezone.now()):
        audit_record(actor=actor, action="appointment.cancel", target=booking, after={"slot": booking.slot_id})
    booking.refresh_from_db()
    return booking


@transaction.atomic
def booking_move(*, booking: Booking, slot: AppointmentSlot, actor) -> Booking:
    """Moves a booking to another slot: the new place is taken first, so if it is full the old
    booking stays as it was. Returns the new booking."""
    _ensure_staff(actor, booking.institution_id)
    if booking.status != Booking.Status.BOOKED:
        raise FilingStateError(_("This booking is cancelled: book a new slot instead."), code="state")
    if slot.pk == booking.slot_id:
        return booking
    new = booking_create(slot=slot, actor=actor, filing=booking.filing)
    if not _release(booking, timezone.now()):
        raise FilingStateError(_("This booking was cancelled meanwhile."), code="state")
    audit_record(actor=actor, action="appointment.move", target=new,
                 before={"slot": booking.slot_id}, after={"slot": slot.pk})
    return new


# --- Notifications --------------------------------------------------------------------------------

@transaction.atomic
def notification_mark_read(*, notification: Notification, actor) -> Notification:
    """Marks one of the actor's notifications read. A repeat changes nothing (no audit: not a record change)."""
    if notification.user_id != actor.pk:
        raise PermissionDenied
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    notification.refresh_from_db()
    return notification
