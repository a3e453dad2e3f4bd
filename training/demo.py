"""Demo step: a year of caregiver training at the six guidance centres that train (Shijiazhuang, Tangshan,
Qinhuangdao, Xingtai, Cangzhou, Hengshui).

Courses of this year (basic training, health care, safety and first aid, early development); the caregivers of
each centre's city (and of the cities sent to it) registered until about half of them hold a certificate of
this year; attendance recorded (most attended every hour, a few left early or stayed away) and certificates
issued on the last day. Some caregivers hold a certificate from three years ago that expires within weeks.
Two courses per centre are still ahead, partly booked. Idempotent: skipped once courses exist. Cheap: a few
bulk inserts, whatever the number of caregivers.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from institutions.models import GuidanceCentre, StaffCertificate, StaffMember

from .models import CAREGIVER_ROLES, Course, Registration
from .services import certificate_expiry

# The cities whose guidance centre trains caregivers, and the cities without one that send their caregivers there.
TRAINING_CITIES = {"1301": ["1306", "1307"], "1302": ["1310"], "1303": ["1308"], "1305": ["1304"],
                   "1309": [], "1311": []}
# (kind, month, day, days, hours, places, title)
SCHEDULE = [
    ("basic", 3, 9, 5, 40, 50, "保育人员岗前基础培训（第一期）"),
    ("health", 4, 13, 2, 16, 40, "托育机构卫生保健培训"),
    ("safety", 5, 18, 1, 8, 40, "婴幼儿安全防护与急救培训"),
    ("basic", 6, 15, 5, 40, 50, "保育人员岗前基础培训（第二期）"),
    ("development", 7, 6, 2, 16, 40, "婴幼儿早期发展与回应性照护"),
    ("safety", 9, 7, 1, 8, 40, "婴幼儿海姆立克急救法实操"),
    ("basic", 10, 19, 5, 40, 50, "保育人员岗前基础培训（第三期）"),
    ("health", 11, 9, 2, 16, 40, "托育机构传染病防控培训"),
]
UPCOMING = [("development", 8, 2, 16, 40, "婴幼儿营养与喂养指导"),
            ("basic", 15, 5, 40, 50, "保育人员岗前基础培训（冬季班）")]
TRAINED_SHARE = 0.5  # of the caregivers of a centre's catchment, trained this year (places permitting)
EXPIRING_SHARE = 0.06  # holding a three-year-old certificate that expires within the flag's days


def seed(ctx) -> None:
    if Course.objects.exists():
        ctx.say("Demo training already exists: skipped.")
        return
    centres = {c.city_id: c for c in GuidanceCentre.objects.filter(city_id__in=TRAINING_CITIES).order_by("pk")}
    if not centres:
        ctx.say("Training: no guidance centres; skipped.")
        return
    with transaction.atomic():
        _seed(ctx, centres)


def _caregivers(cities: list[str], on: datetime.date) -> list[tuple[int, int, datetime.date]]:
    """(staff member id, institution id, started on) of the caregivers working on the date at filed
    institutions."""
    prefix = Q()
    for city in cities:
        prefix |= Q(institution__region__code__startswith=city)
    return list(StaffMember.objects.active_on(on).filter(prefix, role__in=CAREGIVER_ROLES,
                                                         institution__filed_on__lte=on,
                                                         institution__cancelled_on__isnull=True)
                .order_by("pk").values_list("pk", "institution_id", "started_on"))


def _seed(ctx, centres: dict[str, GuidanceCentre]) -> None:
    rng, today = ctx.rng, timezone.localdate()
    courses: list[Course] = []
    for centre in centres.values():
        for kind, month, day, days, hours, places, title in SCHEDULE:
            starts = datetime.date(today.year, month, day)
            if starts + datetime.timedelta(days=days - 1) >= today:
                continue  # this year's schedule up to today; the courses ahead come next
            courses.append(Course(centre=centre, kind=kind, title=title, starts_on=starts,
                                  ends_on=starts + datetime.timedelta(days=days - 1), hours=hours, capacity=places))
        for kind, ahead, days, hours, places, title in UPCOMING:
            starts = today + datetime.timedelta(days=ahead)
            courses.append(Course(centre=centre, kind=kind, title=title, starts_on=starts,
                                  ends_on=starts + datetime.timedelta(days=days - 1), hours=hours, capacity=places))
    _size_to_catchment(courses, centres, today)
    Course.objects.bulk_create(courses)

    showcase_id = User.objects.filter(username="benyi").values_list("institution_id", flat=True).first()
    registrations: list[Registration] = []
    certificates: list[tuple[Registration, StaffCertificate]] = []
    old_certificates: list[StaffCertificate] = []
    for city, centre in centres.items():
        pool = _caregivers([city, *TRAINING_CITIES[city]], today)
        rng.shuffle(pool)
        # The demo kindergarten's account sees a mix: two of its caregivers trained, the others still to come.
        showcase = [m for m in pool if m[1] == showcase_id]
        if showcase:
            others = [m for m in pool if m[1] != showcase_id]
            half = int(len(others) * TRAINED_SHARE)
            pool = showcase[:2] + others[:half] + showcase[2:] + others[half:]
        trained_n = int(len(pool) * TRAINED_SHARE)
        to_train, rest = pool[:trained_n], pool[trained_n:]
        ended = [c for c in courses if c.centre_id == centre.pk and c.ends_on < today]
        ahead = [c for c in courses if c.centre_id == centre.pk and c.starts_on > today]
        for course in ended:
            seats = int(course.capacity * rng.uniform(0.75, 0.95))
            # Only staff already working when the course starts; the others wait for a later course.
            eligible = [m for m in to_train if m[2] <= course.starts_on]
            taken = eligible[:seats]
            chosen = {m[0] for m in taken}
            to_train = [m for m in to_train if m[0] not in chosen]
            for member_id, institution_id, _started in taken:
                roll = rng.random()
                registration = Registration(course=course, staff_member_id=member_id, institution_id=institution_id,
                                            registered_at=_at(course.starts_on - datetime.timedelta(
                                                days=rng.randrange(7, 30))),
                                            attendance_recorded_at=_at(course.ends_on))
                if roll < 0.05:
                    registration.status = Registration.Status.ABSENT
                else:
                    registration.status = Registration.Status.ATTENDED
                    registration.hours_attended = (course.hours if roll >= 0.1
                                                   else rng.randrange(1, course.hours))
                registrations.append(registration)
                if registration.hours_attended == course.hours:
                    certificates.append((registration, StaffCertificate(
                        staff_member_id=member_id, kind=StaffCertificate.Kind.TRAINING, issued_on=course.ends_on,
                        expires_on=certificate_expiry(course.ends_on), number="")))
            course.registered_count = len(taken)
        # The courses ahead: partly booked by caregivers not trained yet.
        for course in ahead:
            seats = int(course.capacity * rng.uniform(0.3, 0.6))
            taken, rest = rest[:seats], rest[seats:]
            registrations += [Registration(course=course, staff_member_id=m, institution_id=i,
                                           registered_at=_at(today - datetime.timedelta(days=rng.randrange(1, 10))))
                              for m, i, _s in taken]
            course.registered_count = len(taken)
        # Trained three years ago, at the start of the centre's work: the certificate runs out within weeks.
        for n, (member_id, _institution_id, _started) in enumerate(rest[:int(len(pool) * EXPIRING_SHARE)], start=1):
            issued = today.replace(year=today.year - 3) + datetime.timedelta(days=rng.randrange(5, 85))
            old_certificates.append(StaffCertificate(
                staff_member_id=member_id, kind=StaffCertificate.Kind.TRAINING, issued_on=issued,
                expires_on=certificate_expiry(issued), number=f"PX{city}-{issued.year}-H{n:05d}"))
    Course.objects.bulk_update(courses, ["registered_count"])
    Registration.objects.bulk_create(registrations, batch_size=1000)
    for registration, certificate in certificates:
        city = registration.course.centre.city_id
        certificate.number = f"PX{city}-{certificate.issued_on.year}-{registration.pk:06d}"
    StaffCertificate.objects.bulk_create([c for _, c in certificates] + old_certificates, batch_size=1000)
    for registration, certificate in certificates:
        registration.certificate_id = certificate.pk
    Registration.objects.bulk_update([r for r, _ in certificates], ["certificate"], batch_size=1000)
    audit_record(actor=None, action="demo.training_seed", target_type="training.course", target_id="demo",
                 region_code="13", after={"courses": len(courses), "registrations": len(registrations),
                                          "certificates": len(certificates) + len(old_certificates)})
    ctx.say(f"Demo training: {len(courses)} courses, {len(registrations)} registrations, "
            f"{len(certificates)} certificates this year, {len(old_certificates)} expiring soon.")


def _size_to_catchment(courses: list[Course], centres: dict[str, GuidanceCentre], today: datetime.date) -> None:
    """Places in proportion to the caregivers a centre serves, so that about TRAINED_SHARE of them can be trained
    this year: a city with a thousand caregivers runs larger classes than one with two hundred."""
    for city, centre in centres.items():
        own = [c for c in courses if c.centre is centre]
        ended = [c for c in own if c.ends_on < today] or own
        needed = len(_caregivers([city, *TRAINING_CITIES[city]], today)) * TRAINED_SHARE
        per_course = needed / len(ended) / 0.85  # registrations fill about 85 % of the places
        for course in own:
            course.capacity = min(200, max(course.capacity, 10 * round(per_course / 10 + 0.5)))


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
