"""The change feed of every API list: `updated_after`, and cursor pages ordered by change.

A consumer system keeps a copy in sync without re-reading every list:

    GET /api/v1/institutions/?updated_after=2026-12-01T00:00:00Z   first call (or ?ordering=updated: all)
    GET <next>                                                     until `results` is empty
    ... later: GET <the last next> again                           what changed since

In change mode the list is ordered by (updated_at, id) and paged by a keyset cursor (`change_cursor`,
opaque): each page is one index range scan and there is no COUNT(*). `next` is never null in change
mode: at the end it points after the last row seen, so it is the bookmark to call again later.
Without these parameters a list pages exactly as before.

Every model behind a list keeps `updated_at` (auto_now, and a database trigger that also catches
`UPDATE`s the ORM's auto_now never sees: guarded conditional updates, bulk updates, raw SQL —
portal/migration_operations.py). Rows younger than EVENTS_SETTLE_SECONDS are held back, as in the events
feed, so that a transaction still committing cannot land behind a cursor already handed out.
"""

from __future__ import annotations

import base64
import binascii
import datetime

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import mixins
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

UPDATED_AFTER = "updated_after"
ORDERING = "ordering"
CHANGE_CURSOR = "change_cursor"
CURSOR_PREFIX = "ch1:"


def tracks_changes(model) -> bool:
    try:
        model._meta.get_field("updated_at")
    except FieldDoesNotExist:
        return False
    return True


def _model_of(view):
    serializer_class = getattr(view, "serializer_class", None)
    if serializer_class is None and hasattr(view, "get_serializer_class"):
        try:
            serializer_class = view.get_serializer_class()
        except Exception:  # schema generation without a request
            serializer_class = None
    meta = getattr(serializer_class, "Meta", None)
    model = getattr(meta, "model", None)
    if model is None and getattr(view, "queryset", None) is not None:
        model = view.queryset.model
    return model


def _is_list(view) -> bool:
    return isinstance(view, mixins.ListModelMixin)


def parse_updated_after(raw: str) -> datetime.datetime:
    value = None
    try:
        value = parse_datetime(raw.strip().replace(" ", "+")) if raw else None
    except ValueError:
        value = None
    if value is None:
        raise ValidationError({UPDATED_AFTER: [_("Enter a date and time in ISO 8601, e.g. 2026-12-01T08:00:00Z.")]})
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        # In UTC: PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 allows.
        value = value.astimezone(datetime.UTC)
    except (OverflowError, ValueError) as exc:
        raise ValidationError({UPDATED_AFTER: [_("This date and time is out of range.")]}) from exc
    return value


def encode_cursor(at: datetime.datetime, pk: int) -> str:
    text = f"{CURSOR_PREFIX}{at.astimezone(datetime.UTC).isoformat()}|{pk}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(raw: str, model) -> tuple[datetime.datetime, object]:
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        if not text.startswith(CURSOR_PREFIX):
            raise ValueError(text)
        at_text, pk_text = text[len(CURSOR_PREFIX):].split("|")
        at = datetime.datetime.fromisoformat(at_text)
        pk = model._meta.pk.to_python(pk_text)
        if timezone.is_naive(at) or (isinstance(pk, int) and not 0 <= pk < 2**63):
            raise ValueError(text)
        return at, pk
    except (binascii.Error, UnicodeDecodeError, ValueError, DjangoValidationError) as exc:
        # As DRF's own cursor pages answer an unknown cursor: not found (a schema cannot tell an opaque
        # cursor from any other string, so a 400 would contradict the schema).
        raise NotFound(_("change_cursor: not a cursor of this list; follow the “next” link.")) from exc


def change_mode(request) -> bool:
    params = request.query_params
    return UPDATED_AFTER in params or CHANGE_CURSOR in params or params.get(ORDERING) == "updated"


