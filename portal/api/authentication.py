"""Token authentication that does not query the database on every request.

The token → user lookup is kept in the shared cache, tagged with the versions of the accounts and
authtoken tables (portal.api.cache): changing a user (role, area, deactivation, password) or
revoking a token makes every cached lookup stale when it commits, so the cache never outlives a revocation.
When the view caches its answers (ResponseCacheMixin), the answer is fetched in the same round trip.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from . import cache as api_cache

logger = logging.getLogger(__name__)

class CachedTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        self._request = request
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        if not api_cache.enabled() or api_cache.writing(api_cache.TOKEN_DEPENDS_ON):
            return super().authenticate_credentials(key)
        request = self._request
        credential = api_cache.token_credential(key)
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
            return super().authenticate_credentials(key)
        if found is None:
            found = super().authenticate_credentials(key)  # raises for an unknown token or inactive user
            api_cache.store(cache_key, versions, found)
        user, token = found
        if not user.is_active:  # belt and braces: a deactivation also changes the accounts version
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, token
