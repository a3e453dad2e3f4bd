"""The one exception for "the object's state refuses this": a conflict, not bad input.

Someone acted first (another reviewer decided the filing a moment ago, the last appointment place was
booked) or the object is past the state the action needs (a filed institution's particulars change only
through a change filing). Nothing was written. Services raise it; the API answers 409 with code
`conflict` (portal.api.errors); pages show its message on the form like any other refusal, since it is a
ValidationError (portal.forms.add_service_errors).
"""

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    pass
