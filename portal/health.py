"""The database away: pages, the API and /healthz answer 503 with Retry-After instead of a 500.

A restart of PostgreSQL, a failover or a network cut shows up as an OperationalError or InterfaceError
(psycopg's, wrapped by Django), wherever the first query of the request happens to be — in a view, or in
a middleware loading the session or the user. Views' errors are caught by the middleware here; those of
other middlewares reach `handler500`, which asks the same question. The pool checks every connection
before handing it out (settings), so once the database is back no broken connection reaches a request.
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


def database_unavailable(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def unavailable_response(request):
    retry_after = settings.DATABASE_RETRY_AFTER_SECONDS
    if request.path.startswith("/api/") or request.path == "/healthz":
        response = JsonResponse({"error": {"code": "service_unavailable",
                                           "message": _("The database is briefly unavailable; try again shortly.")}},
                                status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"retry_after": retry_after}), status=503)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a view's database-unreachable error into the 503 answer (also with DEBUG on)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if database_unavailable(exception):
            log.warning("database unavailable: %s %s: %s", request.method, request.path, exception)
            return unavailable_response(request)
        return None


def current_exception_is_database_unavailable() -> bool:
    return database_unavailable(sys.exc_info()[1])
