"""Training: a city publishes a course, an institution registers its staff within the places, the city records
attendance and issues the certificate, and the figures count the trained caregivers."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.policies import OutsideArea
from filings.models import Notification
from institutions.models import StaffCertificate, StaffMember
from portal.exceptions import Conflict
from tests.factories import InstitutionFactory, StaffMemberFactory, UserFactory
from tests.helpers import race
from training import selectors, services
from training.models import Course, Registration

from .conftest import make_course

pytestmark = pytest.mark.django_db


def _started(course, days_ago: int = 3):
    """Moves a course into the past (it started `days_ago` days ago and ended yesterday)."""
    today = timezone.localdate()
    Course.objects.filter(pk=course.pk).update(starts_on=today - datetime.timedelta(days=days_ago),
                                               ends_on=today - datetime.timedelta(days=1))
    course.refresh_from_db()
    return course


def test_city_official_publishes_a_course_at_its_centre(centre, city_official):
    starts = timezone.localdate() + datetime.timedelta(days=7)
    course = services.course_publish(centre=centre, kind="safety", title="安全与急救", starts_on=starts,
                                     ends_on=starts, hours=8, capacity=30, actor=city_official)
    assert course.registered_count == 0 and course.get_kind_display() == "Safety and first aid"


def test_it_rejects_another_city_and_the_county(other_centre, centre, city_official, county_official):
    starts = timezone.localdate() + datetime.timedelta(days=7)
    for actor, where in ((city_official, other_centre), (county_official, centre)):
        with pytest.raises(PermissionDenied):
            services.course_publish(centre=where, kind="basic", title="x", starts_on=starts, ends_on=starts,
                                    hours=8, capacity=3, actor=actor)


def test_staff_register_within_places_and_the_full_course_refuses(course, institution, staff):
    members = StaffMemberFactory.create_batch(6, institution=institution)
    for member in members[:5]:
        services.registration_create(course=course, staff_member=member, actor=staff)
    with pytest.raises(Conflict, match="full"):
        services.registration_create(course=course, staff_member=members[5], actor=staff)
    course.refresh_from_db()
    assert course.registered_count == 5
    with pytest.raises(Conflict, match="already registered"):
        services.registration_create(course=course, staff_member=members[0], actor=staff)


def test_it_rejects_another_institutions_member_as_not_found(course, other_institution, staff):
    member = StaffMemberFactory(institution=other_institution)
    with pytest.raises(OutsideArea):
        services.registration_create(course=course, staff_member=member, actor=staff)


def test_an_institution_registers_at_another_city_of_its_province(other_centre, institution, staff):
    course = make_course(other_centre)
    registration = services.registration_create(course=course, staff_member=StaffMemberFactory(
        institution=institution), actor=staff)
    assert registration.institution_id == institution.pk


def test_cancelling_frees_the_place_once(course, institution, staff):
    registration = services.registration_create(course=course, staff_member=StaffMemberFactory(
        institution=institution), actor=staff)
    services.registration_cancel(registration=registration, actor=staff)
    services.registration_cancel(registration=registration, actor=staff)
    course.refresh_from_db()
    assert course.registered_count == 0 and registration.status == Registration.Status.CANCELLED


def test_attendance_and_certificate_make_a_trained_caregiver(course, institution, staff, city_official):
    member = StaffMemberFactory(institution=institution, role=StaffMember.Role.CAREGIVER)
    StaffMemberFactory(institution=institution, role=StaffMember.Role.TEACHER)
    StaffMemberFactory(institution=institution, role=StaffMember.Role.COOK)  # not a caregiver
    registration = services.registration_create(course=course, staff_member=member, actor=staff)
    with pytest.raises(Conflict, match="not started"):
        services.attendance_record(registration=registration, attended=True, hours=16, actor=city_official)
    _started(course)
    today = timezone.localdate()
    before = selectors.region_figures(codes=["13", "1301", "130102"], on=today)
    assert [(f.caregivers, f.trained) for f in before] == [(2, 0)] * 3
    services.attendance_record(registration=registration, attended=True, hours=12, actor=city_official)
    with pytest.raises(Conflict, match="whole course"):
        services.certificate_issue(registration=registration, actor=city_official)
    services.attendance_record(registration=registration, attended=True, hours=16, actor=city_official)
    certificate = services.certificate_issue(registration=registration, actor=city_official)
    assert certificate.kind == StaffCertificate.Kind.TRAINING and certificate.staff_member_id == member.pk
    assert certificate.expires_on == today.replace(year=today.year + 3)
    with pytest.raises(Conflict, match="issued already"):
        services.certificate_issue(registration=registration, actor=city_official)
    with pytest.raises(Conflict, match="no longer change"):
        services.attendance_record(registration=registration, attended=False, actor=city_official)
    after = selectors.region_figures(codes=["13", "1301", "130102"], on=today)
    assert [(f.caregivers, f.trained, f.share) for f in after] == [(2, 1, 50)] * 3
    # Expired, it no longer counts; the day before it expires, it is flagged.
    assert selectors.region_figures(codes=["1301"], on=certificate.expires_on + datetime.timedelta(days=1))[0] \
        .trained == 0
    assert selectors.region_figures(codes=["1301"], on=certificate.expires_on)[0].expiring == 1
    assert Notification.objects.filter(user=staff, event=Notification.Event.TRAINING).count() == 1


def test_only_the_centres_city_records_attendance(course, institution, staff, other_city_official,
                                                  county_official):
    registration = services.registration_create(course=course, staff_member=StaffMemberFactory(
        institution=institution), actor=staff)
    _started(course)
    with pytest.raises(PermissionDenied):
        services.attendance_record(registration=registration, attended=True, hours=16, actor=county_official)
    with pytest.raises(OutsideArea):
        services.attendance_record(registration=registration, attended=True, hours=16, actor=other_city_official)


def test_staff_cannot_type_in_a_training_certificate(institution, staff):
    from institutions.services import staff_certificate_record

    with pytest.raises(ValidationError) as exc:
        staff_certificate_record(member=StaffMemberFactory(institution=institution), kind="training", number="1",
                                 issued_on=timezone.localdate(), expires_on=timezone.localdate(), actor=staff)
    assert "kind" in exc.value.message_dict


def test_figures_are_one_statement_for_every_region(regions, django_assert_num_queries):
    for region in ("130102001", "130104", "130502"):
        StaffMemberFactory.create_batch(2, institution=InstitutionFactory(region_id=region))
    with django_assert_num_queries(1):
        counts = selectors.region_counts(on=timezone.localdate())
    assert counts["13"][0] == 6 and counts["1301"][0] == 4 and counts["130502"][0] == 2


def test_pack_figures_per_city(course, institution, staff, city_official):
    registration = services.registration_create(course=course, staff_member=StaffMemberFactory(
        institution=institution), actor=staff)
    _started(course)
    services.attendance_record(registration=registration, attended=True, hours=16, actor=city_official)
    services.certificate_issue(registration=registration, actor=city_official)
    pack = selectors.pack_figures(year=timezone.localdate().year, city_codes=["1301", "1305"])
    trained, expiring, held, attendance, certified = pack["1301"]
    assert (trained["numerator"], trained["denominator"]) == (1, 1)
    assert (held["numerator"], held["denominator"]) == (1, None)
    assert (attendance["numerator"], attendance["denominator"]) == (1, 5)
    assert (certified["numerator"], certified["denominator"]) == (1, 1)
    assert pack["1305"][0]["denominator"] == 0 and all(isinstance(i["label"], str) for i in pack["1305"])




@pytest.mark.django_db(transaction=True)
def test_two_institutions_racing_for_the_last_place_one_wins(require_postgresql, centre):
    course = make_course(centre, capacity=1)
    actors = []
    for region in ("130102001", "130104"):
        inst = InstitutionFactory(region_id=region)
        actors.append((UserFactory(institution=inst), StaffMemberFactory(institution=inst)))
    results = race(*[lambda a=a, m=m: services.registration_create(course=course, staff_member=m, actor=a)
                      for a, m in actors])
    assert sum(isinstance(r, Registration) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    course.refresh_from_db()
    assert course.registered_count == 1 and Registration.objects.count() == 1
