"""Cached API reads, served only while the data behind them is unchanged.

Dashboards, snapshot figures, the public register and review queues are read far more often than
the data behind them changes. A view that opts in (`ResponseCacheMixin`) keeps its rendered JSON in
the shared cache (Redis) keyed by caller, path, language and day, and tagged with the *version* of
each kind of data it reads. A version is a random token that is replaced when that data changes, so an
answer is served only while it is still the current one; nothing is ever deleted, old answers expire.

Two kinds of versions:

- **The metrics version** (`METRICS`): ready snapshots are immutable and rankings change only when they
  are computed or published, so the metrics code says when: the snapshot swap and the ranking services
  call `metrics_changed()`, which replaces the version at once and again when they commit. Computing a new
  snapshot writes many rows nobody can see yet; none of that touches the cache.
- **The version of an app's tables** (accounts, tokens, institutions, filings, regions...): those are
  written by services, the admin, queryset updates and raw SQL alike, so a database execute wrapper
  notices every INSERT / UPDATE / DELETE on a tracked app's table. It only notes the app on the
  connection (a prefix test, about a microsecond per statement); the versions are replaced once, in one
  round trip, when the transaction commits (at once in autocommit). Until then the writing connection
  neither reads nor stores cached answers about what it wrote, so it reads its own writes and an
  uncommitted (perhaps rolled-back) answer is never kept for others.

Switched on by `API_CACHE_SECONDS` (a shared Redis cache; 0 turns it off). A client that wants the
data fresh sends `Cache-Control: no-cache`. Responses carry `X-Cache: hit` or `miss`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from accounts import tokens

logger = logging.getLogger(__name__)

# The version of the metrics answers: replaced when a snapshot becomes ready or a ranking is computed
# or published (metrics_changed), never by the wrapper below.
METRICS = "metrics-ready"
# Apps whose writes change what cached responses say, seen by the execute wrapper. Others (sessions,
# audit, axes, beat, the task outbox, and metrics, whose answers follow METRICS) change nothing a
# cached read shows.
TRACKED_APPS = frozenset({"accounts", "oauth2", "enrolments", "filings", "institutions", "pilots", "regions"})
# The target table of a write statement, at its start (ORM) or after a WITH clause (raw SQL).
_WRITE_TARGET = re.compile(r'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"?([a-z0-9_]+)"?',
                           re.IGNORECASE)
_READ_ONLY_START = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET ", "SHOW", "BEGIN", "COMMIT", "EXPLAIN",
                    "PRAGMA")


def enabled() -> bool:
    return settings.API_CACHE_SECONDS > 0


def _version_key(name: str) -> str:
    return f"api-gen:{name}"


def _bump(names) -> None:
    """New random versions: answers tagged with the old ones are never served again."""
    if not names:
        return
    try:
        cache.set_many({_version_key(name): secrets.token_hex(8) for name in names}, timeout=None)
    except Exception:  # the cache being down must not fail a write; entries expire within API_CACHE_SECONDS
        logger.warning("api cache: could not change versions of %s", sorted(names), exc_info=True)


def metrics_changed(using: str = DEFAULT_DB_ALIAS) -> None:
    """Called by the transaction that changes what metrics answers say (a snapshot swap, a ranking written).

    The version is replaced at once, so this transaction reads its own change, and again at commit, so
    that nothing read from the old rows meanwhile (by anyone) is served as current afterwards. Two round
    trips per swap or ranking, however many rows they wrote."""
    if enabled():
        _bump({METRICS})
        transaction.on_commit(lambda: _bump({METRICS}), using=using)


def _apps_written(sql: str) -> set[str]:
    if sql.lstrip()[:9].upper().startswith(_READ_ONLY_START):
        return set()
    apps = set()
    for table in _WRITE_TARGET.findall(sql):
        app = table.lower().split("_", 1)[0]
        if app in TRACKED_APPS:
            apps.add(app)
    return apps


def _pending(connection) -> set[str]:
    """Apps this connection wrote in a transaction whose commit has not yet replaced their versions."""
    return connection.__dict__.setdefault("api_cache_pending", set())


def _flush(alias: str) -> None:
    """On commit (the first of the transaction's callbacks does it; the others find nothing left)."""
    pending = _pending(connections[alias])
    names = set(pending)
    pending.clear()
    _bump(names)


def record_writes(execute, sql, params, many, context):
    """Database execute wrapper (installed on every connection by portal.apps): notes tracked writes."""
    result = execute(sql, params, many, context)
    if not enabled():
        return result
    apps = _apps_written(sql)
    if not apps:
        return result
    connection = context["connection"]
    pending = _pending(connection)
    pending |= apps
    if connection.in_atomic_block:
        # Registered for every write, not once per transaction: a callback registered inside a savepoint
        # that is rolled back is dropped with it, and the next write's must still be there. The first
        # to run empties the pending set; the others find nothing to do.
        transaction.on_commit(lambda: _flush(connection.alias), using=connection.alias)
    else:  # autocommit: already committed
        _flush(connection.alias)
    return result


def writing(apps: tuple[str, ...], using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether this connection is inside a transaction that wrote one of `apps` (so a cached answer about
    them is stale for it, and what it reads is not yet committed)."""
    connection = connections[using]
    return connection.in_atomic_block and not _pending(connection).isdisjoint(apps)


def install(connection, **kwargs) -> None:
    """`connection_created` receiver: watch this connection's writes (once per connection object)."""
    _pending(connection).clear()  # a new database session: nothing of an earlier one is still open
    if record_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(record_writes)


def lookup_keys(key: str, names: tuple[str, ...]) -> list[str]:
    """The cache keys `lookup(key, names)` reads, for `prefetch`."""
    return [key, *(_version_key(name) for name in names)]


def prefetch(request, keys: list[str]) -> None:
    """Reads `keys` in one round trip for the lookups this request is about to make (token, response)."""
    request._api_cache_fetched = (frozenset(keys), cache.get_many(keys))


def lookup(key: str, names: tuple[str, ...], request=None):
    """(value, versions): the value stored under `key` if it was stored under the current
    versions of `names`, else None; and those versions, for `store`. One cache round trip, none
    when the request prefetched the keys. Raises whatever the cache raises when it is down."""
    keys = lookup_keys(key, names)
    fetched = getattr(request, "_api_cache_fetched", None)
    if fetched is not None and fetched[0].issuperset(keys):
        found = {k: fetched[1][k] for k in keys if k in fetched[1]}
    else:
        found = cache.get_many(keys)
    version_keys = keys[1:]
    missing = [k for k in version_keys if k not in found]
    if missing:  # first use, or the cache was emptied: start versions nothing is tagged with
        fresh = {k: secrets.token_hex(8) for k in missing}
        cache.set_many(fresh, timeout=None)
        found.update(fresh)
    versions = tuple(found[k] for k in version_keys)
    entry = found.get(key)
    if entry is not None and entry[0] == versions:
        return entry[1], versions
    return None, versions


def store(key: str, versions: tuple[str, ...], value) -> None:
    """Keeps `value` for API_CACHE_SECONDS, tagged with the versions read before computing it."""
    try:
        cache.set(key, (versions, value), settings.API_CACHE_SECONDS)
    except Exception:
        logger.warning("api cache: could not store %s", key, exc_info=True)


# A token lookup is cached under the token's hash, never the token itself (a dump of Redis must not
# hold usable tokens), and stale after any write to the accounts or oauth2 (django-oauth-toolkit) tables:
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
    """Serves a GET from the cache while the versions of `cache_depends_on` are unchanged (app labels
    of tracked tables, or METRICS).

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
                or writing((*self.cache_depends_on, *TOKEN_DEPENDS_ON))
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
        return (enabled() and request.method in ("GET", "HEAD") and not writing(self.cache_depends_on)
                and getattr(request, "accepted_renderer", None) is not None
                and request.accepted_renderer.format == "json")

    def get(self, request, *args, **kwargs):
        if not self._cacheable(request):
            return super().get(request, *args, **kwargs)
        key = self.response_cache_key(request, self._credential(request))
        fingerprint = user_fingerprint(request.user) if self.cache_per_user else "public"
        try:
            value, versions = lookup(key, self.cache_depends_on, request)
        except Exception:
            logger.warning("api cache: unavailable, answering uncached", exc_info=True)
            return super().get(request, *args, **kwargs)
        fresh_wanted = "no-cache" in request.headers.get("Cache-Control", "")
        if value is not None and value[2] == fingerprint and not fresh_wanted:
            response = HttpResponse(value[0], content_type=value[1])
            response["X-Cache"] = "hit"
            return response
        # Remembered for finalize_response: the versions read *before* the data.
        request._api_cache = (key, versions, fingerprint)
        return super().get(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        pending = getattr(request, "_api_cache", None)
        if pending is None or response.status_code != 200:
            return response
        response.render()
        key, versions, fingerprint = pending
        store(key, versions, (response.content, response["Content-Type"], fingerprint))
        response["X-Cache"] = "miss"
        return response
