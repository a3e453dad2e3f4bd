"""Uploaded files, checked by their content and stored under server-generated private names: one rule for
filing documents and inspection evidence alike."""

from __future__ import annotations

import hashlib
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

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


# What the models' constraints allow, in the order the checks know them.
CONTENT_TYPES = list(MAGIC_BYTES)


def private_storage_name(folder: str, filename: str) -> str:
    """A server-generated storage name under `folder`: the uploader's file name is kept only as a label."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


# A stored upload shown in a frame of the portal's own origin (the review page's PDF preview) may be framed by
# it and nothing else; a download runs nothing at all.
_INLINE_POLICY = ("default-src 'none'; frame-ancestors 'self'; img-src 'self'; object-src 'self'; "
                  "plugin-types application/pdf")


def private_file_response(upload, *, inline: bool = False):
    """The response serving a stored upload (a filing document, inspection or creation evidence) to a user the
    caller has checked: never cached, its type as checked at upload, nothing in it runs."""
    from django.http import FileResponse

    response = FileResponse(upload.file.open("rb"), content_type=upload.content_type, as_attachment=not inline,
                            filename=upload.original_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    if inline:
        response["X-Frame-Options"] = "SAMEORIGIN"
        response["Content-Security-Policy"] = _INLINE_POLICY
    else:
        response["Content-Security-Policy"] = "default-src 'none'"
    return response

