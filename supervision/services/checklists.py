"""Checklists as data: a new version of a checklist, the latest one, the shipped ones."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require
from audit.services import audit_record

from ..models import (
    Checklist,
    ChecklistItem,
)


@transaction.atomic
def checklist_create_version(*, code: str, name: str, items: list[dict], actor, notes: str = "",
                             is_working_definition: bool = False) -> Checklist:
    """A new version of checklist `code` (version 1 if the code is new). Older versions and the
    inspections that used them are untouched. Not idempotent: each call adds a version.

    `items`: [{"code", "area", "text", "risk": high|medium|low, "immediate_risk": bool, "basis"}, ...]
    """
    require(policies.is_official_or_admin(actor), _("Only officials and administrators write checklists."))
    if not items:
        raise ValidationError({"items": _("A checklist needs at least one item.")})
    last = Checklist.objects.select_for_update().filter(code=code).order_by("-version").first()
    checklist = Checklist(code=code, version=(last.version + 1) if last else 1, name=name, notes=notes,
                          is_working_definition=is_working_definition, created_by=actor)
    checklist.full_clean()
    checklist.save()
    rows = []
    seen = set()
    for order, raw in enumerate(items, start=1):
        item = ChecklistItem(checklist=checklist, order=order, code=str(raw.get("code", "")).strip(),
                             area=str(raw.get("area", "")).strip(), text=str(raw.get("text", "")).strip(),
                             basis=str(raw.get("basis", "")).strip(), risk=raw.get("risk", ""),
                             immediate_risk=bool(raw.get("immediate_risk", False)))
        if item.code in seen:
            raise ValidationError({"items": _("Item %(code)s appears twice.") % {"code": item.code}})
        seen.add(item.code)
        try:
            item.full_clean(exclude=["checklist"])
        except ValidationError as exc:
            raise ValidationError({"items": _("Item %(n)d: %(errors)s") % {
                "n": order, "errors": "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())}}) \
                from exc
        rows.append(item)
    ChecklistItem.objects.bulk_create(rows)
    audit_record(actor=actor, action="checklist.create", target=checklist,
                 after={"code": code, "version": checklist.version, "items": len(rows)})
    return checklist


def checklist_latest(code: str) -> Checklist | None:
    return Checklist.objects.filter(code=code).order_by("-version").first()


def checklists_ensure_shipped() -> None:
    """Loads version 1 of the shipped checklists where missing (migration 0002 does it; a database emptied
    since, as a test server's, gets them back here). Safe to repeat."""
    from ..checklists import SHIPPED, as_items

    for data in SHIPPED:
        checklist, created = Checklist.objects.get_or_create(
            code=data["code"], version=1,
            defaults={"name": data["name"], "notes": data["notes"], "is_working_definition": True})
        if created:
            ChecklistItem.objects.bulk_create([ChecklistItem(checklist=checklist, order=n, **item)
                                               for n, item in enumerate(as_items(data), start=1)])
