"""The access matrix: every URL pattern × every actor × the methods it takes, against one table of rules.

URL patterns are discovered from the resolver (pages and API alike), so a new pattern appears here
by itself; a pattern with no rule fails `test_every_url_has_a_rule`, so nobody can add a page
without saying who may use it. Objects come in two areas: A (长安区, 石家庄) and B (襄都区, 邢台).

Outcomes: a *denial* is 401, 403, 404, 405 or a redirect to the login page; anything else (2xx,
another redirect, 400 or 409 — the request reached the object) is *access*. The test fails on any
unexpected access (OWASP API1, broken object-level authorisation) and on unexpected denials.
Each actor's requests run in a savepoint that is rolled back, so one actor's writes do not change
what the next one sees.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.factories import InstitutionClassFactory, StaffMemberFactory
from tests.helpers import guardian_consent

pytestmark = pytest.mark.django_db

ACTORS = [
    "anonymous", "staff", "other_staff", "township_official", "county_official", "other_county_official",
    "city_official", "other_city_official", "province_official", "other_province_official", "admin_user",
]
WRITE_METHODS = ("post", "put", "patch", "delete")


# --- Discovery -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str
    kwargs: tuple[str, ...]
    methods: tuple[str, ...]


def _methods(callback) -> tuple[str, ...]:
    cls = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if cls is None:  # function views: try reading and writing
        return ("get", "post")
    return tuple(m for m in ("get", "post", "put", "patch", "delete") if hasattr(cls, m))


def discover() -> list[Endpoint]:
    found: dict[str, Endpoint] = {}

    def walk(patterns, prefix="", namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace if p.namespace else namespace
                if namespace and p.namespace:
                    ns = f"{namespace}:{p.namespace}"
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                route = prefix + str(p.pattern)
                if route.startswith("admin/"):
                    continue
                name = f"{namespace}:{p.name}" if namespace else p.name
                key = f"{name} {route}"
                found[key] = Endpoint(name, route, tuple(p.pattern.converters), _methods(p.callback))

    walk(get_resolver().url_patterns)
    return sorted(found.values(), key=lambda e: e.route)


# --- The world: one of everything in area A and in area B ------------------------------------------

class World(dict):
    """Objects by side: world["A"]["filing"] etc."""


@pytest.fixture
def world(regions, institution, other_institution, staff, other_staff, admin_user):
    from enrolments import services as enrol
    from filings import services as filing_services
    from filings.models import AppointmentSlot, Filing, Notification
    from institutions.models import GuidanceCentre
    from metrics.models import RankingRun
    from pilots.models import Pilot
    from tests.filings.conftest import upload_complete_documents

    today = timezone.localdate()
    w = World()
    from metrics.compute import snapshot_compute

    for side, inst, user, city in (("A", institution, staff, "1301"), ("B", other_institution, other_staff, "1305")):
        klass = InstitutionClassFactory(institution=inst, name=f"托大{side}班", places=20, caregivers=3)
        member = StaffMemberFactory(institution=inst)
        filing = filing_services.filing_create(institution=inst, kind=Filing.Kind.CHANGE, actor=user,
                                               particulars={"address": f"新地址{side}"})
        upload_complete_documents(filing, user)
        filing = filing_services.filing_submit(filing=filing, actor=user)
        document = filing.documents.first()
        notification = Notification.objects.create(user=user, filing=filing, event=Notification.Event.RETURNED,
                                                   message="x")
        centre = GuidanceCentre.objects.create(city_id=city, name=f"{city}指导中心")
        slot = AppointmentSlot.objects.create(centre=centre, date=today + datetime.timedelta(days=5),
                                              start_time=datetime.time(9), end_time=datetime.time(10), capacity=5,
                                              purpose=AppointmentSlot.Purpose.VERIFICATION)
        booking = filing_services.booking_create(slot=slot, actor=user, filing=filing)
        course, registration = _training_world(centre, member, user)
        born = today - datetime.timedelta(days=800)
        from tests.enrolments.helpers import resident_id

        child = enrol.child_register(institution=inst, name=f"幼儿{side}", sex="male", date_of_birth=born,
                                     document_type="resident_id",
                                     document_number=resident_id(born, county=inst.region_id[:6], sex="male"),
                                     guardians=[{"name": "王芳", "relation": "mother", "phone": "13900000000"}],
                                     consent=guardian_consent(), actor=user)
        enrolment = enrol.enrolment_create(child=child, klass=klass, care_form="full_day",
                                           start_date=today - datetime.timedelta(days=10), actor=user)
        from enrolments.models import ImportJob

        job = ImportJob.objects.create(institution=inst, created_by=user, filename="list.csv")
        pilot = Pilot.objects.create(institution=inst, year=today.year, designated_by_id="13", designated_on=today)
        ranking = RankingRun.objects.create(scope_id=city[:2] if side == "A" else "1305", period_kind="quarter",
                                            period_start=datetime.date(2022, 4, 1),
                                            period_end=datetime.date(2022, 6, 30))
        from institutions.models import OnboardingJob

        onboarding_job = OnboardingJob.objects.create(province_id="13", created_by=None, filename="export.csv")
        filed = Filing.objects.create(institution=inst, kind=Filing.Kind.INITIAL, status=Filing.Status.FILED,
                                      created_by=user, submitted_at=timezone.now(), due_on=today,
                                      decided_at=timezone.now(), receipt_number=f"{inst.region_id[:6]}-2020-{side}")
        from accounts import services as account_services

        personal_token, _raw = account_services.personal_token_create(actor=user, name=f"token {side}",
                                                                      scopes=["institutions:read"], days=5)
        invitation, _code = account_services.invitation_create(actor=admin_user, county_code=inst.region_id[:6])
        api_client, _secret = account_services.api_client_register(
            actor=admin_user, name=f"system {side}", role="official", region_id=city, scopes="metrics:read")
        from complaints.services import complaint_submit

        complaint = complaint_submit(institution=inst, category="safety", description="楼梯无护栏",
                                     phone="13900000001").complaint
        supervision_objects = _supervision_world(side, inst, admin_user)
        demonstration_objects = _demonstration_world(side, city)
        from enrolments import exporting
        from enrolments.models import ExportApproval

        # A bulk export asked for by an administrator (the side's staff may decide it) and one the side's staff
        # asked for that is approved (they may download it once).
        export_approval = exporting.export_approval_request(institution=inst, fmt="csv", purpose="年度核对",
                                                            actor=admin_user)
        export_approved = exporting.export_approval_request(institution=inst, fmt="csv", purpose="年度核对",
                                                            actor=user)
        ExportApproval.objects.filter(pk=export_approved.pk).update(status="approved", decided_by=admin_user)
        from enrolments import requests as guardian_requests

        guardian_request = guardian_requests.guardian_request_record(
            child=child, kind="access", requested_on=today, requester_name="王芳", requester_relation="mother",
            actor=user)
        from institutions.models import MentoringPair
        from mentoring.models import Goal
        from tests.factories import InstitutionFactory

        pair = MentoringPair.objects.create(mentor=inst, mentee=InstitutionFactory(region_id=inst.region_id),
                                            started_on=today - datetime.timedelta(days=30))
        goal = Goal.objects.create(pair=pair, text="建立晨午检制度")
        w[side] = {
            "pair": pair, "goal": goal,
            "export_approval": export_approval, "export_approved": export_approved,
            "guardian_request": guardian_request,
            **supervision_objects, **demonstration_objects,
            "complaint": complaint, "course": course, "registration": registration,
            "staff_user": user, "personal_token": personal_token, "invitation": invitation,
            "api_client": api_client,
            "filed_filing": filed, "institution": inst, "klass": klass, "member": member, "filing": filing,
            "document": document,
            "notification": notification, "booking": booking, "slot": slot, "child": child,
            "enrolment": enrolment, "job": job, "onboarding_job": onboarding_job, "pilot": pilot, "ranking": ranking,
            "region": inst.region_id, "county": inst.region_id[:6], "city": city,
        }
    w["A"].update(_yearend_world(w["A"], admin_user))
    w["B"].update(_yearend_world(w["B"], admin_user))
    snapshot_compute(date=today)
    return w


def _yearend_world(side: dict, admin_user) -> dict:
    """This year's year-end reporting of Hebei, and the side's institution's report submitted to its county."""
    from regions.models import Region
    from tests.yearend.conftest import complete_values
    from yearend import services as yearend

    province = Region.objects.get(code="13")
    template = yearend.yearend_template_ensure_shipped(region=province, actor=admin_user)
    obligation = yearend.yearend_obligation_open(region=province, year=timezone.localdate().year,
                                                 template=template, actor=admin_user)
    report = yearend.yearend_report_save_draft(institution=side["institution"], obligation=obligation,
                                               values=complete_values(), actor=side["staff_user"])
    report = yearend.yearend_report_submit(report=report, actor=side["staff_user"])
    return {"yearend_report": report, "year": str(obligation.year)}
