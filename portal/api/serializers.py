"""Serializer helpers shared by the apps' APIs."""

from __future__ import annotations

import copy
import threading

from django.utils import translation
from rest_framework import serializers

_fields_lock = threading.Lock()
_fields: dict[tuple[type, str | None], dict] = {}


class CachedFieldsMixin:
    """A ModelSerializer that builds its fields from the model once per language, not once per request.

    DRF introspects the model (field types, validators, translated labels and help texts) every time a
    serializer is instantiated: about 0.8 ms for thirty fields, most of an uncached snapshot read. Here
    the built fields are kept per class and language and deep-copied, as DRF does for declared fields.
    Only for serializers whose fields do not depend on the instance, the request or the context.
    """

    def get_fields(self):
        key = (type(self), translation.get_language())
        built = _fields.get(key)
        if built is None:
            built = super().get_fields()
            with _fields_lock:
                _fields[key] = built
        return copy.deepcopy(built)


class StrictCharField(serializers.CharField):
    """Text that must arrive as a JSON string: DRF would turn `0` or `1.5` into "0", so a client that sends
    the wrong type is told so (400) instead of having a number quietly stored as text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """An id that must arrive as a JSON integer, not "12" or true."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)
