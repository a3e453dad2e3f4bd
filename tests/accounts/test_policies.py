"""The rules of accounts.policies, with the actors of each: owner, teammate, outsider, and the roles
around them (administrator, an account without an institution, officials of each level, the public)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.utils import translation

from accounts import policies
from accounts.policies import OutsideArea, require
from institutions import services as institution_services
from institutions.models import GuidanceCentre
from tests.factories import UserFactory

# The owner is the `staff` fixture (the account that registered the institution), the outsider
# `other_staff` (staff of another institution).
owner = pytest.fixture(lambda staff: staff, name="owner")
outsider = pytest.fixture(lambda other_staff: other_staff, name="outsider")

teammate = pytest.fixture(lambda institution: UserFactory(username="staff_a2", institution=institution),
                          name="teammate")
# A staff account whose institution is not registered yet.
unlinked = pytest.fixture(lambda db: UserFactory(username="newcomer", institution=None), name="unlinked")


# --- Staff of an institution ------------------------------------------------------------------------

def test_owner_and_teammate_are_staff_of_their_institution(owner, teammate, institution):
    assert policies.is_staff_of(owner, institution)
    assert policies.is_staff_of(teammate, institution)
    assert policies.is_staff_of(teammate, institution.pk)  # an id does as well as the institution


def test_it_rejects_outsider(outsider, institution):
    assert not policies.is_staff_of(outsider, institution)
    assert not policies.keeps_records_of(outsider, institution)


def test_administrator_is_staff_of_no_institution_but_keeps_records(admin_user, institution):
    assert not policies.is_staff_of(admin_user, institution)
    assert policies.keeps_records_of(admin_user, institution)


def test_account_without_institution_is_staff_of_none(unlinked, institution):
    assert policies.is_institution_staff(unlinked)
    assert not policies.is_linked_staff(unlinked)
    assert not policies.is_staff_of(unlinked, institution)
    assert not policies.is_staff_of(unlinked, None)  # None == None must not make it staff of "nothing"


def test_officials_and_public_are_staff_of_no_institution(county_official, institution):
    for user in (county_official, AnonymousUser(), None):
        assert not policies.is_staff_of(user, institution)
        assert not policies.keeps_records_of(user, institution)


def test_teammate_may_add_staff_and_outsider_is_refused(teammate, outsider, institution):
    fields = {"name": "李老师", "role": "caregiver"}
    member = institution_services.staff_member_add(institution=institution, actor=teammate, **fields)
    assert member.institution_id == institution.pk
    with translation.override("en"), pytest.raises(PermissionDenied, match="Only the institution's own staff"):
        institution_services.staff_member_add(institution=institution, actor=outsider, **fields)


# --- Reviewing, overseeing ----------------------------------------------------------------------------

def test_only_the_county_official_of_its_county_reviews(institution, county_official, other_county_official,
                                                         township_official, city_official, admin_user, owner):
    assert policies.reviews(county_official, institution)
    for user in (other_county_official, township_official, city_official, admin_user, owner, AnonymousUser()):
        assert not policies.reviews(user, institution), user


def test_suspending_is_for_the_reviewing_county_and_administrators(institution, county_official, admin_user,
                                                                   city_official):
    assert policies.suspends(county_official, institution)
    assert policies.suspends(admin_user, institution)
    assert not policies.suspends(city_official, institution)


def test_officials_oversee_their_own_area_only(regions, city_official, other_city_official, township_official):
    assert policies.oversees(city_official, "130102001")
    assert policies.oversees(city_official, regions["1301"])
    assert not policies.oversees(other_city_official, "130102")
    assert not policies.oversees(township_official, "130102")  # the county holds the township, not the reverse


def test_administrators_oversee_no_area_but_every_area_is_theirs(admin_user):
    assert not policies.oversees(admin_user, "13")
    assert policies.in_area(admin_user, "13")


def test_levels_of_officials(county_official, city_official, province_official, township_official, owner):
    assert [policies.official_level(u) for u in (province_official, city_official, county_official,
                                                 township_official, owner)] == [
        "province", "city", "county", "township", None]
    assert [policies.oversees_cities(u) for u in (province_official, city_official, county_official)] == [
        True, True, False]


def test_guidance_centres_and_slots(regions, city_official, province_official, other_city_official,
                                    county_official):
    centre = GuidanceCentre(city_id="1301", name="石家庄市托育指导中心")
    assert policies.records_centre(city_official, "1301")
    assert policies.records_centre(province_official, "1301")
    assert not policies.records_centre(other_city_official, "1301")
    assert not policies.records_centre(county_official, "1301")
    assert policies.publishes_slots_at(city_official, centre)
    assert not policies.publishes_slots_at(province_official, centre)


def test_mentoring_pairs_need_both_institutions_in_the_area(institution, other_institution, city_official,
                                                            province_official):
    assert not policies.pairs(city_official, institution, other_institution)  # 1305 is not Shijiazhuang
    assert policies.pairs(province_official, institution, other_institution)


# --- Refusals and how they are answered -------------------------------------------------------------

def test_require_raises_with_the_message():
    require(True, "never")
    with pytest.raises(PermissionDenied, match="Only staff"):
        require(False, "Only staff")


def test_refusal_outside_the_area_is_answered_as_not_found(rf: RequestFactory):
    from portal.views import handler403

    with pytest.raises(OutsideArea) as hidden:
        require(False, outside_area=True)
    assert policies.denial_status(hidden.value) == 404
    assert policies.denial_status(PermissionDenied()) == 403
    assert handler403(rf.get("/api/v1/x/"), hidden.value).status_code == 404
    assert handler403(rf.get("/api/v1/x/"), PermissionDenied()).status_code == 403


def test_page_of_staff_workspace_is_not_found_for_an_official(client, county_official):
    client.force_login(county_official)
    assert client.get("/enrolments/").status_code == 404


def test_api_answers_403_with_the_reason_for_a_visible_object(api_client, county_official, institution):
    api_client.force_authenticate(county_official)
    response = api_client.patch(f"/api/v1/institutions/{institution.pk}/", {"name": "新名字"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