def _training_world(centre, member, user):
    """A course of the side's guidance centre, not started yet, and the side's staff member registered for it."""
    from training import services as training_services
    from training.models import Course

    starts = timezone.localdate() + datetime.timedelta(days=10)
    course = Course.objects.create(centre=centre, kind=Course.Kind.BASIC, title="保育人员基础培训", starts_on=starts,
                                   ends_on=starts, hours=8, capacity=5)
    return course, training_services.registration_create(course=course, staff_member=member, actor=user)


def _supervision_world(side: str, inst, admin_user) -> dict:
    """Supervision in one area: its county official registers an inspector and plans a round; a targeted
    inspection with a photo is signed off with an immediate-risk finding; the county gives notice of
    suspension. Area A's inspector is the `county_official` actor; area B's is an official of 襄都区."""
    from accounts.models import User
    from supervision import services as supervision
    from tests.factories import UserFactory
    from tests.supervision.conftest import photo, record_all

    county = inst.region_id[:6]
    official = (User.objects.filter(username="county_a").first() if side == "A" else None) or UserFactory(
        username=f"county_{side.lower()}_x", role=User.Role.OFFICIAL, region_id=county)
    supervision.checklists_ensure_shipped()
    inspector = supervision.inspector_register(user=official, actor=official)
    checklist = supervision.checklist_latest("health-safety")
    round_ = supervision.round_plan(region_code=county, name=f"抽查{side}", checklist=checklist, share_percent=50,
                                    due_on=timezone.localdate() + datetime.timedelta(days=20), actor=official,
                                    inspectors_per_inspection=1)
    inspection = supervision.inspection_open_targeted(institution=inst, actor=official, source="incident", reason="x",
                                                      checklist=checklist, inspectors=[official])
    record_all(inspection, official, {"HS-15": "无人看护"})
    record = inspection.records.get(item__code="HS-15")
    evidence = supervision.evidence_add(record=record, file=photo(), actor=official)
    supervision.inspection_sign_off(inspection=inspection, actor=official)
    notice = supervision.suspension_notice_issue(inspection=inspection, reason="x", actor=official)
    return {"inspector": inspector, "inspector_user": official, "round": round_, "inspection": inspection,
            "order": inspection.rectification, "evidence": evidence, "suspension_notice": notice,
            "checklist_item": record.item, "checklist_code": checklist.code}


def _demonstration_world(side: str, city: str) -> dict:
    """The city's creation for this year, with a document against its first criterion, submitted for review."""
    from demonstration import services as demonstration
    from tests.demonstration.conftest import pdf
    from tests.factories import UserFactory

    demonstration.standards_ensure_shipped()
    official = UserFactory(username=f"dc_city_{side.lower()}", role="official", region_id=city)
    creation = demonstration.creation_open(city=city, year=timezone.localdate().year, actor=official)
    criterion = creation.standard.criteria.order_by("order").first()
    evidence = demonstration.evidence_add(creation=creation, criterion=criterion, file=pdf(), actor=official)
    demonstration.creation_submit(creation=creation, actor=official)
    return {"creation": creation, "creation_criterion": criterion, "creation_evidence": evidence}


