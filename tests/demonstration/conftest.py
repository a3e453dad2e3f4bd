from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from demonstration import services
from demonstration.models import CreationStandard

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf(name: str = "plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None}}}
    return tmp_path / "private"


@pytest.fixture
def standard(db):
    services.standards_ensure_shipped()  # migration 0002 loads it; a flushing test may have removed it
    return CreationStandard.objects.get(code="demonstration-city", version=1)


@pytest.fixture
def creation(standard, city_official):
    return services.creation_open(city="1301", year=2026, actor=city_official)
