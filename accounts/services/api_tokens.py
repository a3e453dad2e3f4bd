"""API tokens: personal tokens on the security page, and the API clients of other systems (OAuth 2.0 client
credentials bound to a service account's role and area)."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.models import AccessToken, Application, set_token_value
from oauthlib.common import generate_token

from audit.services import audit_record

from .. import policies
from ..models import ApiClient, PersonalToken, User
from ..policies import require
from ..scopes import normalise_scopes
from .provisioning import _check_scope_fields

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