# --- Rules ---------------------------------------------------------------------------------------

def area(actor, side) -> bool:
    """Staff of the object's institution, officials whose region contains it, administrators."""
    if actor is None:
        return False
    if actor.is_system_admin:
        return True
    if actor.is_institution_staff:
        return actor.institution_id == side["institution"].pk
    return actor.is_official and side["region"].startswith(actor.region_id)


def own(actor, side) -> bool:
    return actor is not None and actor.is_institution_staff and actor.institution_id == side["institution"].pk


def own_or_admin(actor, side) -> bool:
    return own(actor, side) or (actor is not None and actor.is_system_admin)


def admin_or_official(where: Callable) -> Callable:
    """Administrators, and the officials for whom `where(actor, side)` holds (staff never)."""
    def allowed(actor, side) -> bool:
        return actor is not None and (actor.is_system_admin or (actor.is_official and where(actor, side)))
    return allowed


def over(what: str) -> Callable:
    """Officials of the object's `what` (a region code of the side) or above it."""
    return lambda actor, side: side[what].startswith(actor.region_id)


def of_level(*lengths: int) -> Callable:
    """Officials of a level, by the length of their region code (2 province, 4 city, 6 county, 9 township)."""
    return lambda actor, side: len(actor.region_id) in lengths


def of_county(actor, side) -> bool:
    return actor.region_id == side["county"]


# Area pages of the object's county: officials of that county or above (not its townships).
officials_over_county = admin_or_official(over("county"))
# Setting a region's population: officials of the region (its county here) or above.
population_officials = officials_over_county
# A ranking of cities belongs to the province that ranks them (and a city's to the city).
officials_over_ranking = admin_or_official(lambda actor, side: side["ranking"].scope_id.startswith(actor.region_id))
# Publishing appointment slots: officials of a city (at its own centres).
city_level = admin_or_official(of_level(4))
# Suspending an institution, revoking its county's invitations: the county it filed with.
filing_authority = admin_or_official(of_county)
# Managing a staff account: its institution's county (never the account itself).
staff_account_manager = filing_authority
# Setting up mentoring pairs: city and province officials.
pairing_level = admin_or_official(of_level(2, 4))
# A mentoring pair's goals and close: the city or province officials holding both institutions.
pair_steering = admin_or_official(lambda actor, side: len(actor.region_id) in (2, 4)
                                  and side["region"].startswith(actor.region_id))
# The annual assessment pack of the side's city: its city and province officials.
pack_officials = admin_or_official(lambda actor, side: len(actor.region_id) in (2, 4)
                                   and side["city"].startswith(actor.region_id))
# Who has a level below them: province, city and county officials.
provisioners = admin_or_official(of_level(2, 4, 6))
# Onboarding a province's filed institutions: provincial officials.
province_level = admin_or_official(of_level(2))
# An onboarding import: the officials of its province (Hebei in both areas).
onboarding_job_province = admin_or_official(lambda actor, side: actor.region_id == side["onboarding_job"].province_id)


# Demonstration-city creation: followed by province and city officials; a creation is read by its city and the
# province over it; the city assembles and submits, the province scores, returns and finishes.
creation_followers = admin_or_official(of_level(2, 4))
creation_readers = admin_or_official(over("city"))


def creation_city(actor, side) -> bool:
    return actor is not None and actor.is_official and actor.region_id == side["city"]


def creation_province(actor, side) -> bool:
    return actor is not None and actor.is_official and len(actor.region_id) == 2 and side["city"].startswith(
        actor.region_id)


def reviewer(actor, side) -> bool:
    """Only the county official decides; an administrator administers, and does not review."""
    return actor is not None and actor.is_official and of_county(actor, side)


def county_officials(actor, side) -> bool:
    """The staff-invitations page: officials of a county (for their own county)."""
    return actor is not None and actor.is_official and len(actor.region_id) == 6


def token_owner(actor, side) -> bool:
    return actor is not None and actor.pk == side["staff_user"].pk


def token_owner_or_admin(actor, side) -> bool:
    return token_owner(actor, side) or (actor is not None and actor.is_system_admin)


def administrators(actor, side) -> bool:
    return actor is not None and actor.is_system_admin


admin_only = administrators


def planners(actor, side) -> bool:
    """Rounds and the inspector pool: city and county officials (for their own area)."""
    return actor is not None and actor.is_official and len(actor.region_id) in (4, 6)


def area_planners(actor, side) -> bool:
    """Acting on a round, a pool entry or a targeted inspection of the area: its county and city officials."""
    return planners(actor, side) and side["county"].startswith(actor.region_id)


def inspector_of(actor, side) -> bool:
    return actor is not None and actor.pk == side["inspector_user"].pk


def anyone(actor, side) -> bool:
    return True


def signed_in(actor, side) -> bool:
    return actor is not None


def staff_role(actor, side) -> bool:
    return actor is not None and actor.is_institution_staff


def staff_or_admin(actor, side) -> bool:
    return actor is not None and (actor.is_institution_staff or actor.is_system_admin)


def official_role(actor, side) -> bool:
    return actor is not None and (actor.is_official or actor.is_system_admin)


def nobody(actor, side) -> bool:
    return False


UNCHECKED = None  # the outcome depends on request data, not on who asks: not judged here
TASK_ID = "5f0c6b1e-8a41-4c52-9d1a-3b7e2f9c0d11"  # a recompute request's id (a Celery task id)


@dataclass(frozen=True)
class Rule:
    read: Callable | None
    write: Callable | None = UNCHECKED
    kwargs: Callable[[dict], dict] | None = None


def k(**fields):
    """kwargs builder: k(pk="filing") → {"pk": side["filing"].pk}."""
    def build(side):
        out = {}
        for key, what in fields.items():
            value = side[what]
            out[key] = value if isinstance(value, str) else value.pk
        return out
    return build


