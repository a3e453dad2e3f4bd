"""Officials' decisions on institutions: mentoring pairs (city and province) and suspension (the county)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from institutions.models import Institution, MentoringPair
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def weaker(regions):
    return InstitutionFactory(region_id="130104001", name="桥西区新苗托育园")


def _pair(mentor, mentee, **changes):
    return {"mentor": mentor.pk, "mentee": mentee.pk, "started_on": "2026-09-01", "notes": "每月一次入园指导",
            **changes}


def test_city_official_sets_up_a_mentoring_pair(client, institution, weaker, city_official):
    client.force_login(city_official)
    response = client.post(reverse("institutions:mentoring"), _pair(institution, weaker))
    assert response.status_code == 302
    pair = MentoringPair.objects.get()
    assert (pair.mentor, pair.mentee, pair.started_on) == (institution, weaker, datetime.date(2026, 9, 1))
    assert AuditEntry.objects.filter(action="mentoring.create", actor=city_official).exists()
    assert "桥西区新苗托育园" in client.get(reverse("institutions:mentoring")).content.decode()


def test_an_institution_cannot_mentor_itself(client, institution, city_official):
    client.force_login(city_official)
    response = client.post(reverse("institutions:mentoring"), _pair(institution, institution))
    assert response.status_code == 400
    assert response.context["form"].errors["mentee"]
    assert not MentoringPair.objects.exists()


def test_institutions_of_another_city_are_not_offered(client, institution, other_institution, city_official):
    client.force_login(city_official)
    response = client.post(reverse("institutions:mentoring"), _pair(institution, other_institution))
    assert response.status_code == 400
    assert response.context["form"].errors["mentee"]


def test_county_officials_read_pairs_but_do_not_set_them_up(client, institution, weaker, county_official):
    client.force_login(county_official)
    page = client.get(reverse("institutions:mentoring"))
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post(reverse("institutions:mentoring"), _pair(institution, weaker)).status_code == 403


def test_the_service_refuses_an_official_outside_both_institutions(institution, other_institution,
                                                                   other_city_official):
    from django.core.exceptions import PermissionDenied

    from institutions.services import mentoring_pair_create

    with pytest.raises(PermissionDenied):
        mentoring_pair_create(mentor=other_institution, mentee=institution, actor=other_city_official)


def test_the_county_suspends_a_filed_institution(client, institution, county_official):
    client.force_login(county_official)
    detail = client.get(reverse("institutions:detail", kwargs={"pk": institution.pk}))
    assert 'data-testid="suspend-form"' in detail.content.decode()
    today = timezone.localdate()
    response = client.post(reverse("institutions:suspend", kwargs={"pk": institution.pk}),
                           {"suspended_on": today.isoformat()})
    assert response.status_code == 302
    institution.refresh_from_db()
    assert (institution.status, institution.suspended_on) == (Institution.Status.SUSPENDED, today)
    assert AuditEntry.objects.filter(action="institution.suspend", actor=county_official).exists()
    # Still on the public register, marked as suspended.
    assert client.get(reverse("institutions:register_detail", kwargs={"pk": institution.pk})).status_code == 200


def test_a_future_suspension_date_is_refused_naming_the_field(client, institution, county_official):
    client.force_login(county_official)
    future = timezone.localdate() + datetime.timedelta(days=5)
    response = client.post(reverse("institutions:suspend", kwargs={"pk": institution.pk}),
                           {"suspended_on": future.isoformat()})
    assert response.status_code == 400
    assert response.context["suspend_form"].errors["suspended_on"]
    institution.refresh_from_db()
    assert institution.status == Institution.Status.FILED


def test_only_the_filing_county_suspends(client, institution, city_official, township_official,
                                         other_county_official):
    url = reverse("institutions:suspend", kwargs={"pk": institution.pk})
    for official, expected in ((city_official, 403), (township_official, 403), (other_county_official, 404)):
        client.force_login(official)
        assert client.post(url, {"suspended_on": timezone.localdate().isoformat()}).status_code == expected
    institution.refresh_from_db()
    assert institution.status == Institution.Status.FILED


def test_a_draft_cannot_be_suspended(client, regions, county_official):
    draft = InstitutionFactory(region_id="130102", status=Institution.Status.DRAFT, filed_on=None)
    client.force_login(county_official)
    assert 'data-testid="suspend-form"' not in client.get(
        reverse("institutions:detail", kwargs={"pk": draft.pk})).content.decode()
    response = client.post(reverse("institutions:suspend", kwargs={"pk": draft.pk}),
                           {"suspended_on": timezone.localdate().isoformat()})
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.status == Institution.Status.DRAFT


# --- Guidance centres -------------------------------------------------------------------------------

def _centre(**changes):
    return {"city": "1301", "name": "石家庄市托育指导中心", "host": "石家庄市妇幼保健院", "address": "长安区建设北大街",
            "phone": "0311-12345678", **changes}


def test_city_official_records_the_citys_guidance_centre(client, regions, city_official):
    from institutions.models import GuidanceCentre

    client.force_login(city_official)
    assert client.post(reverse("institutions:guidance_centres"), _centre()).status_code == 302
    centre = GuidanceCentre.objects.get()
    assert (centre.city_id, centre.host) == ("1301", "石家庄市妇幼保健院")
    assert AuditEntry.objects.filter(action="guidance_centre.create", actor=city_official).exists()
    assert "石家庄市托育指导中心" in client.get(reverse("institutions:guidance_centres")).content.decode()


def test_another_citys_centre_is_not_offered_and_a_name_is_required(client, regions, city_official):
    from institutions.models import GuidanceCentre

    client.force_login(city_official)
    response = client.post(reverse("institutions:guidance_centres"), _centre(city="1305"))
    assert response.status_code == 400 and response.context["form"].errors["city"]
    response = client.post(reverse("institutions:guidance_centres"), _centre(name=""))
    assert response.status_code == 400 and response.context["form"].errors["name"]
    assert not GuidanceCentre.objects.exists()


def test_county_officials_read_centres_but_do_not_record_them(client, regions, county_official):
    client.force_login(county_official)
    page = client.get(reverse("institutions:guidance_centres"))
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post(reverse("institutions:guidance_centres"), _centre()).status_code == 403


def test_the_centre_service_refuses_another_citys_official(regions, other_city_official):
    from django.core.exceptions import PermissionDenied

    from institutions.services import guidance_centre_create

    with pytest.raises(PermissionDenied):
        guidance_centre_create(actor=other_city_official, city_id="1301", name="冒名中心")
