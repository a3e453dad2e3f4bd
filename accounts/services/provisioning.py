"""Accounts provisioned by officials and administrators: creating, deactivating and re-scoping, within the
caller's area and role."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from regions import codes

from .. import policies
from ..models import User
from ..policies import require


def _check_scope_fields(*, role: str, region_id: str | None, institution_id: int | None) -> None:
    """The role, region and institution fit together and exist; a ValidationError names the field."""
    from institutions.models import Institution
    from regions.models import Region

    if role not in User.Role.values:
        raise ValidationError({"role": _("Unknown role “%(role)s”.") % {"role": role}})
    if role == User.Role.OFFICIAL and not region_id:
        raise ValidationError({"region": _("An official needs the region they work for.")})
    if role != User.Role.OFFICIAL and region_id:
        raise ValidationError({"region": _("Only officials belong to a region.")})
    if role != User.Role.INSTITUTION_STAFF and institution_id:
        raise ValidationError({"institution": _("Only institution staff belong to an institution.")})
    if region_id and not Region.objects.filter(code=region_id).exists():
        raise ValidationError({"region": _("There is no region with the code %(code)s.") % {"code": region_id}})
    if institution_id and not Institution.objects.filter(pk=institution_id).exists():
        raise ValidationError({"institution": _("There is no institution %(id)s.") % {"id": institution_id}})


def _may_give_scope(actor: User, *, role: str, region_id: str | None, institution_id: int | None) -> bool:
    from institutions.models import Institution
    from regions.models import Region

    if role == User.Role.SYSTEM_ADMIN:
        return policies.is_admin(actor)
    if role == User.Role.OFFICIAL:
        return policies.provisions(actor, Region.objects.filter(code=region_id).first())
    if institution_id is None:
        return policies.is_admin(actor)  # others add staff by invitation, for an institution or a new one
    institution = Institution.objects.filter(pk=institution_id).only("region_id").first()
    return institution is not None and policies.invites_staff_to(actor, codes.county_of(institution.region_id))


def _account_view(account: User) -> dict:
    return {"username": account.username, "role": account.role, "region": account.region_id or "",
            "institution": account.institution_id, "is_active": account.is_active}


def _account_audit_scope(account: User) -> dict:
    region = account.region_id or (account.institution.region_id if account.institution_id else "")
    return {"target": account, "region_code": region, "institution_id": account.institution_id}


def password_setup_path(account: User) -> str:
    """A one-time link for the account's owner to choose a password (Django's password-reset token: it
    stops working once a password is set, or after PASSWORD_RESET_TIMEOUT)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return reverse("accounts:password_setup", kwargs={"uidb64": urlsafe_base64_encode(force_bytes(account.pk)),
                                                      "token": default_token_generator.make_token(account)})


@transaction.atomic
def account_create(*, actor: User, username: str, role: str, region_id: str | None = None,
                   institution_id: int | None = None, first_name: str = "", last_name: str = "",
                   email: str = "", phone: str = "") -> User:
    """Creates an account with a role and scope; audits "account.created".

    Administrators create any account; an official creates officials of the regions one level below
    their own (province → cities, city → counties, county → townships); a county creates staff of the
    institutions of its county (or invites them, see `invitation_create`). The account has no password:
    its owner chooses one through `password_setup_path(account)`, handed over by the creator.
    """
    region_id = region_id or None
    _check_scope_fields(role=role, region_id=region_id, institution_id=institution_id)
    require(_may_give_scope(actor, role=role, region_id=region_id, institution_id=institution_id),
            _("You may create accounts only for the area one level below your own."))
    account = User(username=(username or "").strip(), role=role, region_id=region_id,
                   institution_id=institution_id or None, first_name=first_name, last_name=last_name,
                   email=email, phone=phone)
    account.set_unusable_password()
    account.full_clean()
    account.save()
    audit_record(actor=actor, action="account.created", after=_account_view(account),
                 **_account_audit_scope(account))
    return account


@transaction.atomic
def account_set_active(*, actor: User, account: User, active: bool) -> User:
    """Deactivates (or reactivates) an account; audits "account.deactivated" / "account.reactivated".

    A deactivated account cannot sign in, its sessions end and its API tokens stop working at once (the
    cached token lookups are dropped with any write to the accounts tables). Safe to repeat.
    """
    require(policies.manages_account(actor, account), _("You may not manage this account."))
    changed = User.objects.filter(pk=account.pk, is_active=not active).update(
        is_active=active, session_stamp=secrets.token_hex(16))
    account.refresh_from_db()
    if changed:
        audit_record(actor=actor, action="account.reactivated" if active else "account.deactivated",
                     before={"is_active": not active}, after={"is_active": active}, **_account_audit_scope(account))
    return account


@transaction.atomic
def account_rescope(*, actor: User, account: User, region_id: str | None = None,
                    institution_id: int | None = None, role: str | None = None) -> User:
    """Moves an account to another region or institution (and, for administrators, another role); audits
    "account.rescoped" with before and after. The actor must manage the account as it is and may give
    the new scope. The account's sessions end (it must sign in again into its new area)."""
    require(policies.manages_account(actor, account), _("You may not manage this account."))
    role = role or account.role
    region_id = region_id or None
    before = _account_view(account)
    _check_scope_fields(role=role, region_id=region_id, institution_id=institution_id)
    require(_may_give_scope(actor, role=role, region_id=region_id, institution_id=institution_id),
            _("You may give only a scope one level below your own area."))
    account.role, account.region_id, account.institution_id = role, region_id, institution_id or None
    account.session_stamp = secrets.token_hex(16)
    account.full_clean()
    account.save(update_fields=["role", "region", "institution", "session_stamp"])
    audit_record(actor=actor, action="account.rescoped", before=before, after=_account_view(account),
                 **_account_audit_scope(account))
    return account
