"""The public events feed: what happened in a caller's area, read from the append-only audit log.

The audit log already records every write with its region and institution; a consumer system that
wants to stay in sync needs only the public part of it. Each public audit action maps to one event
type with the payload keys a caller of that area may read: statuses, dates, receipt numbers, places —
never a person's name, an identity number or free text written about people. Actions not listed here
(viewing a child's record, enrolments, failed sign-ins…) never appear in the feed.

The cursor is the audit entry's id, encoded so that callers treat it as opaque; ids only grow, so a
cursor stays valid for ever. Entries younger than EVENTS_SETTLE_SECONDS are held back: an id is
taken when the row is inserted, not when its transaction commits, so a slow transaction could
otherwise commit an entry behind a cursor a caller has already passed.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils import timezone

from accounts import policies
from regions import codes

from .actions import action_label


@dataclass(frozen=True)
class EventType:
    """An event's label is its audit action's (audit.actions), the words history pages use."""

    name: str
    data: tuple[str, ...] = ()
    # Events about the whole country (a snapshot of every region): every official sees them.
    national: bool = False
    # Data computed from before/after instead of copied: "changed_fields" lists changed keys only.
    changed_fields: bool = False


EVENT_TYPES: dict[str, EventType] = {
    "institution.create": EventType("institution.registered", ("legal_form", "setting_type")),
    "institution.filed": EventType("institution.filed", ("filed_on", "filing_number")),
    "institution.import": EventType("institution.imported", ("filed_on", "filing_number", "places")),
    "institution.change_applied": EventType("institution.changed", changed_fields=True),
    "institution.suspend": EventType("institution.suspended", ("suspended_on",)),
    "institution.cancel": EventType("institution.cancelled", ("cancelled_on",)),
    "class.add": EventType("class.opened", ("name", "class_type", "places")),
    "class.update": EventType("class.changed", ("name", "class_type", "places")),
    "class.close": EventType("class.closed", ("closed_on",)),
    "filing.submit": EventType("filing.submitted", ("kind", "status", "due_on")),
    "filing.resubmit": EventType("filing.resubmitted", ("kind", "status", "due_on")),
    "filing.return": EventType("filing.returned", ("status", "sections")),
    "filing.approve": EventType("filing.filed", ("kind", "status", "receipt_number")),
    # The reason for a rejection is published on the public register.
    "filing.reject": EventType("filing.rejected", ("status", "reason")),
    "filing.withdraw": EventType("filing.withdrawn", ("status",)),
    "pilot.designate": EventType("pilot.designated", ("year", "designated_by")),
    "pilot.complete": EventType("pilot.completed", ("completed_on",)),
    "mentoring.create": EventType("mentoring_pair.created", ("mentor", "mentee")),
    "guidance_centre.create": EventType("guidance_centre.created", ("name",)),
    "appointment.slot_create": EventType("appointment_slot.published", ("date", "capacity", "purpose")),
    "enrolment_report.submit": EventType("enrolment_report.submitted"),
    "ranking.publish": EventType("ranking.published", ("version",)),
    "metrics.snapshot_ready": EventType("snapshot.ready", ("date", "version"), national=True),
}
PUBLIC_ACTIONS = sorted(EVENT_TYPES)
NATIONAL_ACTIONS = sorted(a for a, t in EVENT_TYPES.items() if t.national)
BY_EVENT_NAME = {t.name: action for action, t in EVENT_TYPES.items()}

# Region code lengths of the five levels (province 2, city 4, county 6, township 9): the feed's
# indexes (audit/models.py) hold the code's prefix of each length, so an area is one range scan.
PREFIX_LENGTHS = (2, 4, 6)

CURSOR_PREFIX = "ev1:"
MAX_LIMIT = 500
DEFAULT_LIMIT = 100


class BadCursor(ValueError):
    pass


def encode_cursor(entry_id: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{entry_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadCursor(cursor) from exc
    if not text.startswith(CURSOR_PREFIX) or not text[len(CURSOR_PREFIX):].isdigit():
        raise BadCursor(cursor)
    value = int(text[len(CURSOR_PREFIX):])
    if value >= 2**63:
        raise BadCursor(cursor)
    return value


def feed_index_condition() -> Q:
    return Q(action__in=PUBLIC_ACTIONS)


def _area_queries(user):
    """The querysets whose union is the caller's feed, each one range scan of a partial index."""
    from .models import AuditEntry

    public = AuditEntry.objects.filter(action__in=PUBLIC_ACTIONS)
    if not user.is_authenticated:
        return []
    if policies.is_admin(user):
        return [public]
    if policies.is_official(user):
        code = user.region_id
        length = codes.LEVEL_LENGTHS[codes.level_of(code)]
        if length in PREFIX_LENGTHS:
            area = public.annotate(area_prefix=Substr("region_code", 1, length)).filter(area_prefix=code)
        else:
            area = public.filter(region_code=code)
        return [area, public.filter(region_code="", action__in=NATIONAL_ACTIONS)]
    if policies.is_linked_staff(user):
        return [public.filter(institution_id=user.institution_id)]
    return []


def events_for(user, *, after: int = 0, limit: int = DEFAULT_LIMIT, types: list[str] | None = None,
               now: datetime.datetime | None = None) -> tuple[list, bool]:
    """The caller's events after the cursor id, oldest first: (entries, more_waiting).

    Queries: one per part of the caller's area (one; two for officials, who also see national
    events), plus one for the institutions' names — the same whatever the page size.
    """
    settle = datetime.timedelta(seconds=settings.EVENTS_SETTLE_SECONDS)
    until = (now or timezone.now()) - settle
    actions = [BY_EVENT_NAME[t] for t in types] if types else None
    entries = []
    for queryset in _area_queries(user):
        queryset = queryset.filter(pk__gt=after, at__lte=until)
        if actions is not None:
            queryset = queryset.filter(action__in=actions)
        entries.extend(queryset.order_by("pk").only(
            "pk", "at", "action", "target_type", "target_id", "region_code", "institution_id", "before", "after",
        )[:limit + 1])
    entries.sort(key=lambda e: e.pk)
    more = len(entries) > limit
    entries = entries[:limit]
    _attach_institution_names(entries)
    return entries, more


def _attach_institution_names(entries) -> None:
    from institutions.models import Institution

    ids = {e.institution_id for e in entries if e.institution_id}
    names = dict(Institution.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    for entry in entries:
        entry.institution_name = names.get(entry.institution_id)


def event_payload(entry) -> dict:
    """The public form of one audit entry: only the keys its event type lists."""
    kind = EVENT_TYPES[entry.action]
    after = entry.after if isinstance(entry.after, dict) else {}
    if kind.changed_fields:
        before = entry.before if isinstance(entry.before, dict) else {}
        data = {"changed_fields": sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))}
    else:
        data = {key: after[key] for key in kind.data if key in after}
    institution = ({"id": entry.institution_id, "name": entry.institution_name}
                   if entry.institution_id else None)
    return {
        "cursor": encode_cursor(entry.pk),
        "type": kind.name,
        "label": action_label(entry.action),
        "at": entry.at,
        "object_type": entry.target_type.rsplit(".", 1)[-1],
        "object_id": entry.target_id,
        "region": entry.region_code,
        "institution": institution,
        "data": data,
    }
