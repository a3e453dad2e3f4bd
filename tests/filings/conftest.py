"""Fixtures of the filing workflow: a draft institution with a class, its staff, complete documents."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from filings import services
from filings.models import AppointmentSlot, Document, Filing
from institutions.models import GuidanceCentre, Institution
from tests.factories import InstitutionClassFactory, InstitutionFactory, UserFactory
from tests.helpers import PDF, keep_uploads_in, pdf  # noqa: F401 - PDF and pdf for the filing tests

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    return keep_uploads_in(settings, tmp_path / "private")


@pytest.fixture
def draft_institution(regions):
    institution = InstitutionFactory(region_id="130102001", name="长安区新苗托育园", status=Institution.Status.DRAFT,
                                     filed_on=None)
    InstitutionClassFactory(institution=institution, name="托大一班", places=20, caregivers=3)
    return institution


@pytest.fixture
def draft_staff(draft_institution):
    return UserFactory(username="staff_new", institution=draft_institution, email="staff_new@example.org")


def lease_end() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=365 * 4)


def upload_complete_documents(filing: Filing, actor) -> None:
    K = Document.Kind
    for kind in services.required_document_kinds(filing):
        services.document_upload(filing=filing, actor=actor, kind=kind, file=pdf(f"{kind}.pdf"),
                                 lease_ends_on=lease_end() if kind == K.PREMISES else None,
                                 rated_pass=True if kind == K.HEALTH_EVALUATION else None)


def make_submitted(institution, actor) -> Filing:
    filing = services.filing_create(institution=institution, kind=Filing.Kind.INITIAL, actor=actor)
    upload_complete_documents(filing, actor)
    return services.filing_submit(filing=filing, actor=actor)


def submitted_new_institution(*, username: str, email: str) -> Filing:
    """The submitted initial filing (documents complete) of a new draft institution of 建北街道 with one class
    of 17 places, filed by its staff member `username`."""
    draft = InstitutionFactory(region_id="130102001", status=Institution.Status.DRAFT, filed_on=None)
    InstitutionClassFactory(institution=draft, name="托大一班", places=17, caregivers=3)
    return make_submitted(draft, UserFactory(username=username, institution=draft, email=email))


@pytest.fixture
def draft_filing(draft_institution, draft_staff):
    return services.filing_create(institution=draft_institution, kind=Filing.Kind.INITIAL, actor=draft_staff)


@pytest.fixture
def submitted_filing(draft_institution, draft_staff):
    return make_submitted(draft_institution, draft_staff)


@pytest.fixture
def centre(regions):
    return GuidanceCentre.objects.create(city_id="1301", name="石家庄市托育指导中心", host="石家庄市妇幼保健院")


@pytest.fixture
def slot(centre):
    return AppointmentSlot.objects.create(centre=centre, date=timezone.localdate() + datetime.timedelta(days=3),
                                          start_time=datetime.time(9), end_time=datetime.time(10), capacity=2,
                                          purpose=AppointmentSlot.Purpose.VERIFICATION)
