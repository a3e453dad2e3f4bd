"""The review page previews one document at a time, when the reviewer asks for it.

Seven embedded PDF viewers made the page take seconds to load (and to reload after every action),
and each viewer recorded a view of its document that nobody had made.
"""

from __future__ import annotations

import re

import pytest

from audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _viewers(html: str) -> list[str]:
    return re.findall(r'<(?:iframe|img)[^>]*src="/filings/documents/(\d+)/\?inline=1"', html)


def test_the_review_page_embeds_no_document_until_one_is_asked_for(client, county_official, submitted_filing):
    client.force_login(county_official)
    html = client.get(f"/filings/{submitted_filing.pk}/").content.decode()
    documents = list(submitted_filing.documents.all())
    assert len(documents) >= 5
    assert _viewers(html) == []
    for d in documents:
        assert f'href="?preview={d.pk}#doc-{d.pk}"' in html


def test_asking_for_a_preview_embeds_that_document_only(client, county_official, submitted_filing):
    client.force_login(county_official)
    wanted = submitted_filing.documents.order_by("pk")[2]
    html = client.get(f"/filings/{submitted_filing.pk}/?preview={wanted.pk}").content.decode()
    assert _viewers(html) == [str(wanted.pk)]
    assert 'data-testid="close-preview"' in html


def test_a_preview_of_another_filings_document_embeds_nothing(client, county_official, submitted_filing):
    client.force_login(county_official)
    html = client.get(f"/filings/{submitted_filing.pk}/?preview=999999").content.decode()
    assert _viewers(html) == []


def test_opening_the_review_page_records_no_document_view(client, county_official, submitted_filing):
    client.force_login(county_official)
    client.get(f"/filings/{submitted_filing.pk}/")
    assert not AuditEntry.objects.filter(action="document.view").exists()
