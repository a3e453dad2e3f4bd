"""Cached API reads, invalidated by every write to the tables they read.

Dashboards, snapshot figures, the public register and review queues are read far more often than
the data behind them changes. A view that opts in (`ResponseCacheMixin`) keeps its rendered JSON in
the shared cache (Redis) keyed by caller, path, language and day, and tagged with the *generation*
of each app whose tables it reads. A generation is a random token that changes whenever a row of
that app is written, so a cached response is served only while nothing it depends on has changed.

Writes are seen where they cannot be missed: a database execute wrapper looks at every statement
(ORM saves, `QuerySet.update()`, bulk inserts, the metrics' raw SQL, admin, tests' factories) and,
for INSERT / UPDATE / DELETE on a tracked app's table, changes that app's generation at once (so the
writing transaction reads its own writes) and again after commit (so nothing read before
the commit can be served as current afterwards).

Switched on by `API_CACHE_SECONDS` (a shared Redis cache; 0 turns it off). A client that wants the
data fresh sends `Cache-Control: no-cache`. Responses carry `X-Cache: hit` or `miss`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from accounts import tokens

logger = logging.getLogger(__name__)

# Apps whose writes change what cached responses say. Others (sessions, audit, axes, beat, the task
# outbox) change nothing a cached read shows.
TRACKED_APPS = frozenset({"accounts", "oauth2", "enrolments", "filings", "institutions", "metrics", "pilots",
                          "regions"})
# The target table of a write statement, at its start (ORM) or after a WITH clause (raw SQL).
_WRITE_TARGET = re.compile(r'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"?([a-z0-9_]+)"?',
                           re.IGNORECASE)
_READ_ONLY_START = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET ", "SHOW", "BEGIN", "COMMIT", "EXPLAIN",
                    "PRAGMA")


def enabled() -> bool:
    return settings.API_CACHE_SECONDS > 0


def _generation_key(app: str) -> str:
    return f"api-gen:{app}"


def _bump(apps: frozenset[str] | set[str]) -> None:
    """New random generations: responses tagged with the old ones are never served again."""
    try:
        cache.set_many({_generation_key(app): secrets.token_hex(8) for app in apps}, timeout=None)
    except Exception:  # the cache being down must not fail a write; entries expire within API_CACHE_SECONDS
        logger.warning("api cache: could not change generations of %s", sorted(apps), exc_info=True)


_AFTER_COMMIT = {app: partial(_bump, frozenset({app})) for app in TRACKED_APPS}


def _apps_written(sql: str) -> set[str]:
    if sql.lstrip()[:9].upper().startswith(_READ_ONLY_START):
        return set()
    apps = set()
    for table in _WRITE_TARGET.findall(sql):
        app = table.lower().split("_", 1)[0]
        if app in TRACKED_APPS:
            apps.add(app)
    return apps


def record_writes(execute, sql, params, many, context):
    """Database execute wrapper (installed on every connection by portal.apps)."""
    result = execute(sql, params, many, context)
    if not enabled():
        return result
    apps = _apps_written(sql)
    if not apps:
        return result
    _bump(apps)  # at once: this transaction reads its own writes (autocommit: already committed)
    connection = context["connection"]
    if connection.in_atomic_block:
        registered = {func for _, func, *_ in connection.run_on_commit}
        for app in apps:
            if _AFTER_COMMIT[app] not in registered:  # once per transaction is enough at commit
                transaction.on_commit(_AFTER_COMMIT[app], using=connection.alias)
    return result


def install(connection, **kwargs) -> None:
    """`connection_created` receiver: watch this connection's writes (once per connection object)."""
    if record_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(record_writes)


def lookup_keys(key: str, apps: tuple[str, ...]) -> list[str]:
    """The cache keys `lookup(key, apps)` reads, for `prefetch`."""
    return [key, *(_generation_key(app) for app in apps)]


