from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .context import current_ip
from .models import AuditEntry


def audit_record(
    *,
    actor,
    action: str,
    target=None,
    target_type: str = "",
    target_id: Any = "",
    region_code: str = "",
    institution_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Appends one entry. Call it inside the transaction of the write it records.

    With `target` given, its type, id, region and institution are taken from the object
    (`audit_region_code` / `audit_institution_id` attributes where the model provides them).
    """
    entry = _entry(actor=actor, action=action, target=target, target_type=target_type, target_id=target_id,
                   region_code=region_code, institution_id=institution_id, before=before, after=after)
    entry.save(force_insert=True)
    return entry


def audit_record_many(*, actor, action: str, records: Iterable[dict]) -> list[AuditEntry]:
    """Appends one entry per record in one INSERT: each record holds audit_record's other keyword arguments
    (target, before, after, ...), and its entry reads exactly as audit_record would write it. For a service
    that writes many objects in one statement (every ranking of a period), so the audit stays one statement."""
    return AuditEntry.objects.bulk_create([_entry(actor=actor, action=action, **record) for record in records])


def _entry(*, actor, action: str, target=None, target_type: str = "", target_id: Any = "", region_code: str = "",
           institution_id: int | None = None, before: dict | None = None, after: dict | None = None) -> AuditEntry:
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or target.pk
        region_code = region_code or getattr(target, "audit_region_code", "") or ""
        institution_id = institution_id or getattr(target, "audit_institution_id", None)
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry(
        actor=user,
        actor_label=user.get_username() if user else "system",
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        region_code=region_code,
        institution_id=institution_id,
        before=before,
        after=after,
        ip_address=current_ip(),
    )
