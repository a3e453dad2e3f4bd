"""Fixtures of supervision: the shipped checklist, a pool of inspectors, filed institutions to draw from."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from supervision import services
from supervision.models import Checklist, Inspection
from tests.factories import InstitutionFactory, UserFactory
from tests.helpers import PDF, keep_uploads_in  # noqa: F401 - PDF for the supervision tests

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (4).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00" + b"\x00" * 40


def photo(name: str = "exit.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    return keep_uploads_in(settings, tmp_path / "private")


@pytest.fixture
def checklist(db):
    services.checklists_ensure_shipped()  # migration 0002 loads them; a flushing test may have removed them
    return Checklist.objects.get(code="health-safety", version=1)


@pytest.fixture
def fire_checklist(checklist):
    return Checklist.objects.get(code="fire-safety", version=1)


def official(username: str, region: str) -> User:
    return UserFactory(username=username, role=User.Role.OFFICIAL, region_id=region, email=f"{username}@example.org")


@pytest.fixture
def inspectors(regions, county_official):
    """Three inspectors in 长安区's pool; the third works with 长安区阳光托育园 (the `institution` fixture)."""
    return [services.inspector_register(user=official(f"insp{n}", "130102"), actor=county_official)
            for n in range(1, 4)]


@pytest.fixture
def filed_institutions(institution):
    """Ten filed institutions in 长安区 besides `institution`."""
    return [institution] + [InstitutionFactory(region_id="130102002", name=f"长安区托育园{n}") for n in range(10)]


@pytest.fixture
def planned_round(filed_institutions, inspectors, county_official, checklist):
    return services.round_plan(region_code="130102", name="2026年第一轮双随机抽查", checklist=checklist,
                               share_percent=30, due_on=timezone.localdate() + datetime.timedelta(days=30),
                               actor=county_official, seed=20260101)


@pytest.fixture
def inspection(institution, inspectors, county_official, checklist):
    """A targeted inspection of `institution`, assigned to the first inspector."""
    return services.inspection_open_targeted(institution=institution, actor=county_official, source="incident",
                                             reason="家长反映午睡无人看护", checklist=checklist,
                                             inspectors=[inspectors[0].user])


def record_all(inspection: Inspection, actor, findings: dict[str, str] | None = None) -> None:
    """Records every item as met, except the codes in `findings` (code → note)."""
    findings = findings or {}
    for item in inspection.checklist.items.all():
        if item.code in findings:
            services.item_record(inspection=inspection, item=item, outcome="finding", note=findings[item.code],
                                 actor=actor)
        else:
            services.item_record(inspection=inspection, item=item, outcome="pass", actor=actor)
