"""Uploads that try to exhaust the server: archives dressed as PDFs and decompression bombs."""

import io
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.uploads import MAX_IMAGE_PIXELS, check_upload


def _png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)) + b"\x00" * 32)


def _jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\x00" * 32


def test_zip_bomb_named_pdf_is_refused_by_its_content():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.txt", b"0" * 5_000_000)  # compresses to a few kilobytes
    upload = SimpleUploadedFile("licence.pdf", buffer.getvalue(), content_type="application/pdf")
    with pytest.raises(ValidationError, match="PDF"):
        check_upload(upload)


@pytest.mark.parametrize("make", [_png, _jpeg])
def test_image_claiming_enormous_dimensions_is_refused(make):
    ext = "png" if make is _png else "jpg"
    upload = SimpleUploadedFile(f"scan.{ext}", make(50_000, 50_000))
    with pytest.raises(ValidationError) as caught:
        check_upload(upload)
    message = str(caught.value.message_dict["file"])
    assert "2,500" in message and "60" in message  # the claimed and the accepted megapixels, in either language


@pytest.mark.parametrize("make", [_png, _jpeg])
def test_ordinary_scan_dimensions_are_accepted(make):
    ext = "png" if make is _png else "jpg"
    name, content_type, sha256 = check_upload(SimpleUploadedFile(f"scan.{ext}", make(4960, 7016)))  # A4, 600 dpi
    assert name == f"scan.{ext}" and len(sha256) == 64
    assert MAX_IMAGE_PIXELS > 4960 * 7016
