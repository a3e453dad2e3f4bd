"""Read-only dashboard and API traffic on a PostgreSQL streaming replica (DATABASE_REPLICA_URL).

Without the setting there is no `replica` alias and nothing here changes where a query goes. With it, the
middleware marks a GET or HEAD request to the dashboards or the API as read-only, and the router sends that
request's ORM reads to the replica — except:

- reads inside a transaction (an atomic block on the primary): they must see what the block wrote and
  hold its locks;
- every read after the request has written anything (the ORM's writes through the router, raw SQL seen by
  an execute wrapper on the primary), so that a request reads its own writes;
- the models of sign-in, sessions, tokens, permissions and the task outbox (PRIMARY_ONLY_APPS): a session
  or token created a moment ago must be found on the very next request, which replication lag would not
  promise.

Everything else — every write, every POST, every page outside those paths, every Celery task — uses the
primary. docs/scaling.md says when to add a replica and how to keep its lag small.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
READ_ONLY_METHODS = ("GET", "HEAD")
# The read-heavy, read-only traffic: officials' dashboards (pages, maps, exports) and the REST API.
READ_ONLY_PATHS = ("/dashboards/", "/api/")
PRIMARY_ONLY_APPS = frozenset({
    "auth", "contenttypes", "sessions", "admin", "accounts", "oauth2_provider", "axes", "otp_totp",
    "django_celery_beat", "portal",
})
# Statements on the primary that write nothing (anything else marks the request as having written).
_NOT_WRITES = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET ", "SHOW")

_request: ContextVar[dict | None] = ContextVar("replica_request", default=None)


def enabled() -> bool:
    """DATABASE_REPLICA_URL is set (settings.py then adds the `replica` alias)."""
    return bool(settings.DATABASE_REPLICA_URL)


def connection_for_read(model):
    """The connection a raw-SQL read about `model` should use: the replica where the router would read the
    model's queryset there, else the primary."""
    from django.db import router

    return connections[router.db_for_read(model)]


class ReplicaReadsMiddleware:
    """Marks safe-method requests to the dashboards and the API as read-only for ReplicaRouter."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (enabled() and request.method in READ_ONLY_METHODS and request.path_info.startswith(READ_ONLY_PATHS)):
            return self.get_response(request)
        state = {"wrote": False}
        token = _request.set(state)

        def note_writes(execute, sql, params, many, context):
            if not state["wrote"] and not sql.lstrip().upper().startswith(_NOT_WRITES):
                state["wrote"] = True
            return execute(sql, params, many, context)

        try:
            with connections[DEFAULT_DB_ALIAS].execute_wrapper(note_writes):
                return self.get_response(request)
        finally:
            _request.reset(token)


class ReplicaRouter:
    """Reads of a read-only request on the replica (see the module's docstring); everything else unrouted,
    that is on the primary."""

    def db_for_read(self, model, **hints):
        state = _request.get()
        if (state is None or state["wrote"] or model._meta.app_label in PRIMARY_ONLY_APPS
                or connections[DEFAULT_DB_ALIAS].in_atomic_block):
            return None
        return REPLICA

    def db_for_write(self, model, **hints):
        state = _request.get()
        if state is not None:
            state["wrote"] = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: an object read from either may point to one from the other.
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA} or None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None
