"""Who may do what: every rule about roles and areas, in one place.

Each rule is a named predicate taking the user (and the object it is about) and answering True or
False; a service checks with `require(predicate(...), message)`, which raises `PermissionDenied`.
Pages and the API turn that into a response in one place (`denial_status`): a refusal about an object
outside the caller's area is a 404, so its existence does not leak, any other refusal a 403
(`require_in_area` and `require_visible` decide which, by the region or by the object's `visible_to`).

The roles (see `accounts.models.User`):
- an **administrator** administers the portal everywhere; it keeps records on an institution's
  behalf but does not file, book or review for anyone;
- an **official** belongs to one region; its level (province, city, county, township) and the
  region's code decide what it oversees (everything whose code starts with its region's code);
- **institution staff** belong to one institution (an account may exist before its institution is
  registered: it is then staff of none).

Which predicates exist, in the words of the domain:

| predicate | true for |
|---|---|
| `is_admin(user)` | administrators (and superusers) |
| `is_official(user)` | officials with a region |
| `is_official_or_admin(user)` | the government side: officials and administrators |
| `at_level_or_above(user, level)` | administrators, officials of that level or higher |
| `area_of(user)` | (not a predicate) "" for administrators, the official's region code, else None |
| `is_institution_staff(user)` | institution-staff accounts, linked to an institution or not yet |
| `is_linked_staff(user)` | institution staff whose institution is registered |
| `is_staff_of(user, institution)` | staff linked to that institution — never an administrator |
| `registers_institutions(user)` | institution staff, and administrators |
| `keeps_records_of(user, institution)` | its staff, and administrators (particulars, classes, staff, enrolments) |
| `oversees(user, region)` | officials whose area contains the region |
| `in_area(user, region)` | administrators, and officials overseeing it |
| `is_reviewer(user)` | county officials (each reviews its own county's filings) |
| `reviews(user, institution)` | the county officials of the institution's county (they decide its filings) |
| `suspends(user, institution)` | the reviewing county, and administrators |
| `oversees_cities(user)` | administrators, province and city officials |
| `publishes_slots_at(user, centre)` | administrators, and officials of the centre's city |
| `runs_training(user)` | administrators, and city officials (at their own city's guidance centres) |
| `runs_training_at(user, centre)` | administrators, its city's officials (courses, attendance, certificates) |
| `registers_for_training(user, member, course)` | the member's institution's staff, for a course of its province |
| `records_centre(user, city_code)` | city or province officials holding the city, and administrators |
| `pairs(user, mentor, mentee)` | city or province officials holding both institutions, and administrators |
| `steers_pair(user, pair)` | who may pair its two institutions: they set its goals and close it with its outcome |
| `records_visits_of(user, pair)` | the mentor institution's staff, and administrators on its behalf |
| `governs(user, region)` | administrators, and the officials of exactly that region |
| `registers_api_clients(user)` | administrators (other systems' client credentials) |
| `may_revoke_personal_token(user, token)` | the token's owner, and administrators |
| `provisions(user, region)` | administrators, and officials of the region one level up (province → its cities…) |
| `provisions_anyone(user)` | administrators, province, city and county officials |
| `invites_staff_to(user, county_code)` | the county's officials, and administrators |
| `manages_account(user, account)` | who provisions the account's region; for staff, their county; administrators |
| `publishes_slots(user)` | administrators, and city officials (at their own city's centres) |
| `loads_divisions(user)` | administrators (loading a province's division codes) |
| `sets_population_of(user, region)` | administrators, and officials overseeing the region |
| `uploads_populations(user)` | administrators and officials (each row must be in their area) |
| `handles_complaint(user, complaint)` | the officials of the complaint's county (answer it, read the contact) |
| `supervises_cases(user)` | city and county officials (rounds, the inspector pool, targeted inspections) |
| `plans_inspections(user, region)` | city and county officials for their area (rounds, the inspector pool) |
| `supervises(user, institution)` | its county's and city's officials (targeted inspections, assigning inspectors) |
| `inspects(user, inspection)` | the inspectors assigned to the inspection |
| `assembles_creation(user, city)` | the officials of exactly that city (evidence, notes, submission of its creation) |
| `opens_creation(user, city)` | the city's officials, the province's over it, and administrators |
| `scores_creation(user, city)` | province officials over the city (score, return, finish) |
| `edits_creation_standard(user)` | province officials, and administrators |
| `approves_export(user, approval)` | a second person: staff of the institution or administrators, not the requester |
| `handles_guardian_requests(user, institution)` | the institution's staff, and administrators |
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from regions import codes


class OutsideArea(PermissionDenied):
    """Refused because the object lies outside the caller's area: answered as "not found", so
    nobody learns that an object they may not see exists."""


def require(allowed: bool, message: str | None = None, *, outside_area: bool = False) -> None:
    """Raises `PermissionDenied` (or `OutsideArea`, answered 404) with `message` unless `allowed`."""
    if not allowed:
        raise (OutsideArea if outside_area else PermissionDenied)(message or _("You may not do this."))


def require_in_area(allowed: bool, message: str, *, user, region) -> None:
    """`require`, refused as "not found" when `region` (a Region or a code) lies outside the user's area."""
    if not allowed:
        require(False, message, outside_area=not in_area(user, region))