# A filing's actions, the same on its page and in the API: its staff submit, resubmit and withdraw; the county decides.
FILING_ACTIONS = {"submit": own, "resubmit": own, "withdraw": own, "approve": reviewer, "return": reviewer,
                  "reject": reviewer}

# Guidance-centre training: the officials of the centre's city (exactly) keep its courses' registrations.
centre_city = admin_or_official(lambda actor, side: actor.region_id == side["city"])
TRAINING_RULES = {
    "api-training-courses": Rule(signed_in, city_level),
    "api-training-course": Rule(signed_in, kwargs=k(pk="course")),
    "api-training-registrations": Rule(signed_in, staff_role),
    "api-training-registration-cancel": Rule(None, own, kwargs=k(pk="registration")),
    "api-training-attendance": Rule(None, centre_city, kwargs=k(pk="registration")),
    "api-training-certificate": Rule(None, centre_city, kwargs=k(pk="registration")),
    "api-training-figures": Rule(official_role), "api-training-institution-figures": Rule(signed_in),
    "training:home": Rule(signed_in, nobody), "training:course": Rule(signed_in, nobody, kwargs=k(pk="course")),
    "training:course_new": Rule(city_level, city_level),
    "training:register": Rule(nobody, staff_role, kwargs=k(pk="course")),
    "training:cancel": Rule(nobody, own, kwargs=k(pk="registration")),
    "training:attendance": Rule(nobody, centre_city, kwargs=k(pk="registration")),
    "training:certificate": Rule(nobody, centre_city, kwargs=k(pk="registration")),
}

