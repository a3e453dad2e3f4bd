import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from filings import services
from filings.models import Document

from .conftest import EXE, JPEG, PDF, PNG, pdf


def _upload(filing, actor, file, kind="other", **kwargs):
    return services.document_upload(filing=filing, actor=actor, kind=kind, file=file, **kwargs)


def test_a_pdf_is_stored_under_a_server_generated_private_name(draft_filing, draft_staff, private_storage):
    document = _upload(draft_filing, draft_staff, pdf("营业执照 扫描件.pdf"), kind="business_licence")
    assert document.original_name == "营业执照 扫描件.pdf"
    assert "营业执照" not in document.file.name
    assert document.file.name.startswith("filings/") and document.file.name.endswith(".pdf")
    assert (private_storage / document.file.name).read_bytes() == PDF
    assert document.content_type == "application/pdf"
    assert len(document.sha256) == 64


@pytest.mark.parametrize("name,content,mime", [("photo.jpg", JPEG, "image/jpeg"), ("photo.JPEG", JPEG, "image/jpeg"),
                                               ("plan.png", PNG, "image/png")])
def test_images_are_accepted(draft_filing, draft_staff, name, content, mime):
    document = _upload(draft_filing, draft_staff, SimpleUploadedFile(name, content))
    assert document.content_type == mime


def test_a_pdf_that_is_really_an_executable_is_refused(draft_filing, draft_staff):
    with pytest.raises(ValidationError) as exc:
        _upload(draft_filing, draft_staff, SimpleUploadedFile("licence.pdf", EXE))
    assert "file" in exc.value.message_dict
    assert not Document.objects.exists()


def test_a_png_named_pdf_is_refused(draft_filing, draft_staff):
    with pytest.raises(ValidationError):
        _upload(draft_filing, draft_staff, SimpleUploadedFile("licence.pdf", PNG))


def test_an_oversized_file_is_refused(draft_filing, draft_staff, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as exc:
        _upload(draft_filing, draft_staff, pdf(content=PDF + b"0" * 2048))
    assert "MB" in exc.value.message_dict["file"][0]


@pytest.mark.parametrize("name", ["licence.exe", "licence.docx", "licence", "licence.pdf.exe"])
def test_other_extensions_are_refused(draft_filing, draft_staff, name):
    with pytest.raises(ValidationError):
        _upload(draft_filing, draft_staff, SimpleUploadedFile(name, PDF))


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "a/b.pdf", "a\\b.pdf", "..pdf", ".hidden.pdf",
                                  "c:licence.pdf", "bad\x00name.pdf"])
def test_names_with_path_characters_are_refused(draft_filing, draft_staff, name):
    # Django's UploadedFile strips directories from the name; the service must not rely on that.
    upload = File(io.BytesIO(PDF), name=name)
    with pytest.raises(ValidationError):
        _upload(draft_filing, draft_staff, upload)


def test_an_empty_file_is_refused(draft_filing, draft_staff):
    with pytest.raises(ValidationError):
        _upload(draft_filing, draft_staff, SimpleUploadedFile("x.pdf", b""))


def test_a_lease_shorter_than_three_years_is_refused(draft_filing, draft_staff):
    short = timezone.localdate() + datetime.timedelta(days=365 * 2)
    with pytest.raises(ValidationError) as exc:
        _upload(draft_filing, draft_staff, pdf(), kind="premises", lease_ends_on=short)
    assert "lease_ends_on" in exc.value.message_dict


def test_premises_proof_needs_a_lease_date_or_ownership(draft_filing, draft_staff):
    with pytest.raises(ValidationError):
        _upload(draft_filing, draft_staff, pdf(), kind="premises")
    document = _upload(draft_filing, draft_staff, pdf(), kind="premises", premises_owned=True)
    assert document.premises_owned


def test_a_lease_that_ran_short_by_submission_blocks_it(draft_filing, draft_staff):
    document = _upload(draft_filing, draft_staff, pdf(), kind="premises",
                       lease_ends_on=timezone.localdate() + datetime.timedelta(days=365 * 3 + 5))
    Document.objects.filter(pk=document.pk).update(lease_ends_on=timezone.localdate() + datetime.timedelta(days=300))
    with translation.override("en"):
        problems = services.completeness_problems(draft_filing)
    minimum = timezone.localdate().replace(year=timezone.localdate().year + 3)
    ends = timezone.localdate() + datetime.timedelta(days=300)
    assert (f"The lease must run at least 3 more years (until {minimum.isoformat()} or later); "
            f"it ends on {ends.isoformat()}.") in problems


def test_a_health_report_needs_its_rating(draft_filing, draft_staff):
    with pytest.raises(ValidationError) as exc:
        _upload(draft_filing, draft_staff, pdf(), kind="health_evaluation")
    assert "rated_pass" in exc.value.message_dict


def test_staff_of_another_institution_cannot_upload(draft_filing, other_staff):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _upload(draft_filing, other_staff, pdf())


def test_removing_a_document_deletes_its_file_on_commit(draft_filing, draft_staff, private_storage,
                                                        django_capture_on_commit_callbacks):
    document = _upload(draft_filing, draft_staff, pdf())
    path = private_storage / document.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.document_remove(document=document, actor=draft_staff)
    assert not path.exists()
    assert not Document.objects.exists()


def test_every_view_of_a_document_is_audit_logged(client, submitted_filing, county_official):
    from django.urls import reverse

    from audit.models import AuditEntry

    document = submitted_filing.documents.first()
    client.force_login(county_official)
    client.get(reverse("filings:document", args=[document.pk]))
    entry = AuditEntry.objects.get(action="document.view")
    assert entry.actor == county_official and entry.target_id == str(document.pk)
    assert entry.region_code == "130102001"
