"""Children: identity documents and guardian consent checked, registering, recording consent, correcting
a record, the audit row of every view."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from institutions.models import Institution
from portal.constraints import explains_constraints

from .. import identity
from ..models import (
    Child,
    ConsentMethod,
    Guardian,
)
from .common import ensure_record_keeper


def document_errors(*, document_type: str, number: str, date_of_birth, sex: str | None) -> list[str]:
    number = identity.normalise(number)
    if not number:
        return [_("Enter the identity document number.")]
    if document_type == Child.DocumentType.RESIDENT_ID:
        return identity.check_resident_id(number, date_of_birth, sex)
    if len(number) < 5 or len(number) > 30 or not number.isalnum():
        return [_("A document number has 5 to 30 letters and digits.")]
    return []


def consent_errors(*, method: str | None, given_on: datetime.date | None, guardian_name: str) -> dict[str, str]:
    """What is missing from a guardian's consent, by field (shared by the form, the API and the import)."""
    errors = {}
    if method not in ConsentMethod.values:
        errors["consent_method"] = _("Record how the guardian consented (written or electronic) before the "
                                     "child's data is kept.")
    if given_on is None:
        errors["consent_given_on"] = _("Enter the date the guardian consented.")
    elif given_on > timezone.localdate():
        errors["consent_given_on"] = _("The consent date is in the future.")
    if not (guardian_name or "").strip():
        errors["consent_guardian"] = _("Name the guardian who consented.")
    return errors


def _consent_fields(consent: dict | None, actor) -> dict:
    consent = consent or {}
    errors = consent_errors(method=consent.get("method"), given_on=consent.get("given_on"),
                            guardian_name=consent.get("guardian_name", ""))
    if errors:
        raise ValidationError(errors)
    return {"consent_method": consent["method"], "consent_given_on": consent["given_on"],
            "consent_guardian_name": consent["guardian_name"].strip()[:100],
            "consent_guardian_relation": consent.get("guardian_relation") or Guardian.Relation.OTHER,
            "consent_recorded_by": actor if getattr(actor, "is_authenticated", False) else None,
            "consent_recorded_at": timezone.now()}


@explains_constraints
@transaction.atomic
def child_register(*, institution: Institution, name: str, sex: str, date_of_birth: datetime.date,
                   document_type: str, document_number: str, guardians: Iterable[dict] = (),
                   consent: dict | None = None, actor) -> Child:
    """Records a child's personal data for an institution: hash, encrypted copy and mask of the number.

    `consent` is the guardian's consent to keeping the data — {"method": written|electronic, "given_on":
    date, "guardian_name": ..., "guardian_relation": ...}; without it nothing is kept (PIPL Art. 31).
    Side effects: one audit row (without the number or the name). Not repeatable: the same number twice
    in one institution is refused as a duplicate.
    """
    ensure_record_keeper(actor, institution.pk)
    consent_fields = _consent_fields(consent, actor)
    problems = document_errors(document_type=document_type, number=document_number,
                               date_of_birth=date_of_birth, sex=sex)
    if problems:
        raise ValidationError({"document_number": problems})
    child = Child(institution=institution, name=(name or "").strip(), sex=sex, date_of_birth=date_of_birth,
                  **consent_fields)
    child.set_document(document_type, document_number)
    if Child.objects.filter(institution=institution, document_hash=child.document_hash).exists():
        raise ValidationError({"document_number": _("%(child)s: a child with this identity number is already "
                                                    "registered here.") % {"child": child.name}})
    if date_of_birth and date_of_birth > timezone.localdate():
        raise ValidationError({"date_of_birth": _("The date of birth is in the future.")})
    child.full_clean()
    child.save()
    items = []
    for g in guardians:
        if not (g.get("name") or "").strip():
            continue
        guardian = Guardian(child=child, name=g["name"].strip(), relation=g.get("relation") or "other",
                            phone=(g.get("phone") or "").strip())
        guardian.full_clean()
        items.append(guardian)
    Guardian.objects.bulk_create(items)
    # No name, number or mask in the log: it outlives the record (retention erases the record, not the log).
    audit_record(actor=actor, action="child.register", target=child,
                 after={"document_type": document_type, "guardians": len(items),
                        "consent_method": child.consent_method, "consent_given_on": child.consent_given_on.isoformat()})
    return child


@explains_constraints
@transaction.atomic
def child_consent_record(*, child: Child, consent: dict, actor) -> Child:
    """Records the guardian's consent for a child kept before consent was recorded.

    Side effects: one audit row. A repeat is refused: recorded consent is not overwritten.
    """
    ensure_record_keeper(actor, child.institution_id)
    fields = _consent_fields(consent, actor)
    claimed = Child.objects.filter(pk=child.pk, consent_method="", erased_at__isnull=True).update(**fields)
    if not claimed:
        raise ValidationError({"consent_method": _("Consent is already recorded for this child.")})
    child.refresh_from_db()
    audit_record(actor=actor, action="child.consent_record", target=child,
                 after={"consent_method": child.consent_method, "consent_given_on": child.consent_given_on.isoformat()})
    return child


CORRECTABLE = ("name", "sex", "date_of_birth")


@explains_constraints
@transaction.atomic
def child_correct(*, child: Child, changes: dict, actor) -> list[str]:
    """Corrects a child's name, sex or date of birth (a guardian's correction request). Returns the fields
    changed. Side effects: one audit row naming the fields, not their values. A repeat changes nothing."""
    ensure_record_keeper(actor, child.institution_id)
    current = Child.objects.select_for_update().get(pk=child.pk)
    if current.erased_at:
        raise ValidationError({"name": _("This child's personal data has been erased.")})
    changed = []
    for field in CORRECTABLE:
        value = changes.get(field)
        if value in (None, "") or value == getattr(current, field):
            continue
        setattr(current, field, value.strip() if isinstance(value, str) else value)
        changed.append(field)
    if not changed:
        return []
    if current.date_of_birth > timezone.localdate():
        raise ValidationError({"date_of_birth": _("The date of birth is in the future.")})
    current.full_clean()
    current.save(update_fields=[*changed, "updated_at"])
    audit_record(actor=actor, action="child.correct", target=current, after={"fields": changed})
    return changed


def child_record_view(*, child: Child, actor) -> None:
    """Records that someone opened a child's personal data (OpenCRVS practice). Repeats add rows."""
    audit_record(actor=actor, action="child.view", target=child)
