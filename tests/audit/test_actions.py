"""One registry of audit actions (audit.actions): every action recorded has one label, the same on the
institution's history, the filing's history and in the admin, in Chinese and in English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from audit.actions import ACTION_LABELS, action_label
from audit.events import EVENT_TYPES
from audit.services import audit_record

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "audit", "dashboards", "enrolments", "filings", "institutions", "metrics", "pilots", "portal",
        "regions", "supervision")
SOURCES = [p for app in APPS for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


def test_every_action_the_code_records_has_a_label():
    recorded = set()
    for path in SOURCES:
        recorded |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert len(recorded) > 40
    assert recorded - set(ACTION_LABELS) == set()
    assert set(EVENT_TYPES) - set(ACTION_LABELS) == set()  # the events feed says the same words


def test_every_label_is_translated():
    def words(language):
        with translation.override(language):
            return {code: str(label) for code, label in ACTION_LABELS.items()}

    english, chinese = words("en"), words("zh-hans")
    assert [code for code in ACTION_LABELS if chinese[code] == english[code]] == []


def test_an_unknown_action_shows_its_code():
    assert action_label("something.new") == "something.new"


def test_institution_and_filing_history_and_admin_say_the_same(client, staff, institution, admin_user):
    audit_record(actor=staff, action="filing.approve", target=institution)
    with translation.override("zh-hans"):
        zh = str(ACTION_LABELS["filing.approve"])
    assert zh == "予以备案，出具回执"

    client.force_login(staff)
    rows = client.get(reverse("institutions:mine")).context["history"]
    assert [row["label"] for row in rows if row["entry"].action == "filing.approve"] == [zh]

    client.force_login(admin_user)
    page = client.get("/admin/audit/auditentry/").content.decode()
    assert zh in page  # the column and the filter
    assert client.get("/admin/audit/auditentry/", {"action": "filing.approve"}).context["cl"].result_count == 1


def test_the_filing_history_uses_the_registry(client, regions):
    from filings import services
    from institutions.models import Institution
    from tests.factories import InstitutionFactory, UserFactory

    draft = InstitutionFactory(region_id="130102", status=Institution.Status.DRAFT, filed_on=None)
    owner = UserFactory(username="owner", institution=draft)
    filing = services.filing_create(institution=draft, kind="initial", actor=owner)
    client.force_login(owner)
    history = client.get(reverse("filings:detail", args=[filing.pk])).context["history"]
    assert [label for _, label in history] == ["创建备案"]
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    history = client.get(reverse("filings:detail", args=[filing.pk])).context["history"]
    assert [label for _, label in history] == ["Filing started"]