def require_visible(allowed: bool, message: str, *, user, obj) -> None:
    """`require`, refused as "not found" when the user may not even see `obj` (its model's `visible_to`)."""
    if not allowed:
        seen = type(obj)._default_manager.visible_to(user).filter(pk=obj.pk).exists()
        require(False, message, outside_area=not seen)


def denial_status(exc: PermissionDenied) -> int:
    """The HTTP status of a refusal, for pages and API alike."""
    return 404 if isinstance(exc, OutsideArea) else 403


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated)


def _code(region) -> str | None:
    return getattr(region, "code", region)


def _pk(obj):
    return getattr(obj, "pk", obj)


# --- Roles ----------------------------------------------------------------------------------------

def is_admin(user) -> bool:
    return _signed_in(user) and user.is_system_admin


def is_official(user) -> bool:
    """An official with a region (the database refuses an official without one)."""
    return _signed_in(user) and user.is_official and bool(user.region_id)


def is_institution_staff(user) -> bool:
    return _signed_in(user) and user.is_institution_staff


def is_linked_staff(user) -> bool:
    """Institution staff whose institution is registered (the staff workspace needs one)."""
    return is_institution_staff(user) and user.institution_id is not None


def is_official_or_admin(user) -> bool:
    """The government side of the portal: officials of every level, and administrators."""
    return is_official(user) or is_admin(user)


def official_level(user) -> str | None:
    """province, city, county or township for an official; None for everyone else."""
    return codes.level_of(user.region_id) if is_official(user) else None


def at_level_or_above(user, level: str) -> bool:
    """Administrators, and officials of `level` or a higher one (a province is above a city)."""
    own = official_level(user)
    return is_admin(user) or (own is not None and codes.LEVEL_LENGTHS[own] <= codes.LEVEL_LENGTHS[level])


def area_of(user) -> str | None:
    """The code prefix of everything the user oversees: "" (the whole country) for an administrator,
    the region's code for an official, None for everyone else."""
    if is_admin(user):
        return ""
    return user.region_id if is_official(user) else None


# --- Institutions ---------------------------------------------------------------------------------

def is_staff_of(user, institution) -> bool:
    """The user is staff of this institution (an Institution or its id).

    One rule for every write that is the institution's own act (filing, booking, answering a
    return): only an institution-staff account linked to it. An administrator is staff of no
    institution, and an account whose institution is not registered yet is staff of none.
    """
    return is_linked_staff(user) and user.institution_id == _pk(institution)


def registers_institutions(user) -> bool:
    """Institution staff register their institution (once: a linked account is refused); administrators
    register any."""
    return is_institution_staff(user) or is_admin(user)


def keeps_records_of(user, institution) -> bool:
    """May keep the institution's records (particulars of a draft, classes, staff, enrolments):
    its staff, and administrators, who correct records on an institution's behalf."""
    return is_staff_of(user, institution) or is_admin(user)


# --- Areas ----------------------------------------------------------------------------------------

def oversees(user, region) -> bool:
    """An official whose area contains the region (a Region or a division code), itself included."""
    return is_official(user) and codes.contains(user.region_id, _code(region))


def in_area(user, region) -> bool:
    """The region is in the user's area: an administrator's area is the whole country."""
    return is_admin(user) or oversees(user, region)


