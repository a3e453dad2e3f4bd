"""Documents of a filing: uploads checked by their content, removal, and the audit row of every view."""

from __future__ import annotations

import datetime
import hashlib
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record

from ..models import Document, Filing
from .common import ensure_staff, state_error
from .rules import lease_problem

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
