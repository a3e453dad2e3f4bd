"""The rules a filing must meet before the county can decide it: the documents each kind needs, the
lease and health-evaluation checks, the particulars and class changes a change filing carries, and
no child left enrolled at a cancellation."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from enrolments.selectors import enrolled_by_class
from institutions import services as institution_services
from institutions.models import Institution, InstitutionClass

from ..models import Document, Filing

LEASE_MIN_YEARS = 3


# --- Change payloads ------------------------------------------------------------------------------

CLASS_ACTIONS = ("add", "update", "close")


def validate_particulars(institution: Institution, particulars: dict) -> dict:
    """Checks a change filing's particulars against the same rules as the registry itself."""
    if not isinstance(particulars, dict):
        raise ValidationError({"particulars": _("Particulars must be an object mapping fields to new values.")})
    unknown = sorted(set(particulars) - set(institution_services.CHANGEABLE_FIELDS))
    if unknown:
        raise ValidationError({"particulars": _("These fields cannot be changed by a change filing: %(fields)s")
                               % {"fields": ", ".join(unknown)}})
    if particulars:
        probe = Institution.objects.get(pk=institution.pk)
        for key, value in particulars.items():
            setattr(probe, key, value)
        try:
            probe.full_clean(validate_unique=False)
        except ValidationError as exc:
            raise ValidationError({"particulars": [f"{k}: {m}" for k, msgs in exc.message_dict.items()
                                                   for m in msgs]}) from exc
        # JSON-safe values (the price arrives as a Decimal from forms).
        particulars = {k: (str(v) if v is not None and not isinstance(v, bool | int | str) else v)
                       for k, v in particulars.items()}
    return particulars


def validate_class_changes(institution: Institution, changes: list) -> list:
    """Each class change is checked against the caps and ratios now, not only at approval."""
    if not isinstance(changes, list):
        raise ValidationError({"classes": _("Class changes must be a list.")})
    open_classes = {c.pk: c for c in institution.classes.filter(closed_on__isnull=True)}
    # Names of the open classes as they will be once the change is applied: two open classes of one
    # institution never share a name (class_name_unique_while_open), so say it now, not at approval.
    names = {pk: c.name for pk, c in open_classes.items()}
    clean = []
    for index, change in enumerate(changes, start=1):
        if not isinstance(change, dict) or change.get("action") not in CLASS_ACTIONS:
            raise ValidationError({"classes": _("Class change %(n)d: action must be add, update or close.")
                                   % {"n": index}})
        action = change["action"]
        fields = {k: change[k] for k in ("name", "class_type", "places", "caregivers") if k in change}
        if action == "add":
            klass = InstitutionClass(institution=institution, **fields)
        else:
            try:
                klass = open_classes[int(change.get("class_id"))]
            except (KeyError, TypeError, ValueError):
                raise ValidationError({"classes": _("Class change %(n)d: no such open class in this institution.")
                                       % {"n": index}}) from None
            for key, value in fields.items():
                setattr(klass, key, value)
        if action != "close":
            try:
                klass.full_clean(exclude=["institution", "opened_on"], validate_unique=False)
            except ValidationError as exc:
                raise ValidationError({"classes": [m for msgs in exc.message_dict.values() for m in msgs]}) from exc
        key = klass.pk if action != "add" else f"new-{index}"
        if action == "close":
            names.pop(key, None)
        elif klass.name in {name for other, name in names.items() if other != key}:
            raise ValidationError({"classes": _("Class change %(n)d: class name “%(name)s” is already used by an "
                                                "open class of this institution.") % {"n": index, "name": klass.name}})
        else:
            names[key] = klass.name
        entry = {"action": action, **fields}
        if action != "add":
            entry["class_id"] = klass.pk
        clean.append(entry)
    return clean


# --- Cancellation ---------------------------------------------------------------------------------

def ensure_no_active_enrolments(institution: Institution) -> None:
    rows = enrolled_by_class(institution)
    if rows:
        listing = "; ".join(_("%(cls)s: %(n)d children") % {"cls": r["class_name"] or _("(no class)"),
                                                           "n": r["count"]} for r in rows)
        raise ValidationError({"resettlement_confirmed": _(
            "Children are still enrolled — end or transfer these enrolments before cancelling: %(list)s"
        ) % {"list": listing}})


# --- Completeness ---------------------------------------------------------------------------------

def required_document_kinds(filing: Filing) -> list[str]:
    """Which documents this filing needs (docs/domain.md, "Filing materials"), depending on the institution."""
    K = Document.Kind
    institution = filing.institution
    if filing.kind == Filing.Kind.INITIAL:
        kinds = [K.BUSINESS_LICENCE, K.PREMISES, K.STAFF_CERTIFICATES, K.HEALTH_EVALUATION, K.FIRE_SAFETY]
        if institution.meals_served:
            kinds.append(K.FOOD_LICENCE)
        kinds.append(K.COMMITMENT)
        return kinds
    if filing.kind == Filing.Kind.CHANGE:
        kinds = []
        particulars = filing.particulars
        if "address" in particulars:
            kinds.append(K.PREMISES)
        if particulars.get("meals_served") is True and not institution.meals_served:
            kinds.append(K.FOOD_LICENCE)
        if "name" in particulars or "legal_representative" in particulars:
            kinds.append(K.BUSINESS_LICENCE)
        kinds.append(K.COMMITMENT)
        return kinds
    return [K.COMMITMENT]


def lease_problem(document: Document, on: datetime.date) -> str | None:
    if document.kind != Document.Kind.PREMISES or document.premises_owned:
        return None
    if document.lease_ends_on is None:
        return _("The premises proof needs the lease end date, or must say the premises are owned.")
    try:
        minimum = on.replace(year=on.year + LEASE_MIN_YEARS)
    except ValueError:  # 29 February
        minimum = on.replace(year=on.year + LEASE_MIN_YEARS, day=28)
    if document.lease_ends_on < minimum:
        return _("The lease must run at least %(years)d more years (until %(date)s or later); it ends on %(end)s.") % {
            "years": LEASE_MIN_YEARS, "date": minimum.isoformat(), "end": document.lease_ends_on.isoformat()}
    return None


def completeness_problems(filing: Filing, documents: list[Document] | None = None,
                          on: datetime.date | None = None) -> list[str]:
    """Everything missing before the county can accept the filing as complete; empty when ready."""
    on = on or timezone.localdate()
    documents = list(filing.documents.all()) if documents is None else documents
    present = {d.kind for d in documents}
    problems = []
    for kind in required_document_kinds(filing):
        if kind not in present:
            problems.append(_("Missing document: %(kind)s.") % {"kind": Document.Kind(kind).label})
    for document in documents:
        problem = lease_problem(document, on)
        if problem:
            problems.append(problem)
    health = [d for d in documents if d.kind == Document.Kind.HEALTH_EVALUATION]
    if health and not any(d.rated_pass for d in health):
        problems.append(_("The health evaluation report must be rated 合格 (pass)."))
    if filing.kind == Filing.Kind.INITIAL and not filing.institution.classes.filter(closed_on__isnull=True).exists():
        problems.append(_("Add at least one class before filing."))
    if filing.kind == Filing.Kind.CHANGE and not (filing.particulars or filing.class_changes):
        problems.append(_("A change filing must change at least one particular or class."))
    if filing.kind == Filing.Kind.CANCELLATION and not filing.resettlement_confirmed:
        problems.append(_("Confirm that enrolled children and staff have been resettled."))
    return problems
