"""Lean reads: the JSON of a read-only serializer, built from `.values()` rows.

DRF's path for a list builds the serializer's fields for the request, then walks every value of every
row through `get_attribute` (ABC and callable checks per attribute) and `to_representation`, after the ORM
has built a model instance (and one per `select_related` relation) for each row. For the hot lists
(50 institutions × 28 fields) that was half of an uncached read. A `ReadPlan` does the same work once
per serializer class: it asks the serializer for its fields, turns each field's `source` into a
`.values()` name (`region.name` → `region__name`) and keeps the field's own conversion, so the JSON is
the serializer's, value for value and key for key (tests/api/test_lean_reads.py compares them on every
row). The serializer stays the documented contract (drf-spectacular reads it); the plan only replays it.

Only plain fields are replayed: model columns, annotations and related columns. A serializer with a
method field, a nested serializer or a source that is not a column is refused when the plan is made,
so nothing falls back to a slower or different path unnoticed.
"""

from __future__ import annotations

import datetime
import operator
import threading
from collections.abc import Callable, Iterable

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers
from rest_framework.fields import ISO_8601
from rest_framework.relations import PrimaryKeyRelatedField
from rest_framework.response import Response
from rest_framework.settings import api_settings

from .changes import change_mode

_lock = threading.Lock()
_plans: dict[tuple, ReadPlan] = {}


def _identity_safe(field) -> bool:
    """Fields whose representation of a database value is the value itself."""
    if isinstance(field, PrimaryKeyRelatedField):
        return field.pk_field is None  # DRF answers the related row's key as it is
    if type(field) is serializers.BooleanField:
        return True  # a boolean column gives True or False, which DRF keeps
    return type(field) is serializers.JSONField and not field.binary


def _converter(field) -> Callable | None:
    """The function DRF applies to a non-null value of `field` (None: the value as it is)."""
    if _identity_safe(field):
        return None
    kind = type(field)
    if kind is serializers.IntegerField or (kind is serializers.BigIntegerField and not getattr(
            field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING)):
        return int  # IntegerField.to_representation is int(value)
    if kind is serializers.CharField:
        return str  # CharField.to_representation is str(value)
    if kind is serializers.DateField and getattr(field, "format", api_settings.DATE_FORMAT) == ISO_8601:
        return datetime.date.isoformat
    if (kind is serializers.DateTimeField and settings.USE_TZ and not hasattr(field, "timezone")
            and getattr(field, "format", api_settings.DATETIME_FORMAT) == ISO_8601):
        return _AwareDateTime(field)
    if isinstance(field, (serializers.SerializerMethodField, serializers.BaseSerializer,
                          serializers.ManyRelatedField, serializers.HiddenField)):
        raise TypeError(f"{field.field_name}: a {type(field).__name__} has no column to read")
    return field.to_representation  # decimals, date-times, choices…: DRF's own conversion


class _AwareDateTime:
    """DateTimeField's ISO representation with the current time zone looked up once per call of
    `ReadPlan.represent_many`, not once per value (DRF's `enforce_timezone` asks for it every time)."""

    def __init__(self, field):
        self.field = field

    def bind(self, tz) -> Callable:
        fallback = self.field.to_representation

        def convert(value):
            if isinstance(value, str) or value.utcoffset() is None:
                return fallback(value)  # DRF's own answer for text and naive values
            try:
                text = value.astimezone(tz).isoformat()
            except OverflowError:
                return fallback(value)
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return convert


