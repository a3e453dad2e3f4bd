"""The events feed over the API: `/api/v1/events/?after=<cursor>`.

A consumer keeps the `next` cursor of its last answer and asks again with it; an empty page keeps
the same cursor, so polling never loses its place. Scope and payloads: audit/events.py.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.schema import WRITE_ERRORS

from . import events

EVENT_NAMES = sorted(events.BY_EVENT_NAME)

EVENT_FIELDS = {
    "cursor": serializers.CharField(help_text="This event's position; `after=<cursor>` continues after it."),
    "type": serializers.ChoiceField(choices=EVENT_NAMES),
    "label": serializers.CharField(help_text="The event type in the caller's language."),
    "at": serializers.DateTimeField(),
    "object_type": serializers.CharField(help_text="The model the event is about: institution, filing, class…"),
    "object_id": serializers.CharField(),
    "region": serializers.CharField(help_text="Division code of the region; empty for national events."),
    "institution": inline_serializer(name="EventInstitution", fields={
        "id": serializers.IntegerField(), "name": serializers.CharField(allow_null=True)}, allow_null=True),
    "data": serializers.DictField(help_text="The event type's public facts (statuses, dates, receipt numbers, "
                                            "places); never a person's name or identity number."),
}
EventPageSerializer = inline_serializer(name="EventPage", fields={
    "events": inline_serializer(name="Event", fields=EVENT_FIELDS, many=True),
    "next": serializers.CharField(help_text="Pass as `after` to continue; unchanged when nothing new happened."),
    "has_more": serializers.BooleanField(help_text="More events are waiting now: ask again at once."),
})


class EventFeedView(APIView):
    @extend_schema(
        tags=["events"], operation_id="events_list",
        summary="What happened in the caller's area, oldest first",
        description=(
            "Filings submitted, returned and decided; institutions registered, filed, imported, changed, "
            "suspended and cancelled; classes opened, changed and closed; pilots, mentoring pairs, guidance "
            "centres, appointment slots, enrolment reports; rankings published and figures computed. "
            "Officials see their region and everything below it (and national events); institution staff "
            "their institution; administrators everything. Start without `after`, then pass the `next` "
            "cursor of each answer. Cursors are opaque and stay valid. Events appear a few seconds after "
            "they happen (`EVENTS_SETTLE_SECONDS`), so that a write still committing is never skipped."),
        parameters=[
            OpenApiParameter("after", str, description="The `next` cursor of the previous answer (an unknown "
                                                       "cursor: 404).",
                             pattern=r"^[A-Za-z0-9_\-]{1,40}$"),
            OpenApiParameter("limit", {"type": "integer", "minimum": 1, "maximum": events.MAX_LIMIT},
                             description=f"Events per answer (default {events.DEFAULT_LIMIT})."),
            OpenApiParameter("type", str, enum=EVENT_NAMES, many=True, explode=True,
                             description="Only these event types (repeat the parameter for several)."),
        ],
        responses={200: EventPageSerializer, **WRITE_ERRORS},
    )
    def get(self, request):
        params = request.query_params
        errors = {}
        after = 0
        raw_after = params.get("after")
        if raw_after is not None:
            try:
                after = events.decode_cursor(raw_after)
            except events.BadCursor as exc:
                # Like DRF's cursor pages: an opaque value the schema cannot tell apart is "not found".
                raise NotFound(_("Not a cursor of this feed: pass the “next” value of a previous answer.")) from exc
        limit = events.DEFAULT_LIMIT
        raw_limit = params.get("limit")
        if raw_limit is not None:
            if raw_limit.isdigit() and 1 <= int(raw_limit) <= events.MAX_LIMIT:
                limit = int(raw_limit)
            else:
                errors["limit"] = [_("Enter a whole number from 1 to %(max)d.") % {"max": events.MAX_LIMIT}]
        types = params.getlist("type")
        unknown = [t for t in types if t not in events.BY_EVENT_NAME]
        if unknown:
            errors["type"] = [_("Unknown event type: %(types)s.") % {"types": ", ".join(unknown)}]
        if errors:
            raise ValidationError(errors)
        entries, more = events.events_for(request.user, after=after, limit=limit, types=types or None)
        next_cursor = events.encode_cursor(entries[-1].pk) if entries else events.encode_cursor(after)
        return Response({"events": [events.event_payload(e) for e in entries], "next": next_cursor,
                         "has_more": more})
