"""Bearer-token authentication for the API: OAuth 2.0 client-credentials tokens and personal tokens.

Both kinds are django-oauth-toolkit access tokens (accounts.tokens). The token → (user, grant) lookup
is kept in the shared cache under the token's checksum, tagged with the versions of the accounts
and oauth2 tables (portal.api.cache): revoking a token, revoking a client, or changing the user (role,
area, deactivation) makes every cached lookup stale when it commits, so the cache never outlives a
revocation.
Expiry is checked on every request against the cached expiry time.

The token's scopes are enforced here, for every API view whatever its permission classes: a token
may read an area with `<area>:read` or `<area>:write`, and write only with `<area>:write`; anything
else is a 403 naming the scope it needs. Sessions (the browser) are not scoped.
"""

from __future__ import annotations

import logging

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from accounts import tokens
from accounts.scopes import scope_descriptions

from . import cache as api_cache

logger = logging.getLogger(__name__)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def refuse_out_of_scope(grant: tokens.Grant, view, method: str) -> None:
    area = tokens.area_of(view)
    write = method not in SAFE_METHODS
    if not grant.allows(area, write=write):
        raise exceptions.PermissionDenied(
            tokens.TOKEN_OUT_OF_SCOPE % {"scope": grant.required_scope(area, write=write)})


class BearerTokenAuthentication(BaseAuthentication):
    keyword = "bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(tokens.TOKEN_HEADER_INVALID)
        try:
            raw = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(tokens.TOKEN_INVALID) from None
        user, grant = self._lookup(request, raw)
        if not user.is_active:  # belt and braces: a deactivation also changes the accounts version
            raise exceptions.AuthenticationFailed(tokens.TOKEN_USER_INACTIVE)
        if grant.is_expired():
            raise exceptions.AuthenticationFailed(tokens.TOKEN_EXPIRED)
        view = request.parser_context.get("view")
        if view is not None:
            refuse_out_of_scope(grant, view, request.method)
        tokens.record_use(grant)
        return user, grant

    def authenticate_header(self, request):
        return 'Bearer realm="api"'

    def _lookup(self, request, raw: str):
        if not api_cache.enabled() or api_cache.writing(api_cache.TOKEN_DEPENDS_ON):
            return self._from_database(raw)
        credential = api_cache.token_credential(raw)
        cache_key = api_cache.token_cache_key(credential)
        view = request.parser_context.get("view")
        try:
            if isinstance(view, api_cache.ResponseCacheMixin):
                request._api_cache_credential = credential
                api_cache.prefetch(request, [*api_cache.lookup_keys(cache_key, api_cache.TOKEN_DEPENDS_ON),
                                             *view.response_cache_keys(request, credential)])
            found, versions = api_cache.lookup(cache_key, api_cache.TOKEN_DEPENDS_ON, request)
        except Exception:
            logger.warning("api cache: unavailable, looking the token up in the database", exc_info=True)
            return self._from_database(raw)
        if found is None:
            found = self._from_database(raw)  # raises for an unknown or revoked token
            api_cache.store(cache_key, versions, found)
        return found

    def _from_database(self, raw: str):
        found = tokens.load(raw)
        if found is None:
            raise exceptions.AuthenticationFailed(tokens.TOKEN_INVALID)
        return found


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security schemes: OAuth 2.0 client credentials (other systems) and personal tokens
    (people), both sent as `Authorization: Bearer <token>`; each operation names the scope it needs."""

    target_class = BearerTokenAuthentication
    name = ["oauth2", "personalToken"]

    def get_security_definition(self, auto_schema):
        return [
            {"type": "oauth2", "description": "Client credentials registered by an administrator "
                                              "(`POST /api/v1/oauth/token/` with HTTP Basic client_id:client_secret, "
                                              "`grant_type=client_credentials`). Tokens last an hour.",
             "flows": {"clientCredentials": {"tokenUrl": "/api/v1/oauth/token/",
                                             "scopes": scope_descriptions()}}},
            {"type": "http", "scheme": "bearer",
             "description": "A personal token made on the account security page (`/accounts/security/`); "
                            "it acts as its owner, limited to the scopes chosen."},
        ]

    def get_security_requirement(self, auto_schema):
        view, method = auto_schema.view, auto_schema.method
        area = tokens.area_of(view)
        kind = "read" if method in SAFE_METHODS else "write"
        scopes = [] if area == tokens.SELF_AREA else [f"{area}:{kind}"]
        return [{"oauth2": scopes}, {"personalToken": scopes}]
