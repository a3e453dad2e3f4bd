from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from demonstration import services
from demonstration.models import CreationStandard
from tests.helpers import PDF, keep_uploads_in  # noqa: F401 - PDF for the demonstration tests


def pdf(name: str = "plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    return keep_uploads_in(settings, tmp_path / "private")


@pytest.fixture
def standard(db):
    services.standards_ensure_shipped()  # migration 0002 loads it; a flushing test may have removed it
    return CreationStandard.objects.get(code="demonstration-city", version=1)


@pytest.fixture
def creation(standard, city_official):
    return services.creation_open(city="1301", year=2026, actor=city_official)