# One line per URL name (a filing's actions from FILING_ACTIONS): who may read (GET) and who may write
# (POST/PUT/PATCH/DELETE).
RULES: dict[str, Rule] = {
    # Portal and accounts
    "home": Rule(anyone), "healthz": Rule(anyone), "favicon": Rule(anyone), "set_language": Rule(anyone, anyone),
    "text-size": Rule(None, anyone),  # a POST that sets a cookie, for everyone
    "javascript-catalog": Rule(anyone), "api-schema": Rule(anyone), "api-docs": Rule(anyone),
    "api-redoc": Rule(anyone), "api-redoc-bundle": Rule(anyone), "constant-json": Rule(anyone),
    "accounts:login": Rule(anyone, UNCHECKED), "accounts:logout": Rule(UNCHECKED, UNCHECKED),
    "api-me": Rule(signed_in),
    # Tokens, API clients, provisioning, invitations
    "accounts:token_create": Rule(nobody, signed_in),
    "accounts:token_revoke": Rule(nobody, token_owner, kwargs=k(pk="personal_token")),
    "accounts:people": Rule(provisioners, provisioners),
    "accounts:person": Rule(staff_account_manager, staff_account_manager, kwargs=k(pk="staff_user")),
    "accounts:invitations": Rule(county_officials, county_officials),
    "accounts:invitation_revoke": Rule(nobody, filing_authority, kwargs=k(pk="invitation")),
    "accounts:invitation_enter": Rule(anyone, UNCHECKED),
    "accounts:invitation_accept": Rule(anyone, UNCHECKED, kwargs=lambda s: {"code": "ABCDE-FGHJK"}),
    "accounts:clients": Rule(admin_only, admin_only),
    "accounts:client_revoke": Rule(nobody, admin_only, kwargs=k(pk="api_client")),
    "accounts:password_setup": Rule(anyone, UNCHECKED, kwargs=lambda s: {"uidb64": "MQ", "token": "x-y"}),
    "api-personal-tokens": Rule(signed_in),
    "api-personal-token-revoke": Rule(None, token_owner_or_admin, kwargs=k(pk="personal_token")),
    "api-oauth-token": Rule(UNCHECKED, UNCHECKED), "api-oauth-revoke": Rule(UNCHECKED, UNCHECKED),
    "api-clients": Rule(admin_only, admin_only),
    "api-client-revoke": Rule(None, admin_only, kwargs=k(pk="api_client")),
    "api-accounts": Rule(signed_in, UNCHECKED),
    "api-account": Rule(area, staff_account_manager, kwargs=k(pk="staff_user")),
    "api-account-deactivate": Rule(None, staff_account_manager, kwargs=k(pk="staff_user")),
    "api-account-reactivate": Rule(None, staff_account_manager, kwargs=k(pk="staff_user")),
    "api-invitations": Rule(signed_in, UNCHECKED),
    "api-invitation-accept": Rule(None, UNCHECKED),
    "api-invitation-revoke": Rule(None, filing_authority, kwargs=k(pk="invitation")),
    # The events feed: everyone signed in reads their own area's events (scoping: tests/audit)
    "api-events": Rule(signed_in),
    "accounts:security": Rule(signed_in, UNCHECKED), "accounts:verify": Rule(signed_in, UNCHECKED),
    # Regions: public reference data
    "api-region-list": Rule(anyone), "api-region-detail": Rule(anyone, kwargs=k(code="county")),
    "api-region-populations": Rule(anyone, population_officials, kwargs=k(code="county")),
    "api-region-population": Rule(UNCHECKED, population_officials,
                                  kwargs=lambda s: {"code": s["county"], "year": 2020}),
    "api-region-load": Rule(administrators, administrators),
    "regions:load": Rule(administrators, administrators),
    "regions:populations": Rule(official_role, population_officials, kwargs=k(code="county")),
    "regions:populations_upload": Rule(official_role, official_role),
    "api-population-upload": Rule(None, official_role),
    # Institutions
    "institutions:list": Rule(official_role), "institutions:detail": Rule(area, kwargs=k(pk="institution")),
    "institutions:suspend": Rule(None, filing_authority, kwargs=k(pk="institution")),
    "institutions:lift_suspension": Rule(None, filing_authority, kwargs=k(pk="institution")),
    "institutions:mentoring": Rule(official_role, pairing_level),
    # Staff registry: double registrations for officials (their area's), certificates due for everyone's own
    "institutions:staff_registry": Rule(official_role),
    "api-double-registrations": Rule(official_role), "api-certificates-due": Rule(signed_in),
    "institutions:guidance_centres": Rule(official_role, pairing_level),
    "institutions:mine": Rule(staff_role, staff_role), "institutions:create": Rule(UNCHECKED, UNCHECKED),
    "institutions:edit": Rule(staff_role, UNCHECKED),
    "institutions:class_add": Rule(staff_role, UNCHECKED),
    "institutions:class_edit": Rule(own, own, kwargs=k(pk="klass")),
    "institutions:class_close": Rule(own, own, kwargs=k(pk="klass")),
    "institutions:staff_add": Rule(staff_role, UNCHECKED),
    "institutions:staff_edit": Rule(own, own, kwargs=k(pk="member")),
    "institutions:staff_certificates": Rule(own, own, kwargs=k(pk="member")),
    "institutions:register": Rule(anyone), "institutions:register_detail": Rule(anyone, kwargs=k(pk="institution")),
    "api-institution-list": Rule(signed_in, UNCHECKED),
    "api-institution-detail": Rule(area, own_or_admin, kwargs=k(pk="institution")),
    "api-institution-classes": Rule(area, own_or_admin, kwargs=k(pk="institution")),
    "api-institution-class": Rule(area, own_or_admin, kwargs=k(pk="institution", class_pk="klass")),
    "api-institution-class-close": Rule(area, own_or_admin, kwargs=k(pk="institution", class_pk="klass")),
    "api-institution-staff": Rule(area, own_or_admin, kwargs=k(pk="institution")),
    "api-institution-staff-member": Rule(area, own_or_admin, kwargs=k(pk="institution", member_pk="member")),
    "api-institution-suspend": Rule(None, filing_authority, kwargs=k(pk="institution")),
    "api-institution-lift-suspension": Rule(None, filing_authority, kwargs=k(pk="institution")),
    "api-mentoring-pairs": Rule(signed_in, pairing_level), "api-guidance-centres": Rule(signed_in, pairing_level),
    # Mentoring pairs' work: everyone who sees the pair reads it; the mentor's staff record visits, the
    # officials steering it set goals and close it. An active pair has no outcome yet (404 for all).
    "mentoring:pair": Rule(area, kwargs=k(pk="pair")),
    "mentoring:visit_add": Rule(None, own_or_admin, kwargs=k(pk="pair")),
    "mentoring:goal_add": Rule(None, pair_steering, kwargs=k(pk="pair")),
    "mentoring:goal_mark": Rule(None, pair_steering, kwargs=k(pk="pair", goal_pk="goal")),
    "mentoring:close": Rule(None, pair_steering, kwargs=k(pk="pair")),
    "api-mentoring-goals": Rule(area, pair_steering, kwargs=k(pk="pair")),
    "api-mentoring-goal": Rule(None, pair_steering, kwargs=k(pk="pair", goal_pk="goal")),
    "api-mentoring-visits": Rule(area, own_or_admin, kwargs=k(pk="pair")),
    "api-mentoring-outcome": Rule(UNCHECKED, pair_steering, kwargs=k(pk="pair")),
    "api-mentoring-figures": Rule(official_role),
    "institutions:onboarding": Rule(province_level, UNCHECKED),
    "institutions:onboarding_template": Rule(province_level),
    "institutions:onboarding_job": Rule(onboarding_job_province, onboarding_job_province,
                                        kwargs=k(pk="onboarding_job")),
    "institutions:onboarding_progress": Rule(onboarding_job_province, kwargs=k(pk="onboarding_job")),
    "api-onboarding-imports": Rule(signed_in, UNCHECKED),
    "api-onboarding-import": Rule(onboarding_job_province, kwargs=k(pk="onboarding_job")),
    "api-onboarding-import-confirm": Rule(None, onboarding_job_province, kwargs=k(pk="onboarding_job")),
    "api-register-list": Rule(anyone), "api-register-detail": Rule(anyone, kwargs=k(pk="institution")),
    # Filings
    "filings:mine": Rule(staff_role, UNCHECKED), "filings:create": Rule(staff_role, UNCHECKED),
    "filings:queue": Rule(official_role), "filings:appointments": Rule(official_role, UNCHECKED),
    "filings:notifications": Rule(signed_in), "filings:notifications_read": Rule(UNCHECKED, signed_in),
    "filings:rejections": Rule(anyone), "filings:book": Rule(UNCHECKED, UNCHECKED),
    "filings:booking_cancel": Rule(UNCHECKED, own, kwargs=k(pk="booking")),
    "filings:booking_move": Rule(UNCHECKED, UNCHECKED, kwargs=k(pk="booking")),
    "filings:document": Rule(area, UNCHECKED, kwargs=k(pk="document")),
    "filings:document_remove": Rule(UNCHECKED, own, kwargs=k(pk="document")),
    "filings:detail": Rule(area, UNCHECKED, kwargs=k(pk="filing")),
    "filings:edit": Rule(own, own, kwargs=k(pk="filing")),
    "filings:class_change_add": Rule(own, own, kwargs=k(pk="filing")),
    "filings:class_change_remove": Rule(own, own, kwargs=lambda s: {"pk": s["filing"].pk, "index": 0}),
    "filings:upload": Rule(own, own, kwargs=k(pk="filing")),
    **{f"filings:{action}": Rule(UNCHECKED, who, kwargs=k(pk="filing")) for action, who in FILING_ACTIONS.items()},
    "filings:receipt": Rule(area, kwargs=k(pk="filed_filing")),
    "api-filing-list": Rule(signed_in, UNCHECKED),
    "api-filing-detail": Rule(area, own, kwargs=k(pk="filing")),
    **{f"api-filing-{action}": Rule(None, who, kwargs=k(pk="filing")) for action, who in FILING_ACTIONS.items()},
    "api-filing-documents": Rule(area, own_or_admin, kwargs=k(pk="filing")),
    "api-document-download": Rule(area, kwargs=k(pk="document")),
    "filings:slots": Rule(official_role, city_level),
    "api-slot-list": Rule(signed_in, city_level), "api-booking-list": Rule(signed_in, UNCHECKED),
    "api-booking-cancel": Rule(None, own, kwargs=k(pk="booking")),
    "api-booking-move": Rule(None, own, kwargs=k(pk="booking")),
    "api-notification-list": Rule(signed_in),
    "api-notification-read": Rule(None, own, kwargs=k(pk="notification")),
    # Enrolments: children's personal data only for their institution's staff
    "enrolments:classes": Rule(staff_role), "enrolments:enrol": Rule(staff_role, UNCHECKED),
    "enrolments:enrol_existing": Rule(own, own, kwargs=k(pk="child")),
    "enrolments:move": Rule(own, own, kwargs=k(pk="enrolment")),
    "enrolments:withdraw": Rule(own, own, kwargs=k(pk="enrolment")),
    "enrolments:child": Rule(own_or_admin, UNCHECKED, kwargs=k(pk="child")),
    "enrolments:due": Rule(staff_role), "enrolments:export": Rule(staff_role, UNCHECKED),
    "enrolments:export_decide": Rule(None, own, kwargs=k(pk="export_approval")),
    "enrolments:export_fetch": Rule(None, own, kwargs=k(pk="export_approved")),
    "enrolments:consent": Rule(None, own_or_admin, kwargs=k(pk="child")),
    "enrolments:guardian_requests": Rule(staff_role, UNCHECKED),
    "enrolments:guardian_request": Rule(own, own, kwargs=k(pk="guardian_request")),
    "enrolments:import": Rule(staff_role, UNCHECKED),
    "enrolments:import_template": Rule(staff_role, kwargs=lambda s: {"fmt": "csv"}),
    "enrolments:import_job": Rule(own, UNCHECKED, kwargs=k(pk="job")),
    "enrolments:import_progress": Rule(own, UNCHECKED, kwargs=k(pk="job")),
    "enrolments:reports": Rule(staff_role, UNCHECKED),
    "enrolments:report_action": Rule(UNCHECKED, UNCHECKED, kwargs=lambda s: {"action": "prepare"}),
    "enrolments:reporting": Rule(official_role), "enrolments:occupancy": Rule(official_role),
    "api-children": Rule(signed_in, UNCHECKED), "api-child": Rule(own_or_admin, kwargs=k(pk="child")),
    "api-enrolments": Rule(signed_in, UNCHECKED), "api-enrolment": Rule(own_or_admin, kwargs=k(pk="enrolment")),
    "api-enrolment-move": Rule(None, own_or_admin, kwargs=k(pk="enrolment")),
    "api-enrolment-end": Rule(None, own_or_admin, kwargs=k(pk="enrolment")),
    "api-enrolment-import": Rule(None, UNCHECKED), "api-enrolment-reports": Rule(signed_in, UNCHECKED),
    "api-report-completeness": Rule(official_role),
    "api-report-confirm": Rule(None, UNCHECKED), "api-report-submit": Rule(None, UNCHECKED),
    "api-occupancy": Rule(official_role),
    # Recording a request: staff and administrators get a 400 for the empty body, officials a 403 before it.
    "api-guardian-requests": Rule(signed_in, staff_or_admin),
    "api-guardian-request": Rule(own_or_admin, kwargs=k(pk="guardian_request")),
    "api-guardian-request-answer": Rule(None, own_or_admin, kwargs=k(pk="guardian_request")),
    # export_approval was asked for by the administrator: only the institution's staff may decide it.
    "api-export-approvals": Rule(signed_in),
    "api-export-approval-approve": Rule(None, own, kwargs=k(pk="export_approval")),
    "api-export-approval-refuse": Rule(None, own, kwargs=k(pk="export_approval")),
    # Pilots, metrics, dashboards: officials of the area
    "pilots:list": Rule(official_role),
    "api-pilots": Rule(signed_in), "api-pilot-scorecards": Rule(signed_in), "api-pilot-assessments": Rule(signed_in),
    "api-pilot-assess": Rule(None, UNCHECKED, kwargs=k(pk="pilot")),
    "api-pilot-complete": Rule(None, UNCHECKED, kwargs=k(pk="pilot")),
    "api-progress-reports": Rule(signed_in, UNCHECKED), "api-reporting-rates": Rule(signed_in),
    "api-metrics-snapshots": Rule(signed_in), "api-metrics-regions": Rule(signed_in),
    "api-metrics-region": Rule(officials_over_county, kwargs=k(code="county")),
    "api-metrics-region-series": Rule(officials_over_county, kwargs=k(code="county")),
    "api-metrics-recompute": Rule(None, UNCHECKED),
    "api-metrics-recompute-status": Rule(UNCHECKED, kwargs=lambda s: {"task_id": "no-such-task"}),
    "api-metrics-rankings": Rule(signed_in), "api-metrics-ranking-compute": Rule(None, UNCHECKED),
    "api-metrics-ranking": Rule(officials_over_ranking, kwargs=k(pk="ranking")),
    "api-metrics-ranking-publish": Rule(None, UNCHECKED, kwargs=k(pk="ranking")),
    "api-metrics-ranking-weights": Rule(UNCHECKED, UNCHECKED, kwargs=k(code="city")),
    "metrics:recompute": Rule(official_role, official_role),
    "metrics:recompute-status": Rule(official_role, kwargs=lambda s: {"task_id": TASK_ID}),
    "metrics:recompute-progress": Rule(official_role, kwargs=lambda s: {"task_id": TASK_ID}),
    # Supervision after filing
    "supervision:home": Rule(signed_in), "supervision:checklists": Rule(signed_in),
    "supervision:checklist_new_version": Rule(official_role, official_role, kwargs=k(code="checklist_code")),
    "supervision:round_new": Rule(planners, planners),
    "supervision:round": Rule(officials_over_county, kwargs=k(pk="round")),
    "supervision:round_draw": Rule(None, area_planners, kwargs=k(pk="round")),
    "supervision:round_start": Rule(None, area_planners, kwargs=k(pk="round")),
    "supervision:inspection": Rule(area, kwargs=k(pk="inspection")),
    "supervision:item_record": Rule(None, inspector_of, kwargs=k(pk="inspection", item_pk="checklist_item")),
    "supervision:sign_off": Rule(None, inspector_of, kwargs=k(pk="inspection")),
    "supervision:assign": Rule(None, area_planners, kwargs=k(pk="inspection")),
    "supervision:suspension_notice": Rule(None, filing_authority, kwargs=k(pk="inspection")),
    "supervision:rectification_answer": Rule(None, own, kwargs=k(pk="order")),
    "supervision:rectification_decide": Rule(None, inspector_of, kwargs=k(pk="order")),
    "supervision:suspension_object": Rule(None, own, kwargs=k(pk="suspension_notice")),
    "supervision:suspension_decide": Rule(None, filing_authority, kwargs=k(pk="suspension_notice")),
    "supervision:evidence": Rule(area, kwargs=k(pk="evidence")),
    "supervision:targeted_new": Rule(area_planners, area_planners, kwargs=k(pk="institution")),
    "supervision:inspectors": Rule(official_role, planners),
    "supervision:inspector_withdraw": Rule(None, area_planners, kwargs=k(pk="inspector")),
    "api-supervision-checklists": Rule(signed_in, official_role),
    "api-supervision-inspectors": Rule(signed_in, planners),
    "api-supervision-inspector-withdraw": Rule(None, area_planners, kwargs=k(pk="inspector")),
    "api-supervision-rounds": Rule(signed_in, planners),
    "api-supervision-round": Rule(officials_over_county, kwargs=k(pk="round")),
    "api-supervision-round-draw": Rule(None, area_planners, kwargs=k(pk="round")),
    "api-supervision-round-start": Rule(None, area_planners, kwargs=k(pk="round")),
    "api-supervision-inspections": Rule(signed_in, planners),
    "api-supervision-inspection": Rule(area, kwargs=k(pk="inspection")),
    "api-supervision-record": Rule(None, inspector_of, kwargs=k(pk="inspection")),
    "api-supervision-evidence": Rule(None, inspector_of, kwargs=k(pk="inspection")),
    "api-supervision-assign": Rule(None, area_planners, kwargs=k(pk="inspection")),
    "api-supervision-sign-off": Rule(None, inspector_of, kwargs=k(pk="inspection")),
    "api-supervision-suspension-notice": Rule(None, filing_authority, kwargs=k(pk="inspection")),
    "api-supervision-rectifications": Rule(signed_in),
    "api-supervision-rectification-answer": Rule(None, own, kwargs=k(pk="order")),
    "api-supervision-rectification-decide": Rule(None, inspector_of, kwargs=k(pk="order")),
    "api-supervision-suspension-object": Rule(None, own, kwargs=k(pk="suspension_notice")),
    "api-supervision-suspension-decide": Rule(None, filing_authority, kwargs=k(pk="suspension_notice")),
    "api-supervision-disclosure": Rule(anyone, kwargs=k(pk="institution")),
    "dashboards:area": Rule(officials_over_county, kwargs=k(code="county")),
    "dashboards:planner": Rule(officials_over_county, kwargs=k(code="county")),
    "dashboards:report": Rule(officials_over_county, kwargs=k(code="county")),
    "dashboards:report-pdf": Rule(officials_over_county, kwargs=k(code="county")),
    "dashboards:export": Rule(officials_over_county, kwargs=lambda s: {"code": s["county"], "table": "regions",
                                                                    "fmt": "csv"}),
    # Complaints: anyone files and follows one; the officials over its county read it; only the county
    # handling it answers it and reads the complainant's contact (everyone else: 404).
    "complaints:submit": Rule(anyone, anyone, kwargs=k(institution_pk="institution")),
    "complaints:filed": Rule(anyone), "complaints:track": Rule(anyone, anyone),
    "complaints:queue": Rule(official_role),
    "complaints:detail": Rule(officials_over_county, reviewer, kwargs=k(pk="complaint")),
    "complaints:contact": Rule(reviewer, nobody, kwargs=k(pk="complaint")),
    "api-public-complaint-create": Rule(None, anyone), "api-public-complaint-lookup": Rule(None, anyone),
    "api-complaints": Rule(signed_in),
    "api-complaint": Rule(officials_over_county, kwargs=k(pk="complaint")),
    "api-complaint-answer": Rule(None, reviewer, kwargs=k(pk="complaint")),
    "api-complaint-contact": Rule(reviewer, kwargs=k(pk="complaint")),
    "complaints:open_inspection": Rule(nobody, reviewer, kwargs=k(pk="complaint")),
    # Year-end reports: the institution's staff write and submit, its county decides; the pack for city and
    # province officials
    "yearend:home": Rule(signed_in),
    "yearend:edit": Rule(staff_role, staff_role, kwargs=lambda s: {"year": int(s["year"])}),
    "yearend:report": Rule(area, kwargs=k(pk="yearend_report")),
    "yearend:accept": Rule(None, reviewer, kwargs=k(pk="yearend_report")),
    "yearend:return": Rule(None, reviewer, kwargs=k(pk="yearend_report")),
    **{f"yearend:{name}": Rule(pack_officials, kwargs=lambda s: {"code": s["city"], "year": int(s["year"])})
       for name in ("pack", "pack_pdf", "pack_xlsx")},
    "api-yearend-obligations": Rule(signed_in),
    "api-yearend-reports": Rule(signed_in, staff_role),
    "api-yearend-report": Rule(area, kwargs=k(pk="yearend_report")),
    "api-yearend-report-submit": Rule(None, own, kwargs=k(pk="yearend_report")),
    "api-yearend-report-accept": Rule(None, reviewer, kwargs=k(pk="yearend_report")),
    "api-yearend-report-return": Rule(None, reviewer, kwargs=k(pk="yearend_report")),
    "api-yearend-rates": Rule(signed_in),
    "api-yearend-pack": Rule(pack_officials, kwargs=lambda s: {"code": s["city"], "year": int(s["year"])}),
    "api-complaint-inspection": Rule(None, reviewer, kwargs=k(pk="complaint")),
    # Demonstration-city creation (the side's creation is submitted: the city's own acts answer 409 or a message)
    "demonstration:index": Rule(creation_followers), "demonstration:standards": Rule(creation_followers),
    "demonstration:standard_new_version": Rule(admin_or_official(of_level(2)), admin_or_official(of_level(2))),
    "demonstration:open": Rule(None, creation_followers),
    "demonstration:creation": Rule(creation_readers, kwargs=k(pk="creation")),
    "demonstration:criterion": Rule(creation_readers, kwargs=k(pk="creation", criterion_pk="creation_criterion")),
    "demonstration:evidence_upload": Rule(None, creation_city,
                                          kwargs=k(pk="creation", criterion_pk="creation_criterion")),
    "demonstration:note": Rule(None, creation_city, kwargs=k(pk="creation", criterion_pk="creation_criterion")),
    "demonstration:score": Rule(None, creation_province,
                                kwargs=k(pk="creation", criterion_pk="creation_criterion")),
    "demonstration:submit": Rule(None, creation_city, kwargs=k(pk="creation")),
    "demonstration:return": Rule(None, creation_province, kwargs=k(pk="creation")),
    "demonstration:finish": Rule(None, creation_province, kwargs=k(pk="creation")),
    "demonstration:evidence": Rule(creation_readers, kwargs=k(pk="creation_evidence")),
    "demonstration:evidence_remove": Rule(None, creation_city, kwargs=k(pk="creation_evidence")),
    "api-demonstration-standards": Rule(signed_in, admin_or_official(of_level(2))),
    "api-demonstration-ranking": Rule(signed_in),
    "api-demonstration-creations": Rule(signed_in, UNCHECKED),
    "api-demonstration-creation": Rule(creation_readers, kwargs=k(pk="creation")),
    "api-demonstration-evidence": Rule(None, creation_city, kwargs=k(pk="creation")),
    "api-demonstration-note": Rule(None, creation_city, kwargs=k(pk="creation")),
    "api-demonstration-submit": Rule(None, creation_city, kwargs=k(pk="creation")),
    "api-demonstration-score": Rule(None, creation_province, kwargs=k(pk="creation")),
    "api-demonstration-return": Rule(None, creation_province, kwargs=k(pk="creation")),
    "api-demonstration-finish": Rule(None, creation_province, kwargs=k(pk="creation")),
    # Training: courses are public to everyone signed in; a centre's city publishes them, records attendance and
    # issues certificates; registrations (staff names) only for their institution's staff and that city.
    **TRAINING_RULES,
}


