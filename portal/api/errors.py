"""One error format for every API error.

    {"error": {"code": "validation_error", "message": "...", "fields": {"name": ["..."]}}}

Django's own ValidationError (raised by services and model `full_clean`) is mapped here too, so a
service can raise it and the caller sees a 400 naming the field, never a 500; a `portal.exceptions.Conflict`
(the object's state refuses the action) is a 409 with code `conflict`.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from accounts import policies
from portal.exceptions import Conflict


def _flatten(detail, prefix=""):
    """Nested serializer errors as one level of dotted paths: `items.0.name: [...]`, as the schema says."""
    if isinstance(detail, dict):
        flat = {}
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            if item:
                flat.update(_flatten(item, f"{prefix}.{index}"))
        return flat
    return {prefix or "non_field_errors": [str(m) for m in (detail if isinstance(detail, list) else [detail])]}


def _django_validation_detail(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is briefly unavailable; nothing was saved. Please retry."
    default_code = "database_unavailable"


class _Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object changed meanwhile; nothing was written."
    default_code = "conflict"


def exception_handler(exc, context):
    if isinstance(exc, OperationalError):
        # A database restart or failover: say so and invite a retry instead of a bare 500.
        response = drf_exception_handler(DatabaseUnavailable(), context)
        response["Retry-After"] = "5"
        response.data = {"error": {"code": "database_unavailable", "message": str(DatabaseUnavailable.default_detail)}}
        return response
    if isinstance(exc, IntegrityError):
        # A race past validation (two requests at once): the constraint explained, naming the field.
        from portal.constraints import constraint_error

        exc = constraint_error(exc) or exc
        if isinstance(exc, IntegrityError):
            return None
    if isinstance(exc, Conflict):
        exc = _Conflict(" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_validation_detail(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        # Outside the caller's area: not found, so existence does not leak (accounts.policies).
        exc = exceptions.NotFound() if policies.denial_status(exc) == 404 else exceptions.PermissionDenied(
            str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, list):
            detail = {"non_field_errors": detail}
        fields = _flatten(detail)
        first_field, first_messages = next(iter(fields.items()), ("", [""]))
        message = f"{first_field}: {first_messages[0] if first_messages else ''}"
        body = {"code": "validation_error", "message": message, "fields": fields}
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        body = {
            "code": getattr(exc, "default_code", "error"),
            "message": str(detail.get("detail", detail) if isinstance(detail, dict) else detail),
        }
    response.data = {"error": body}
    return response