def prefetch(request, keys: list[str]) -> None:
    """Reads `keys` in one round trip for the lookups this request is about to make (token, response)."""
    request._api_cache_fetched = (frozenset(keys), cache.get_many(keys))


def lookup(key: str, apps: tuple[str, ...], request=None):
    """(value, generations): the value stored under `key` if it was stored under the current
    generations of `apps`, else None; and those generations, for `store`. One cache round trip, none
    when the request prefetched the keys. Raises whatever the cache raises when it is down."""
    keys = lookup_keys(key, apps)
    fetched = getattr(request, "_api_cache_fetched", None)
    if fetched is not None and fetched[0].issuperset(keys):
        found = {k: fetched[1][k] for k in keys if k in fetched[1]}
    else:
        found = cache.get_many(keys)
    generation_keys = keys[1:]
    missing = [k for k in generation_keys if k not in found]
    if missing:  # first use, or the cache was emptied: start generations nothing is tagged with
        fresh = {k: secrets.token_hex(8) for k in missing}
        cache.set_many(fresh, timeout=None)
        found.update(fresh)
    generations = tuple(found[k] for k in generation_keys)
    entry = found.get(key)
    if entry is not None and entry[0] == generations:
        return entry[1], generations
    return None, generations


def store(key: str, generations: tuple[str, ...], value) -> None:
    """Keeps `value` for API_CACHE_SECONDS, tagged with the generations read before computing it."""
    try:
        cache.set(key, (generations, value), settings.API_CACHE_SECONDS)
    except Exception:
        logger.warning("api cache: could not store %s", key, exc_info=True)


# A token lookup is cached under the token's hash, never the token itself (a dump of Redis must not
# hold usable tokens), and dropped by any write to the accounts or oauth2 (django-oauth-toolkit) tables:
# a revoked token, a revoked client, a deactivated or re-scoped account.
TOKEN_DEPENDS_ON = ("accounts", "oauth2")


def token_credential(key: str) -> str:
    return f"token:{hashlib.sha256(key.encode()).hexdigest()}"


def token_cache_key(credential: str) -> str:
    return f"api-{credential}"


def _wants_json(accept: str) -> bool:
    """Whether DRF's negotiation would pick JSON: no Accept header, */*, or JSON first."""
    first = accept.split(",")[0].split(";")[0].strip()
    return first in ("", "*/*", "application/*", "application/json")


def user_fingerprint(user) -> str:
    """What a cached answer for a user depends on besides the data: who they are, their role and area."""
    if not user.is_authenticated:
        return "anonymous"
    return f"{user.pk}:{user.role}:{user.region_id}:{user.institution_id}:{user.is_active}"