def governs(user, region) -> bool:
    """The officials of exactly this region (its own commission), and administrators: they set the
    region's own rules (ranking weights, report templates) and publish its figures."""
    return is_admin(user) or (is_official(user) and user.region_id == _code(region))


def is_reviewer(user) -> bool:
    """A county official: the level that decides filings (of its own county only, see `reviews`)."""
    return official_level(user) == codes.COUNTY


def reviews(user, institution) -> bool:
    """The county officials of the institution's county: the only ones who decide its filings.

    An administrator administers, and does not review; a township official of the county does not either.
    """
    return is_reviewer(user) and user.region_id == codes.county_of(institution.region_id)


def suspends(user, institution) -> bool:
    """The county commission the institution filed with, and administrators, may suspend it."""
    return is_admin(user) or reviews(user, institution)


def oversees_cities(user) -> bool:
    """Officials of a province or a city (not of a county or township), and administrators."""
    return at_level_or_above(user, codes.CITY)


def records_centre(user, city_code: str | None) -> bool:
    """A city's guidance centre is recorded by that city's officials, its province's, or an administrator."""
    return is_admin(user) or (oversees_cities(user) and oversees(user, city_code))


def publishes_slots_at(user, centre) -> bool:
    """Appointment slots at a guidance centre: officials of the centre's city, and administrators."""
    return governs(user, centre.city_id)


def runs_training(user) -> bool:
    """Who runs guidance-centre training at all: administrators and city officials. There is no guidance-centre
    role: the centre works for its city's health commission, whose officials act for it (see `runs_training_at`)."""
    return is_admin(user) or official_level(user) == codes.CITY


def runs_training_at(user, centre) -> bool:
    """A guidance centre's courses — publishing them, recording attendance, issuing certificates — are kept by
    the officials of the centre's city, and administrators (as its appointment slots)."""
    return governs(user, centre.city_id)


def registers_for_training(user, member, course) -> bool:
    """An institution registers its own staff members for a course of a guidance centre in its province (a city
    without a centre sends its caregivers to another city's). Only its staff: not an administrator."""
    return (is_staff_of(user, member.institution_id)
            and codes.province_of(member.institution.region_id) == codes.province_of(course.centre.city_id))


def pairs(user, mentor, mentee) -> bool:
    """Mentoring pairs (帮扶结对): the officials of a city or province holding both institutions,
    and administrators."""
    return is_admin(user) or (oversees_cities(user) and oversees(user, mentor.region_id)
                              and oversees(user, mentee.region_id))


def steers_pair(user, pair) -> bool:
    """A mentoring pair's goals and its close (with the outcome) belong to the officials who may set such a
    pair up — a city or province holding both institutions — and administrators."""
    return pairs(user, pair.mentor, pair.mentee)


def records_visits_of(user, pair) -> bool:
    """The mentor institution's staff record their visits to the mentee; administrators on their behalf."""
    return keeps_records_of(user, pair.mentor_id)


# --- Accounts, API clients and tokens -------------------------------------------------------------

def registers_api_clients(user) -> bool:
    """Administrators register other systems as API clients, and revoke them."""
    return is_admin(user)


def may_revoke_personal_token(user, token) -> bool:
    """A personal token's owner, and administrators (a leaked token must be stoppable by them)."""
    return _signed_in(user) and (token.user_id == user.pk or is_admin(user))


def provisions(user, region) -> bool:
    """May create and manage the officials of `region` (a Region): administrators, and the officials of the
    region one level up — a province for its cities, a city for its counties, a county for its townships."""
    return is_admin(user) or (is_official(user) and region is not None and region.parent_id == user.region_id)


def provisions_anyone(user) -> bool:
    """Has a level below them to provision: administrators, province, city and county officials."""
    return is_admin(user) or official_level(user) in (codes.PROVINCE, codes.CITY, codes.COUNTY)


def invites_staff_to(user, county_code: str | None) -> bool:
    """May hand out invitations for institution staff in the county `county_code`, and manage those staff
    accounts: the county's own officials (the commission institutions file with), and administrators."""
    return is_admin(user) or (is_reviewer(user) and user.region_id == county_code)


def invites_staff(user) -> bool:
    """Hands out staff invitations at all: county officials, for their own county."""
    return is_reviewer(user)


