"""The registry pages: staff edit their own draft, officials read their area, everyone else gets 404."""

import pytest
from django.urls import reverse

from institutions.models import Institution
from tests.factories import InstitutionClassFactory, InstitutionFactory, UserFactory


@pytest.fixture
def draft(regions):
    return InstitutionFactory(region_id="130102", status=Institution.Status.DRAFT, filed_on=None, name="草稿托育园")


@pytest.fixture
def draft_staff(draft):
    return UserFactory(username="draft_staff", institution=draft)


def test_staff_see_their_institution_with_total_places(client, staff, institution):
    InstitutionClassFactory(institution=institution, name="豆豆一班", places=20, caregivers=3)
    InstitutionClassFactory(institution=institution, name="豆豆二班", places=15, caregivers=3)
    client.force_login(staff)
    response = client.get(reverse("institutions:mine"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "豆豆一班" in body and "豆豆二班" in body
    assert response.context["total_places"] == 35


def test_filed_institution_page_points_to_change_filing(client, staff):
    client.force_login(staff)
    response = client.get(reverse("institutions:mine"))
    assert 'data-testid="change-note"' in response.content.decode()
    assert client.get(reverse("institutions:edit")).status_code == 302
    assert client.get(reverse("institutions:class_add")).status_code == 302
