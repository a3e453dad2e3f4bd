"""The client address of the request being served, for audit entries written deep in services.

Set by `audit.request.AuditRequestMiddleware`, read by `audit.services.audit_record`; neither imports
the other for it.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_ip: ContextVar[str | None] = ContextVar("audit_ip", default=None)


def current_ip() -> str | None:
    return _ip.get()


@contextmanager
def client_ip(address: str | None):
    """The address audit entries record while the block runs."""
    token = _ip.set(address)
    try:
        yield
    finally:
        _ip.reset(token)
