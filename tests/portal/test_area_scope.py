"""One rule for "the user's area" on querysets (portal.querysets.AreaQuerySet) and for the refusal that
answers 404 outside it (accounts.policies.require_in_area / require_visible)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.policies import OutsideArea, require_in_area, require_visible
from complaints.models import Complaint
from institutions.models import Institution
from tests.factories import InstitutionFactory


@pytest.fixture
def spread(regions):
    """Institutions in two counties of one city and in another city."""
    return {code: InstitutionFactory(region_id=code) for code in ("130102", "130104", "130502")}


def _codes(qs) -> set[str]:
    return set(qs.values_list("region_id", flat=True))


def test_an_official_sees_the_area_below_its_region(spread, county_official, city_official, province_official):
    assert _codes(Institution.objects.in_area_of(county_official)) == {"130102"}
    assert _codes(Institution.objects.in_area_of(city_official)) == {"130102", "130104"}
    assert _codes(Institution.objects.in_area_of(province_official)) == {"130102", "130104", "130502"}


def test_an_administrator_sees_all_and_anyone_else_nothing(spread, admin_user, staff):
    assert Institution.objects.in_area_of(admin_user).count() == Institution.objects.count()
    assert "LIKE" not in str(Institution.objects.in_area_of(admin_user).query)  # no prefix filter for everything
    assert not Institution.objects.in_area_of(staff).exists()
    assert not Institution.objects.in_area_of(AnonymousUser()).exists()


def test_the_field_names_where_the_region_code_is(spread, city_official):
    """Complaints are scoped by the county handling them, not by a `region` field."""
    sql, params = Complaint.objects.visible_to(city_official).query.sql_with_params()
    assert '"complaints_complaint"."county_id"' in sql and "1301%" in [str(p) for p in params]


def test_a_refusal_outside_the_area_is_not_found_inside_it_forbidden(spread, county_official):
    with pytest.raises(OutsideArea):
        require_in_area(False, "no", user=county_official, region="130502")
    with pytest.raises(Exception) as refused:
        require_in_area(False, "no", user=county_official, region="130102")
    assert not isinstance(refused.value, OutsideArea) and str(refused.value) == "no"
    require_in_area(True, "no", user=county_official, region="130502")  # allowed: nothing raised


def test_a_refusal_of_an_object_the_user_cannot_see_is_not_found(spread, county_official):
    mine, theirs = Institution.objects.get(region_id="130102"), Institution.objects.get(region_id="130502")
    with pytest.raises(OutsideArea):
        require_visible(False, "no", user=county_official, obj=theirs)
    with pytest.raises(Exception) as refused:
        require_visible(False, "no", user=county_official, obj=mine)
    assert not isinstance(refused.value, OutsideArea)
