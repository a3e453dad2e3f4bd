"""Documents of a filing: uploads checked by their content, removal, and the audit row of every view."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from portal.uploads import check_upload

from ..models import Document, Filing
from .common import ensure_staff, state_error
from .rules import lease_problem


@transaction.atomic
def document_upload(*, filing: Filing, actor, kind: str, file, premises_owned: bool = False,
                    lease_ends_on: datetime.date | None = None, rated_pass: bool | None = None) -> Document:
    """Stores one document of a draft or returned filing under a server-generated private name.

    Checked by content and size; a premises proof needs ownership or a lease running ≥ 3 more years;
    a health evaluation report needs its rating. Not idempotent: each call adds a document.
    """
    ensure_staff(actor, filing.institution_id)
    filing = Filing.objects.select_for_update().select_related("institution").get(pk=filing.pk)
    if not filing.is_editable:
        raise state_error(filing.pk, _("changed"))
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
    ensure_staff(actor, filing.institution_id)
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    if not filing.is_editable:
        raise state_error(filing.pk, _("changed"))
    storage, stored = document.file.storage, document.file.name
    audit_record(actor=actor, action="document.remove", target=document,
                 after={"kind": document.kind, "name": document.original_name})
    document.delete()
    transaction.on_commit(lambda: storage.delete(stored))


def document_record_view(*, document: Document, actor) -> None:
    """Audit-logs that a user opened a document (staff certificates carry personal data, as OpenCRVS
    logs every view of a record). One audit row per view; repeating it simply logs another view."""
    audit_record(actor=actor, action="document.view", target=document, after={"kind": document.kind})
