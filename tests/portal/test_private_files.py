"""A stored upload is served by one response: never cached, its checked type, nothing in it runs."""

from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile

from portal.uploads import private_file_response
from tests.helpers import PDF


def _upload():
    return SimpleNamespace(file=SimpleUploadedFile("stored.pdf", PDF), content_type="application/pdf",
                           original_name="租赁合同.pdf")


def test_a_download_is_an_attachment_that_runs_nothing_and_is_never_cached():
    response = private_file_response(_upload())
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert b"".join(response.streaming_content) == PDF


def test_an_inline_preview_may_be_framed_by_the_portal_alone():
    response = private_file_response(_upload(), inline=True)
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "private, no-store"
