"""Who may do what: every rule about roles and areas, in one place."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


class OutsideArea(PermissionDenied):
    """Refused because the object lies outside the caller's area: answered as "not found"."""


def require(allowed: bool, message: str | None = None, *, outside_area: bool = False) -> None:
    if not allowed:
        raise (OutsideArea if outside_area else PermissionDenied)(message or _("You may not do this."))


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated)


def is_admin(user) -> bool:
    return _signed_in(user) and user.is_system_admin


def is_official(user) -> bool:
    return _signed_in(user) and user.is_official and bool(user.region_id)


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


def invites_staff_to(user, county_code: str) -> bool:
    """May hand out invitations for institution staff in the county `county_code`, and manage those staff
    accounts: the county's own officials (the commission institutions file with), and administrators."""
    return is_admin(user) or (is_official(user) and len(user.region_id) == 6 and user.region_id == county_code)


def manages_account(user, account) -> bool:
    """May deactivate, reactivate or re-scope `account`: administrators (not their own account); for an
    official's account, whoever provisions its region; for a staff account, its institution's county."""
    if not _signed_in(user) or account.pk == user.pk:
        return False
    if is_admin(user):
        return True
    if account.is_system_admin:
        return False
    if account.is_official:
        return provisions(user, account.region)
    if account.institution_id is not None:
        return invites_staff_to(user, account.institution.region_id[:6])
    return False


def provisions_anyone(user) -> bool:
    """Has a level below them to provision: administrators, province, city and county officials."""
    return is_admin(user) or (is_official(user) and len(user.region_id) < 9)


def invites_staff(user) -> bool:
    """Hands out staff invitations at all: county officials (for their county) and administrators."""
    return is_admin(user) or (is_official(user) and len(user.region_id) == 6)
