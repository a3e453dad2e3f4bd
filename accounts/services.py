"""Writes on accounts: the optional TOTP second factor, API tokens and clients, provisioning, invitations.

A user has at most one TOTP device (an authenticator app). It is created unconfirmed with a fresh
secret, becomes confirmed once the user types a valid code, and is removed only with a current code.
django-otp throttles wrong codes on the device itself (exponential back-off: 1, 2, 4, 8 … seconds
after successive failures), and a code is accepted only once (`last_t`), so verification locks the
device row: two requests with the same code cannot both pass.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from oauth2_provider.models import AccessToken, Application, set_token_value
from oauthlib.common import generate_token

from audit.services import audit_record
from regions import codes

from . import policies
from .models import ApiClient, Invitation, PersonalToken, User
from .policies import require
from .scopes import normalise_scopes
from .tokens import checksum

DEVICE_NAME = "authenticator"


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking a code: accepted, wrong, or refused unchecked while throttled."""

    accepted: bool
    locked_until: datetime.datetime | None = None

    @property
    def throttled(self) -> bool:
        return self.locked_until is not None


def _audit_scope(user: User) -> dict:
    return {"target": user, "region_code": user.region_id or "", "institution_id": user.institution_id}


def totp_device_for(user: User) -> TOTPDevice | None:
    """The user's confirmed device, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def _check(device: TOTPDevice, token: str) -> CodeCheck:
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return CodeCheck(accepted=False, locked_until=(info or {}).get("locked_until"))
    # verify_token counts a failure (throttle_increment) or resets the count and records last_t.
    return CodeCheck(accepted=device.verify_token(token))


@transaction.atomic
def totp_device_prepare(*, actor: User) -> TOTPDevice:
    """Returns the actor's device waiting for confirmation, creating one with a fresh secret.

    Safe to repeat: until it is confirmed the same device (and secret) comes back, so reloading the
    page does not invalidate the QR code already scanned. Writes no audit entry (nothing is enabled yet).
    """
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice(user=actor, name=DEVICE_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str, actor: User) -> CodeCheck:
    """Confirms the actor's new device if `token` is a current code from it; audits "auth.totp_enrolled".

    A wrong code counts towards the device's throttling (and is not audited: the user is already
    signed in and is only setting up). Other devices of the actor are removed, so one remains.
    Repeat with the same code: refused (a code is used once).
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=actor)
    check = _check(device, token)
    if not check.accepted:
        return check
    claimed = TOTPDevice.objects.filter(pk=device.pk, confirmed=False).update(confirmed=True)
    if claimed:
        TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
        _end_other_sessions(actor)
        audit_record(actor=actor, action="auth.totp_enrolled", after={"device": device.persistent_id},
                     **_audit_scope(actor))
    return check


def _end_other_sessions(user: User) -> None:
    """A new session stamp: every session signed in before no longer matches and ends (the caller keeps
    its own with `update_session_auth_hash`). So turning the second factor on also shuts out a session
    someone else may hold, instead of waiting for its next sign-in."""
    user.session_stamp = secrets.token_hex(16)
    user.save(update_fields=["session_stamp"])