# --- The test -------------------------------------------------------------------------------------

# Routes that share a URL name with an object route but take no object: the caller's own area.
RULES_BY_ROUTE: dict[str, Rule] = {
    "dashboards/": Rule(official_role),
}


def _inconclusive(response) -> bool:
    """415: the body's media type was refused before anyone looked at the object or the caller."""
    return response.status_code == 415


def _denied(response) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    return response.status_code in (301, 302) and "/accounts/login/" in response.get("Location", "")


def test_every_url_has_a_rule():
    missing = sorted({e.name for e in discover()} - set(RULES))
    assert missing == [], f"add these URL names to RULES in {__file__}: {missing}"


def test_access_matrix(world, request, settings):
    from django.test import Client
    from django.urls import reverse

    settings.AXES_ENABLED = False
    actors = {name: (None if name == "anonymous" else request.getfixturevalue(name)) for name in ACTORS}
    # One signed-in client per actor, signed in again only when a request ended its session (a sign-out):
    # signing in before each of thousands of requests was most of this test's time.
    clients, sessions = {}, {}

    def session_of(c):
        morsel = c.cookies.get(settings.SESSION_COOKIE_NAME)
        return morsel.value if morsel else ""

    def client_of(actor_name):
        c = clients.get(actor_name)
        if c is None or session_of(c) != sessions[actor_name]:
            c = clients[actor_name] = Client(raise_request_exception=False)
            if actors[actor_name] is not None:
                c.force_login(actors[actor_name])
            sessions[actor_name] = session_of(c)
        return c

    unexpected_access, unexpected_denial, errors, cases = [], [], [], 0
    for endpoint in discover():
        rule = RULES_BY_ROUTE.get(endpoint.route) or RULES.get(endpoint.name)
        if rule is None:
            continue
        sides = ("A", "B") if endpoint.kwargs else ("A",)
        for side_name in sides:
            side = world[side_name]
            if endpoint.kwargs and rule.kwargs is None:
                continue
            kwargs = rule.kwargs(side) if endpoint.kwargs else {}
            try:
                url = reverse(endpoint.name, kwargs=kwargs)
            except NoReverseMatch:  # a name shared by two routes with different kwargs
                continue
            for method in endpoint.methods:
                policy = rule.read if method == "get" else rule.write
                if policy is UNCHECKED:
                    continue
                for actor_name, actor in actors.items():
                    expected = policy(actor, side)
                    c = client_of(actor_name)
                    with transaction.atomic():
                        response = getattr(c, method)(url, content_type="application/json") \
                            if method != "get" else c.get(url)
                        transaction.set_rollback(True)
                    cases += 1
                    denied = _denied(response)
                    line = f"{method.upper()} {url} as {actor_name}: {response.status_code}"
                    if _inconclusive(response):
                        continue
                    if response.status_code >= 500:
                        errors.append(line)
                    elif denied and expected and response.status_code != 405:
                        unexpected_denial.append(line)
                    elif not denied and not expected:
                        unexpected_access.append(line)
    print(f"access matrix: {cases} cases ({len(RULES)} URL rules × {len(ACTORS)} actors × methods × areas)")
    assert errors == [], "server errors:\n" + "\n".join(errors)
    assert unexpected_access == [], "unexpected access:\n" + "\n".join(unexpected_access)
    assert unexpected_denial == [], "unexpected denial:\n" + "\n".join(unexpected_denial)
