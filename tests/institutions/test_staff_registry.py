"""Staff across institutions: the same person active at two filed institutions in two counties is flagged
to both counties (page, API, filing review); expired and expiring certificates are flagged to the
institution's staff and its county."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from filings.models import Filing
from institutions import services
from institutions.models import Institution, StaffMember
from institutions.staff_registry import double_registrations
from tests.enrolments.helpers import resident_id
from tests.factories import StaffMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

NUMBER = resident_id(datetime.date(1995, 5, 4), county="130102", sex="female")


@pytest.fixture
def double(institution, other_institution, staff, other_staff):
    """One caregiver recorded by 长安区阳光托育园 (石家庄 长安区) and by 襄都区小星星托育园 (邢台 襄都区)."""
    a = services.staff_member_add(institution=institution, actor=staff, name="刘芳", role="caregiver",
                                  identity_number=NUMBER)
    b = services.staff_member_add(institution=other_institution, actor=other_staff, name="刘芳", role="caregiver",
                                  identity_number=NUMBER.lower())
    return a, b


def test_identity_is_kept_as_hash_and_mask_only(double):
    a, b = double
    assert a.identity_hash == b.identity_hash and len(a.identity_hash) == 64
    assert NUMBER not in str(StaffMember.objects.filter(pk=a.pk).values().get())
    assert a.identity_masked == NUMBER[:4] + "*" * 10 + NUMBER[-4:]
    assert AuditEntry.objects.filter(action="staff.add").last().after == {"role": "caregiver",
                                                                          "identity_recorded": True}


def test_a_wrong_identity_number_is_refused_naming_the_field(institution, staff):
    with pytest.raises(Exception) as refused:
        services.staff_member_add(institution=institution, actor=staff, name="王", role="cook",
                                  identity_number="130102199505041234")
    assert "identity_number" in refused.value.message_dict


@pytest.mark.parametrize("who", ["county_official", "other_county_official_b", "city_official",
                                 "other_city_official", "province_official", "admin_user"])
def test_double_registration_across_two_counties_is_flagged_to_both(client, request, who, double, regions):
    if who == "other_county_official_b":  # the county of the second institution (襄都区)
        from accounts.models import User

        user = UserFactory(username="county_xiangdu", role=User.Role.OFFICIAL, region_id="130502")
    else:
        user = request.getfixturevalue(who)
    groups = double_registrations(user=user)
    assert len(groups) == 1 and {m.institution.county_code for m in groups[0].members} == {"130102", "130502"}
    client.force_login(user)
    page = client.get(reverse("institutions:staff_registry")).content.decode()
    assert "长安区阳光托育园" in page and "襄都区小星星托育园" in page and NUMBER not in page
    api = client.get("/api/v1/staff-registry/double-registrations/").json()
    assert api[0]["counties"] == ["130102", "130502"]


def test_other_areas_and_staff_see_nothing(client, double, other_county_official, other_province_official, staff):
    for user in (other_county_official, other_province_official):  # 长安区's neighbour county; 山西
        assert double_registrations(user=user) == []
    client.force_login(staff)
    assert client.get(reverse("institutions:staff_registry")).status_code == 404
    assert client.get("/api/v1/staff-registry/double-registrations/").status_code in (403, 404)


def test_no_flag_once_one_record_has_left_or_the_institution_is_not_filed(double, county_official, staff):
    a, b = double
    services.staff_member_update(member=a, actor=staff, left_on=timezone.localdate())
    assert double_registrations(user=county_official) == []
    services.staff_member_update(member=a, actor=staff, left_on=None)
    assert len(double_registrations(user=county_official)) == 1
    Institution.objects.filter(pk=b.institution_id).update(status=Institution.Status.CANCELLED,
                                                           cancelled_on=timezone.localdate())
    assert double_registrations(user=county_official) == []


def test_filing_review_page_shows_the_double_registration(client, double, county_official, institution, staff):
    filing = Filing.objects.create(institution=institution, kind=Filing.Kind.CHANGE, status=Filing.Status.SUBMITTED,
                                   created_by=staff, submitted_at=timezone.now(), due_on=timezone.localdate())
    client.force_login(county_official)
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert 'data-testid="double-registrations"' in page and "襄都区小星星托育园" in page


def test_certificates_due_are_flagged_to_the_staff_and_the_county(client, institution, staff, county_official,
                                                                 other_county_official):
    today = timezone.localdate()
    days = datetime.timedelta
    StaffMemberFactory(institution=institution, name="过期者", health_certificate_expires_on=today - days(1))
    StaffMemberFactory(institution=institution, name="将到期", qualification_expires_on=today + days(30))
    StaffMemberFactory(institution=institution, name="正常者", health_certificate_expires_on=today + days(31))
    StaffMemberFactory(institution=institution, name="已离职", health_certificate_expires_on=today,
                       left_on=today - datetime.timedelta(days=1))
    client.force_login(county_official)
    page = client.get(reverse("institutions:staff_registry")).content.decode()
    assert "过期者" in page and "将到期" in page and "正常者" not in page and "已离职" not in page
    rows = {r["name"]: r for r in client.get("/api/v1/staff-registry/certificates-due/").json()["results"]}
    assert rows["过期者"]["health_certificate_state"] == "expired"
    assert rows["将到期"]["qualification_state"] == "expiring"
    client.force_login(staff)
    names = {r["name"] for r in client.get("/api/v1/staff-registry/certificates-due/").json()["results"]}
    assert names == {"过期者", "将到期"}
    mine = client.get(reverse("institutions:mine")).content.decode()
    assert "过期者" in mine and "status-cancelled" in mine  # the expired badge on the staff's own page
    client.force_login(other_county_official)
    assert client.get("/api/v1/staff-registry/certificates-due/").json()["results"] == []


def test_registry_page_queries_do_not_grow(client, county_official, institution, other_institution, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(county_official)

    def count():
        with CaptureQueriesContext(connection) as q:
            client.get(reverse("institutions:staff_registry"))
        return len(q)

    def add_doubles(n):
        for i in range(n):
            number = resident_id(datetime.date(1990, 1, 1) + datetime.timedelta(days=i), county="130102", sex="male")
            for inst in (institution, other_institution):
                member = StaffMemberFactory(institution=inst, health_certificate_expires_on=timezone.localdate())
                member.set_identity_number(number)
                member.save()

    add_doubles(1)
    few = count()
    add_doubles(10)
    assert count() == few
    assert len(double_registrations(user=county_official)) == 11


def test_a_health_certificate_lasts_a_year_at_most(client, institution, staff):
    too_late = timezone.localdate() + datetime.timedelta(days=400)
    with pytest.raises(Exception) as refused:
        services.staff_member_add(institution=institution, actor=staff, name="王", role="cook",
                                  health_certificate_expires_on=too_late)
    assert "health_certificate_expires_on" in refused.value.message_dict
    client.force_login(staff)
    page = client.post(reverse("institutions:staff_add"), {"name": "王", "role": "cook", "started_on": "2026-01-01",
                                                           "health_certificate_expires_on": too_late.isoformat()})
    assert page.status_code in (200, 400) and not StaffMember.objects.filter(name="王").exists()
