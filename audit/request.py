"""The audit middleware: the client address for audit entries, and a row for every refused access."""

from .context import client_ip
from .services import audit_record

DENIED_STATUSES = {403, 404}
NOT_AUDITED_PREFIXES = ("/static/", "/favicon", "/jsi18n/")


class AuditRequestMiddleware:
    """Keeps the client address for audit entries, and records refused access by signed-in users.

    A signed-in user who is answered 403 or 404 (an object outside their area is a 404) has tried
    something they may not do or probed for something they may not see: security wants that in the
    audit log, with the path and method but no request body.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with client_ip(request.META.get("REMOTE_ADDR")):
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if (response.status_code in DENIED_STATUSES and user is not None and user.is_authenticated
                    and not request.path.startswith(NOT_AUDITED_PREFIXES)):
                audit_record(actor=user, action="access.denied", target_type="path",
                             target_id=request.path[:64],
                             after={"method": request.method, "status": response.status_code,
                                    "path": request.path[:500]})
            return response