class ResponseCacheMixin:
    """Serves a GET from the cache while the generations of `cache_depends_on` are unchanged.

    Authentication, permissions and throttling run as usual first; only the view's own work (queries,
    serialisation, rendering) is skipped. Only 200 JSON responses are kept. The key holds the caller's
    credential (their API token's hash, so that the token and the answer are fetched in one round trip
    by portal.api.authentication; else their user id; nobody for public views with `cache_per_user =
    False`), the full address (pagination links name the host), the language and today's date (figures
    "as of today" and overdue flags change at midnight). An answer is served only to a caller with the
    same user fingerprint as the one it was made for, so a changed role or area never sees an old answer.
    """

    cache_depends_on: tuple[str, ...] = ()
    cache_per_user = True

    def dispatch(self, request, *args, **kwargs):
        answer = self._cached_answer_before_drf(request)
        return answer if answer is not None else super().dispatch(request, *args, **kwargs)

    def _cached_answer_before_drf(self, request):
        """The hit path for token and anonymous callers, before DRF builds its request: one cache round
        trip gives the token's user and the answer; the view's rate limits still count the request.

        Anything this path does not fully decide (a session cookie, a missing or stale entry, another
        format, a refused rate limit) returns None and DRF answers as usual, which decides it again.
        """
        meta = request.META
        if (not enabled() or request.method != "GET" or "format" in request.GET
                or not _wants_json(meta.get("HTTP_ACCEPT", "")) or "no-cache" in meta.get("HTTP_CACHE_CONTROL", "")
                or settings.SESSION_COOKIE_NAME in request.COOKIES):
            return None
        auth = meta.get("HTTP_AUTHORIZATION", "").split()
        if len(auth) == 2 and auth[0].lower() == "bearer":
            credential = token_credential(auth[1])
            token_keys = lookup_keys(token_cache_key(credential), TOKEN_DEPENDS_ON)
        elif not auth and not self.cache_per_user:
            credential, token_keys = "public", []
        else:
            return None
        key = self.response_cache_key(request, credential)
        try:
            prefetch(request, [*token_keys, *lookup_keys(key, self.cache_depends_on)])
            user = AnonymousUser()
            if token_keys:
                found, _ = lookup(token_keys[0], TOKEN_DEPENDS_ON, request)
                # Expired, out of scope or inactive: DRF's path answers with the right error.
                if (found is None or not found[0].is_active or found[1].is_expired()
                        or not found[1].allows(tokens.area_of(self), write=False)):
                    return None
                user, grant = found
            value, _ = lookup(key, self.cache_depends_on, request)
        except Exception:
            return None  # DRF's path logs the cache being down
        fingerprint = user_fingerprint(user) if self.cache_per_user else "public"
        if value is None or value[2] != fingerprint:
            return None
        request.user = user
        if not all(throttle.allow_request(request, self) for throttle in self.get_throttles()):
            return None
        if token_keys:
            tokens.record_use(grant)
        response = HttpResponse(value[0], content_type=value[1])
        response["X-Cache"] = "hit"
        response["Allow"] = ", ".join(self.allowed_methods)
        patch_vary_headers(response, ["Accept"])
        return response

    def response_cache_key(self, request, credential: str) -> str:
        raw = (f"{credential if self.cache_per_user else 'public'}|{request.build_absolute_uri()}|"
               f"{translation.get_language()}|{timezone.localdate().isoformat()}")
        return f"api-response:v1:{type(self).__name__}:{hashlib.sha256(raw.encode()).hexdigest()}"

    def response_cache_keys(self, request, credential: str) -> list[str]:
        """Every key the lookup of this request's answer reads (for prefetching with the token)."""
        if not self._cacheable(request):
            return []
        return lookup_keys(self.response_cache_key(request, credential), self.cache_depends_on)

    def _credential(self, request) -> str:
        return getattr(request, "_api_cache_credential", None) or f"user:{request.user.pk}"

    def _cacheable(self, request) -> bool:
        return (enabled() and request.method in ("GET", "HEAD")
                and getattr(request, "accepted_renderer", None) is not None
                and request.accepted_renderer.format == "json")

    def get(self, request, *args, **kwargs):
        if not self._cacheable(request):
            return super().get(request, *args, **kwargs)
        key = self.response_cache_key(request, self._credential(request))
        fingerprint = user_fingerprint(request.user) if self.cache_per_user else "public"
        try:
            value, generations = lookup(key, self.cache_depends_on, request)
        except Exception:
            logger.warning("api cache: unavailable, answering uncached", exc_info=True)
            return super().get(request, *args, **kwargs)
        fresh_wanted = "no-cache" in request.headers.get("Cache-Control", "")
        if value is not None and value[2] == fingerprint and not fresh_wanted:
            response = HttpResponse(value[0], content_type=value[1])
            response["X-Cache"] = "hit"
            return response
        # Remembered for finalize_response: the generations read *before* the data.
        request._api_cache = (key, generations, fingerprint)
        return super().get(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        pending = getattr(request, "_api_cache", None)
        if pending is None or response.status_code != 200:
            return response
        response.render()
        key, generations, fingerprint = pending
        store(key, generations, (response.content, response["Content-Type"], fingerprint))
        response["X-Cache"] = "miss"
        return response