def manages_account(user, account) -> bool:
    """May deactivate, reactivate or re-scope `account`: administrators (not their own account); for an
    official's account, whoever provisions its region; for a staff account, its institution's county."""
    if not _signed_in(user) or account.pk == user.pk:
        return False
    if is_admin(user):
        return True
    if is_admin(account):
        return False
    if is_official(account):
        return provisions(user, account.region)
    if account.institution_id is not None:
        return invites_staff_to(user, codes.county_of(account.institution.region_id))
    return False


def publishes_slots(user) -> bool:
    """Who publishes appointment slots at all: administrators and city officials (each at its own
    city's centres, see `publishes_slots_at`)."""
    return is_admin(user) or official_level(user) == codes.CITY


# --- Complaints ----------------------------------------------------------------------------------

def handles_complaint(user, complaint) -> bool:
    """The county commission a complaint is routed to: it answers it and alone reads the complainant's
    contact. Not its city or province (they follow the figures), not an administrator."""
    return is_reviewer(user) and user.region_id == complaint.county_id


# --- Regions and populations -----------------------------------------------------------------------

def loads_divisions(user) -> bool:
    """Loading a province's division codes changes reference data for everyone: administrators only."""
    return is_admin(user)


def sets_population_of(user, region) -> bool:
    """A region's resident population is set by the officials of the region or of an area containing
    it (a province for its cities and counties), and by administrators."""
    return in_area(user, region)


def uploads_populations(user) -> bool:
    """Bulk population tables: administrators and officials; every row must still be in their area."""
    return is_admin(user) or is_official(user)


# --- Onboarding -----------------------------------------------------------------------------------

def onboards(user, province) -> bool:
    """May import a province's institutions filed in the national system: administrators, and the
    officials of that province's own commission."""
    return is_admin(user) or (governs(user, province) and official_level(user) == codes.PROVINCE)


# --- Supervision after filing ----------------------------------------------------------------------

def supervises_cases(user) -> bool:
    """City and county commissions supervise case by case (rounds, the inspector pool, targeted
    inspections); a province oversees through the figures."""
    return official_level(user) in (codes.CITY, codes.COUNTY)


def plans_inspections(user, region) -> bool:
    """Random-inspection rounds and the pool of inspectors are the business of a city or county
    commission, for its own area (a city may plan a round for one of its counties)."""
    return supervises_cases(user) and oversees(user, region)


def supervises(user, institution) -> bool:
    """The county the institution filed with, and its city: they open targeted inspections and
    assign verifications. A province oversees through the figures, not case by case."""
    return supervises_cases(user) and oversees(user, institution.region_id)


def inspects(user, inspection) -> bool:
    """The inspectors assigned to this inspection, and nobody else, record and sign it off."""
    return is_official(user) and inspection.inspectors.filter(pk=user.pk).exists()


# --- Demonstration-city creation -----------------------------------------------------------------

def assembles_creation(user, city) -> bool:
    """A city's creation file (evidence, notes, submission) is assembled by the officials of that city only."""
    return official_level(user) == codes.CITY and user.region_id == _code(city)


def scores_creation(user, city) -> bool:
    """The province reviews and scores its cities' creations: officials of the province over the city. A city
    never scores itself; an administrator administers, and does not score."""
    return official_level(user) == codes.PROVINCE and oversees(user, city)


def opens_creation(user, city) -> bool:
    """A city's creation for a year is opened by the city, by its province, or by an administrator."""
    return is_admin(user) or assembles_creation(user, city) or scores_creation(user, city)


def edits_creation_standard(user) -> bool:
    """A new version of the creation standard: province officials, and administrators."""
    return is_admin(user) or official_level(user) == codes.PROVINCE


# --- Personal data ----------------------------------------------------------------------------------

def approves_export(user, approval) -> bool:
    """A bulk export of children's data is approved by a second person: another member of the institution's
    staff, or an administrator — never the person who asked for it."""
    if not _signed_in(user) or user.pk == approval.requested_by_id:
        return False
    return keeps_records_of(user, approval.institution_id)


def handles_guardian_requests(user, institution) -> bool:
    """A guardian's request to see, correct or delete a child's data is recorded and answered by the
    institution that holds the record (its staff, and administrators on its behalf)."""
    return keeps_records_of(user, institution)