@transaction.atomic
def totp_device_verify(*, device: TOTPDevice, token: str, actor: User) -> CodeCheck:
    """Checks a code from the actor's confirmed device (the sign-in second step).

    A wrong code, or any attempt while throttled, is audited as "auth.totp_failed" (with the
    reason and the count of successive failures). The caller marks the session verified on success.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=actor, confirmed=True)
    check = _check(device, token)
    if not check.accepted:
        audit_record(actor=actor, action="auth.totp_failed",
                     after={"reason": "throttled" if check.throttled else "wrong_code",
                            "failures": device.throttling_failure_count},
                     **_audit_scope(actor))
    return check


@transaction.atomic
def totp_device_remove(*, device: TOTPDevice, token: str, actor: User) -> CodeCheck:
    """Removes the actor's device if `token` is a current code from it; audits "auth.totp_removed".

    A wrong code is throttled and audited like a failed sign-in code (a stolen session must not be
    able to switch the second factor off). Repeat after success: the device is gone (DoesNotExist).
    """
    check = totp_device_verify(device=device, token=token, actor=actor)
    if check.accepted:
        TOTPDevice.objects.filter(user=actor).delete()
        audit_record(actor=actor, action="auth.totp_removed", after={"device": device.persistent_id},
                     **_audit_scope(actor))
    return check


@transaction.atomic
def totp_device_reset(*, device: TOTPDevice, actor: User) -> None:
    """An administrator removes someone's device (a lost phone); audits "auth.totp_removed".

    The owner's sessions end (the phone may be in other hands); their next sign-in asks for the password
    only (or, with OFFICIALS_REQUIRE_TOTP, for a new enrolment). Safe to repeat: a device already gone
    changes nothing and writes no entry.
    """
    owner = device.user
    deleted, _ = TOTPDevice.objects.filter(pk=device.pk).delete()
    if deleted:
        _end_other_sessions(owner)
        audit_record(actor=actor, action="auth.totp_removed",
                     after={"device": device.persistent_id, "by_administrator": True}, **_audit_scope(owner))


# --- API tokens -----------------------------------------------------------------------------------

PERSONAL_TOKEN_PREFIX = "tuoyu_"  # noqa: S105 — not a secret: recognisable in a leaked file or a secret scanner's rules


def _scope_or_error(scopes, field: str = "scopes") -> str:
    try:
        scope = normalise_scopes(scopes)
    except ValueError as unknown:
        raise ValidationError({field: _("Unknown scope “%(scope)s”.") % {"scope": unknown.args[0]}}) from None
    if not scope:
        raise ValidationError({field: _("Choose at least one scope.")})
    return scope


@transaction.atomic
def personal_token_create(*, actor: User, name: str, scopes, days: int) -> tuple[PersonalToken, str]:
    """Makes a personal token of the actor's, valid `days` days with `scopes`; audits "token.personal_created".

    Returns the row and the token itself, which is shown once: only its checksum is stored
    (django-oauth-toolkit's hashed-at-rest storage). The token acts as the actor, in their role and area.
    """
    scope = _scope_or_error(scopes)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, to recognise it later.")})
    max_days = settings.PERSONAL_TOKEN_MAX_DAYS
    if not 1 <= int(days) <= max_days:
        raise ValidationError({"days": _("A token lasts from 1 to %(max)s days.") % {"max": max_days}})
    raw = PERSONAL_TOKEN_PREFIX + generate_token(length=40)
    expires = timezone.now() + datetime.timedelta(days=int(days))
    access_token = AccessToken(user=actor, application=None, scope=scope, expires=expires)
    set_token_value(access_token, raw)
    access_token.save()
    token = PersonalToken(user=actor, name=name[:80], access_token=access_token, scope=scope,
                          hint=raw[:len(PERSONAL_TOKEN_PREFIX) + 4], expires_at=expires)
    token.full_clean()
    token.save()
    audit_record(actor=actor, action="token.personal_created", target=token,
                 after={"name": token.name, "scopes": scope, "expires_at": expires.isoformat()})
    return token, raw


@transaction.atomic
def personal_token_revoke(*, token: PersonalToken, actor: User) -> PersonalToken:
    """Revokes a personal token at once (also every cached lookup of it); audits "token.personal_revoked".

    The owner or an administrator may revoke it. Safe to repeat: a token already revoked changes nothing.
    """
    require(policies.may_revoke_personal_token(actor, token))
    now = timezone.now()
    claimed = PersonalToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    token.refresh_from_db()
    if claimed:
        AccessToken.objects.filter(personal_token=token).delete()
        audit_record(actor=actor, action="token.personal_revoked", target=token,
                     after={"name": token.name, "owner": token.user.get_username()})
    return token


def _service_account(*, name: str, role: str, region_id: str | None, institution_id: int | None) -> User:
    account = User(username=f"api-client-{secrets.token_hex(5)}", first_name=name[:150], role=role,
                   region_id=region_id or None, institution_id=institution_id or None)
    account.set_unusable_password()
    try:
        account.full_clean()
    except ValidationError as error:
        raise ValidationError({k: v for k, v in error.message_dict.items() if k != "username"}) from None
    account.save()
    return account


@transaction.atomic
def api_client_register(*, actor: User, name: str, role: str, scopes, region_id: str | None = None,
                        institution_id: int | None = None) -> tuple[ApiClient, str]:
    """Registers another system as an OAuth 2.0 client-credentials client; audits "api_client.registered".

    Only administrators register clients. The client gets a service account of its own with `role` and
    `region_id` / `institution_id`: everything its tokens do is bounded by that account, and by `scopes`.
    Returns the client and its secret, which is shown once (django-oauth-toolkit stores it hashed).
    """
    require(policies.registers_api_clients(actor))
    scope = _scope_or_error(scopes)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the system that will use these credentials.")})
    _check_scope_fields(role=role, region_id=region_id, institution_id=institution_id)
    account = _service_account(name=name, role=role, region_id=region_id, institution_id=institution_id)
    application = Application(name=name[:255], user=account, client_type=Application.CLIENT_CONFIDENTIAL,
                              authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
                              hash_client_secret=True)
    secret = application.client_secret  # generated by the field's default; hashed when saved
    application.full_clean(exclude=["redirect_uris", "post_logout_redirect_uris", "allowed_origins"])
    application.save()
    client = ApiClient.objects.create(application=application, name=name[:100], service_account=account,
                                      scope=scope, created_by=actor)
    audit_record(actor=actor, action="api_client.registered", target=client,
                 after={"name": client.name, "client_id": application.client_id, "scopes": scope,
                        "role": role, "region": region_id or "", "institution": institution_id})
    return client, secret


@transaction.atomic
def api_client_revoke(*, client: ApiClient, actor: User) -> ApiClient:
    """Revokes a client: its tokens stop working at once, it gets no new ones, its service account is
    deactivated; audits "api_client.revoked". Safe to repeat."""
    require(policies.registers_api_clients(actor))
    claimed = ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    client.refresh_from_db()
    if claimed:
        AccessToken.objects.filter(application_id=client.application_id).delete()
        User.objects.filter(pk=client.service_account_id).update(is_active=False)
        audit_record(actor=actor, action="api_client.revoked", target=client, after={"name": client.name})
    return client


@transaction.atomic
def api_client_token_revoked(*, client: ApiClient, token_id: int) -> None:
    """Audits "token.client_revoked": the client revoked one of its tokens at the revocation endpoint."""
    audit_record(actor=client.service_account, action="token.client_revoked", target=client,
                 after={"token": token_id})


@transaction.atomic
def api_client_token_issued(*, client: ApiClient, scope: str, expires) -> None:
    """Audits "token.client_issued" for a token handed out at the token endpoint (called in its transaction)."""
    audit_record(actor=client.service_account, action="token.client_issued", target=client,
                 after={"scopes": scope, "expires_at": expires.isoformat()})


# --- Provisioning: accounts of officials and staff --------------------------------------------------

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


# --- Invitations for institution staff -----------------------------------------------------------

INVITATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone
INVITATION_LENGTH = 20  # 100 bits


def normalise_invitation_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def format_invitation_code(code: str) -> str:
    return "-".join(code[i:i + 5] for i in range(0, len(code), 5))


@transaction.atomic
def invitation_create(*, actor: User, county_code: str, institution_id: int | None = None, note: str = "",
                      days: int | None = None) -> tuple[Invitation, str]:
    """Makes a one-time invitation code for an institution's staff in the actor's county; audits
    "invitation.created". Returns the invitation and the code (shown once; only its SHA-256 is kept).

    With `institution_id` the invitee becomes staff of that institution (of this county); without, they
    get a staff account to register a new institution. Only the county's officials and administrators.
    """
    from institutions.models import Institution
    from regions.models import Region

    county = Region.objects.filter(code=county_code, level=Region.Level.COUNTY).first()
    if county is None:
        raise ValidationError({"region": _("There is no county with the code %(code)s.") % {"code": county_code}})
    require(policies.invites_staff_to(actor, county.code), _("Only the county's officials invite its staff."))
    if institution_id is not None and not Institution.objects.filter(
            pk=institution_id, region__code__startswith=county.code).exists():
        raise ValidationError({"institution": _("There is no institution %(id)s in this county.")
                               % {"id": institution_id}})
    days = int(days or settings.INVITATION_DAYS)
    if not 1 <= days <= 90:
        raise ValidationError({"days": _("An invitation lasts from 1 to 90 days.")})
    code = "".join(secrets.choice(INVITATION_ALPHABET) for _i in range(INVITATION_LENGTH))
    invitation = Invitation(code_checksum=checksum(code), hint=code[:4], region=county,
                            institution_id=institution_id, note=(note or "")[:100], created_by=actor,
                            expires_at=timezone.now() + datetime.timedelta(days=days))
    invitation.full_clean()
    invitation.save()
    audit_record(actor=actor, action="invitation.created", target=invitation,
                 after={"institution": institution_id, "note": invitation.note,
                        "expires_at": invitation.expires_at.isoformat()})
    return invitation, format_invitation_code(code)


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """Withdraws an open invitation; audits "invitation.revoked". Safe to repeat."""
    require(policies.invites_staff_to(actor, invitation.region_id), _("Only the county's officials do this."))
    claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True) \
        .update(revoked_at=timezone.now())
    invitation.refresh_from_db()
    if claimed:
        audit_record(actor=actor, action="invitation.revoked", target=invitation)
    return invitation


INVITATION_INVALID = _("This invitation code is not valid: it may be mistyped, used already, withdrawn or expired.")


@transaction.atomic
def invitation_accept(*, code: str, username: str, password: str, first_name: str = "", last_name: str = "",
                      phone: str = "") -> User:
    """Creates the invitee's staff account from a one-time code; audits "invitation.accepted".

    The code works once: two people using it at once cannot both succeed (guarded UPDATE). The password
    passes Django's validators. A wrong code changes nothing and says so without telling why.
    """
    from django.contrib.auth.password_validation import validate_password

    invitation = Invitation.objects.select_for_update().filter(
        code_checksum=checksum(normalise_invitation_code(code))).first()
    if invitation is None or invitation.status != "open":
        raise ValidationError({"code": INVITATION_INVALID})
    account = User(username=(username or "").strip(), role=User.Role.INSTITUTION_STAFF,
                   institution_id=invitation.institution_id, first_name=first_name, last_name=last_name,
                   phone=phone)
    try:
        validate_password(password, account)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    account.set_password(password)
    account.full_clean()
    account.save()
    claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True) \
        .update(accepted_at=timezone.now(), accepted_by=account)
    if not claimed:
        raise ValidationError({"code": INVITATION_INVALID})
    invitation.refresh_from_db()
    audit_record(actor=account, action="invitation.accepted", target=invitation,
                 after={"username": account.username, "institution": account.institution_id})
    return account
