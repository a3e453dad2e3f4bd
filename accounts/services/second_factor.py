"""The optional TOTP second factor (an authenticator app).

A user has at most one TOTP device. It is created unconfirmed with a fresh secret, becomes confirmed once
the user types a valid code, and is removed only with a current code. django-otp throttles wrong codes on
the device itself (exponential back-off: 1, 2, 4, 8 … seconds after successive failures), and a code is
accepted only once (`last_t`), so verification locks the device row: two requests with the same code
cannot both pass. Turning it on, or an administrator's reset, ends the user's other sessions."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_record

from ..models import User

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
