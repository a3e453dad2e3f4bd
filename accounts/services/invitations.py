"""Invitation codes for institution staff: issued by a county official, revoked, accepted once."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record

from .. import policies
from ..models import Invitation, User
from ..policies import require
from ..tokens import checksum

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