class ReadPlan:
    """How to build `serializer_class`'s representation from a `.values()` row.

    `columns` names the column (or annotation) behind a field whose source is a model property, e.g.
    `{"places": "total_places"}` where the property reads that annotation.
    """

    def __init__(self, serializer_class: type[serializers.Serializer], columns: dict[str, str] | None = None):
        self.serializer_class = serializer_class
        # The fields as DRF builds them for any instance (bound to this one serializer, kept for good).
        self._prototype = serializer_class()
        model = getattr(getattr(serializer_class, "Meta", None), "model", None)
        columns, planned = dict(columns or {}), []
        for name, field in self._prototype.fields.items():
            if field.write_only:
                continue
            convert = _converter(field)  # refuses method fields and nested serializers first
            if name in columns:
                key = columns.pop(name)
            elif not field.source_attrs:
                raise TypeError(f"{serializer_class.__name__}.{name}: source '*' has no column to read")
            elif model is not None and isinstance(getattr(model, field.source_attrs[0], None), property):
                raise TypeError(f"{serializer_class.__name__}.{name}: {field.source_attrs[0]} is a property; "
                                "name the column it reads in `columns`")
            else:
                key = "__".join(field.source_attrs)
            planned.append((name, key, convert))
        if columns:
            raise TypeError(f"{serializer_class.__name__} has no fields {sorted(columns)}")
        columns = planned
        self.columns = tuple(columns)
        self.value_names = tuple(dict.fromkeys(key for _, key, _ in columns))
        self._getters = tuple((name, operator.itemgetter(key), convert) for name, key, convert in columns)
        self._zoned = any(isinstance(convert, _AwareDateTime) for _, _, convert in columns)

    def values(self, queryset, *extra: str):
        """The queryset's rows as the dicts this plan reads (and `extra` names, e.g. a cursor's field)."""
        return queryset.values(*self.value_names, *(name for name in extra if name not in self.value_names))

    def represent(self, row: dict) -> dict:
        return self.represent_many((row,))[0]

    def represent_many(self, rows: Iterable[dict]) -> list[dict]:
        getters = self._getters
        if self._zoned:
            tz = timezone.get_current_timezone()
            getters = tuple((name, get, convert.bind(tz) if isinstance(convert, _AwareDateTime) else convert)
                            for name, get, convert in getters)
        out = []
        for row in rows:
            item = {}
            for name, get, convert in getters:
                value = get(row)
                item[name] = value if value is None or convert is None else convert(value)
            out.append(item)
        return out


def read_plan(serializer_class: type[serializers.Serializer], columns: dict[str, str] | None = None) -> ReadPlan:
    """The plan of a serializer class, made on first use (a process keeps one per class and `columns`)."""
    key = (serializer_class, tuple(sorted((columns or {}).items())))
    plan = _plans.get(key)
    if plan is None:
        plan = ReadPlan(serializer_class, columns)
        with _lock:
            _plans[key] = plan
    return plan


def _ordering_names(paginator) -> tuple[str, ...]:
    """The fields a cursor paginator reads from each row to make its positions."""
    ordering = getattr(paginator, "ordering", None) if paginator is not None else None
    if not ordering or not hasattr(paginator, "cursor_query_param"):
        return ()
    ordering = (ordering,) if isinstance(ordering, str) else ordering
    return tuple(name.lstrip("-") for name in ordering)


class LeanListMixin:
    """A list view whose GET answers its serializer's JSON from `.values()` rows (`ReadPlan`).

    Filters, `visible_to`, pagination and the response cache run as before; only the rows and their
    representation are built the lean way (`lean_columns`: see `ReadPlan`). The change feed
    (`updated_after`, `ordering=updated`) keeps the ordinary path: its keyset cursor reads model instances.
    """

    lean_columns: dict[str, str] = {}

    def list(self, request, *args, **kwargs):
        if change_mode(request):
            return super().list(request, *args, **kwargs)
        plan = read_plan(self.get_serializer_class(), self.lean_columns)
        rows = plan.values(self.filter_queryset(self.get_queryset()), *_ordering_names(self.paginator))
        page = self.paginate_queryset(rows)
        if page is not None:
            return self.get_paginated_response(plan.represent_many(page))
        return Response(plan.represent_many(rows))


_prototypes: dict[type, serializers.ListSerializer] = {}


def represent_objects(serializer_class: type[serializers.Serializer], objects) -> list[dict]:
    """`serializer_class(objects, many=True).data`, DRF's own representation of model instances (method
    fields and nested serializers too), with the fields built once per process instead of built and
    deep-copied for every request. For serializers whose fields read neither the request nor the context.
    """
    prototype = _prototypes.get(serializer_class)
    if prototype is None:
        prototype = serializer_class(many=True)
        with _lock:
            _prototypes[serializer_class] = prototype
    return prototype.to_representation(objects)


class PrototypeListMixin:
    """A list view whose GET represents its page with `represent_objects` (filters, `visible_to`,
    pagination, the change feed and the response cache as before)."""

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(represent_objects(self.get_serializer_class(), page))
        return Response(represent_objects(self.get_serializer_class(), queryset))
