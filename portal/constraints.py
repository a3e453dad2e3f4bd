"""A database constraint violation explained to the user: the field it concerns, in the user's language,
never the constraint's name.

Model validation (`full_clean`) already answers with each constraint's `violation_error_message`; this is
for the race that validation cannot see (two requests passing it at once, the second INSERT refused by
PostgreSQL): the IntegrityError names the constraint, which is found among the models' constraints.
Services that write rows under a unique constraint wear `@explains_constraints` (above
`@transaction.atomic`), so pages put the message on the form and the API answers 400, instead of a 500.
"""

from __future__ import annotations

import functools

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import IntegrityError
from django.db.models import Q, UniqueConstraint
from django.utils.text import capfirst
from django.utils.translation import gettext as _


def _condition_fields(condition) -> list[str]:
    names = []
    for child in getattr(condition, "children", []):
        if isinstance(child, Q):
            names += _condition_fields(child)
        elif isinstance(child, tuple):
            names.append(child[0].split("__")[0])
    return names


def _label(model, name: str) -> str:
    try:
        return str(capfirst(model._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:
        return name


def constraint_error(exc: BaseException) -> ValidationError | None:
    """A ValidationError keyed by the field for an IntegrityError of one of our constraints, else None."""
    cause = exc.__cause__ or exc
    name = getattr(getattr(cause, "diag", None), "constraint_name", None)
    if not name:
        return None
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.name != name:
                continue
            fields = list(getattr(constraint, "fields", ()) or ()) or _condition_fields(
                getattr(constraint, "condition", None))
            field = fields[-1] if fields else NON_FIELD_ERRORS
            if constraint.violation_error_message != constraint.default_violation_error_message:
                message = str(constraint.get_violation_error_message())
            elif isinstance(constraint, UniqueConstraint):
                message = _("%(fields)s: a record with this value already exists.") % {
                    "fields": ", ".join(_label(model, f) for f in fields)}
            else:
                message = _("%(fields)s: this value is not allowed here.") % {
                    "fields": ", ".join(dict.fromkeys(_label(model, f) for f in fields))}
            return ValidationError({field: [ValidationError(message, code=constraint.violation_error_code)]})
    return None


def explains_constraints(service):
    """Decorates a service so that the IntegrityError of one of our constraints leaves it as the
    ValidationError naming the field (`constraint_error`); any other IntegrityError is left alone.

    Goes above `@transaction.atomic`: by the time the error reaches it the service's transaction (or
    savepoint) is rolled back, so nothing is half-written and a caller inside a transaction can go on.
    """

    @functools.wraps(service)
    def explained(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except IntegrityError as exc:
            error = constraint_error(exc)
            if error is None:
                raise
            raise error from exc

    return explained
