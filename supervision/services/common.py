"""What the supervision services share: the state error, the institution's notification, who records an
inspection, and storing its evidence."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require_visible
from audit.services import audit_record
from filings.services.notifications import notify_institution_staff
from portal.exceptions import Conflict
from portal.uploads import check_upload

from ..models import Evidence, Inspection, ItemRecord, RectificationResponse

PHOTO_TYPES = ("image/jpeg", "image/png")


def _state_error(message: str) -> Conflict:
    return Conflict(message, code="state")


def _notify_institution(inspection: Inspection, event: str, message) -> None:
    """Tells the inspected institution's staff, where they already read their filings' notifications; the
    e-mail leaves through the outbox in the caller's transaction. `message` is called in the portal's
    language, the language the e-mail is written in."""
    with translation.override(settings.LANGUAGE_CODE):
        text = str(message())
    notify_institution_staff(institution_id=inspection.institution_id, event=event, message=text,
                             link=reverse("supervision:inspection", args=[inspection.pk]))


def _ensure_inspector(actor, inspection: Inspection) -> None:
    require_visible(policies.inspects(actor, inspection),
                    _("Only the inspectors assigned to this inspection record it."),
                    user=actor, obj=inspection)


def _store_evidence(*, inspection: Inspection, file, actor, record: ItemRecord | None = None,
                    response: RectificationResponse | None = None, photos_only: bool) -> Evidence:
    """Checks the upload by content (filings' safe upload path), stores it under a private random name."""
    name, content_type, sha256 = check_upload(file)
    if photos_only and content_type not in PHOTO_TYPES:
        raise ValidationError({"file": _("Upload a photo (.jpg, .jpeg or .png).")})
    evidence = Evidence(inspection=inspection, record=record, response=response, original_name=name,
                        content_type=content_type, size=file.size, sha256=sha256, uploaded_by=actor)
    evidence.file.save(name, file, save=False)
    try:
        evidence.full_clean(exclude=["file", "inspection", "record", "response"])
        evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    audit_record(actor=actor, action="evidence.upload", target=evidence,
                 after={"name": name, "size": evidence.size, "sha256": sha256, "stored": evidence.file.name})
    return evidence