class UpdatedAfterFilterBackend(BaseFilterBackend):
    """`?updated_after=<ISO datetime>`: only rows changed after it (every list whose model tracks changes)."""

    def filter_queryset(self, request, queryset, view):
        if not _is_list(view) or not tracks_changes(queryset.model):
            return queryset
        params = request.query_params
        if ORDERING in params and params[ORDERING] != "updated":
            raise ValidationError({ORDERING: [_("The only ordering offered is “updated”.")]})
        if UPDATED_AFTER in params:
            queryset = queryset.filter(updated_at__gt=parse_updated_after(params[UPDATED_AFTER]))
        return queryset

    def get_schema_operation_parameters(self, view):
        model = _model_of(view)
        if not _is_list(view) or model is None or not tracks_changes(model):
            return []
        paged = getattr(view, "pagination_class", None) is not None
        feed = (" Rows come ordered by change (updated_at, id) in cursor pages: follow `next`; "
                "at the end `next` is the bookmark for what changes later.") if paged else ""
        parameters = [{
            "name": UPDATED_AFTER, "in": "query", "required": False,
            "description": "Only rows created or changed after this moment (ISO 8601 date and time; without "
                           "an offset, the portal's time zone)." + feed,
            "schema": {"type": "string", "format": "date-time"},
        }]
        if paged:
            parameters += [
                {"name": ORDERING, "in": "query", "required": False,
                 "description": "`updated`: the whole list ordered by change, in cursor pages (a first full "
                                "sync; then keep `next`).",
                 "schema": {"type": "string", "enum": ["updated"]}},
                {"name": CHANGE_CURSOR, "in": "query", "required": False,
                 "description": "Opaque position in the change order, from a `next` link (an unknown one: 404).",
                 "schema": {"type": "string", "pattern": r"^[A-Za-z0-9_\-]{1,120}$"}},
            ]
        return parameters


class ChangeFeedPaginationMixin:
    """Mixed into every pagination class: in change mode, keyset pages on (updated_at, id)."""

    change_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.change_mode = change_mode(request) and tracks_changes(queryset.model)
        if not self.change_mode:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.base_url = request.build_absolute_uri()
        size = self.get_page_size(request) if getattr(self, "page_size_query_param", None) else None
        size = size or self.change_page_size
        raw = request.query_params.get(CHANGE_CURSOR)
        self.position = decode_cursor(raw, queryset.model) if raw is not None else None
        if self.position:
            at, pk = self.position
            # The first condition is the index range; the second skips the rows of the same instant already seen.
            queryset = queryset.filter(updated_at__gte=at).filter(Q(updated_at__gt=at) | Q(pk__gt=pk))
        settle = datetime.timedelta(seconds=settings.EVENTS_SETTLE_SECONDS)
        queryset = queryset.filter(updated_at__lte=timezone.now() - settle)
        rows = list(queryset.order_by("updated_at", "pk")[:size])
        self.last = (rows[-1].updated_at, rows[-1].pk) if rows else self.position
        return rows

    def get_paginated_response(self, data):
        if not getattr(self, "change_mode", False):
            return super().get_paginated_response(data)
        return Response({"next": self._change_next(), "previous": None, "results": data})

    def _change_next(self) -> str:
        url = remove_query_param(self.base_url, getattr(self, "page_query_param", "page") or "page")
        url = remove_query_param(url, getattr(self, "cursor_query_param", "cursor") or "cursor")
        if self.last is None:
            return url  # nothing yet: ask the same again later
        url = remove_query_param(url, UPDATED_AFTER)
        url = replace_query_param(url, ORDERING, "updated")
        return replace_query_param(url, CHANGE_CURSOR, encode_cursor(*self.last))

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        # Change mode answers without a count (no COUNT(*) per page): the count is never required.
        if "count" in response.get("properties", {}):
            response["required"] = [r for r in response.get("required", []) if r != "count"]
            response["properties"]["count"]["description"] = "Absent in change mode (`updated_after`, " \
                                                             "`ordering=updated`)."
        response["properties"]["next"]["description"] = "The next page; in change mode never null: the " \
                                                        "bookmark to call again for later changes."
        return response
