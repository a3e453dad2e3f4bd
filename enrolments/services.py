"""Every write to enrolment records; each is one transaction with its audit row.

Rules (rules.py) raise a ValidationError naming the child and the rule. The class row is locked
(select_for_update) while its occupancy is checked, so two enrolments into the last place cannot
both succeed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require
from audit.services import audit_record
from institutions.models import Institution, InstitutionClass, StaffMember
from institutions.signals import figures_changed
from portal.constraints import explains_constraints
from regions import codes

from . import identity, rules
from .models import (
    CareForm,
    Child,
    ConsentMethod,
    DueNotice,
    Enrolment,
    EnrolmentReport,
    Guardian,
    LeavingReason,
    ReportingPeriodSetting,
    add_months,
)


def ensure_record_keeper(actor, institution_id: int) -> None:
    require(policies.keeps_records_of(actor, institution_id),
            _("Only the institution's own staff may change its enrolment records."))


def _enrolment_snapshot(e: Enrolment) -> dict:
    return {"child": e.child_id, "class": e.klass_id, "care_form": e.care_form,
            "start_date": e.start_date.isoformat(), "end_date": e.end_date.isoformat() if e.end_date else None,
            "leaving_reason": e.leaving_reason}


IDENTITY_LOCK_NAMESPACE = 4104  # first key of the two-key advisory locks taken here
IDENTITY_LOCK_BUCKETS = 256


def lock_identities(hashes: list[str]) -> None:
    """Serialises full-day checks for the same child across institutions (two institutions enrolling the
    same child at once) with transaction-scoped PostgreSQL advisory locks, one statement.

    Hashes share 256 buckets so that a 50,000-row import takes at most 256 locks (one lock per hash
    would exhaust max_locks_per_transaction); locks are taken in sorted order, so never deadlock each
    other. SQLite serialises writers anyway.
    """
    if connection.vendor != "postgresql" or not hashes:
        return
    buckets = sorted({int(h[:8], 16) % IDENTITY_LOCK_BUCKETS for h in hashes})
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(pg_advisory_xact_lock(%s, k)) FROM unnest(%s::int[]) AS k",
                       [IDENTITY_LOCK_NAMESPACE, buckets])


# --- Children -------------------------------------------------------------------------------------

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


# --- Enrolments -----------------------------------------------------------------------------------

def _check_new_enrolment(*, child: Child, institution: Institution, klass: InstitutionClass, care_form: str,
                         start_date: datetime.date, end_date: datetime.date | None,
                         exclude_pk: int | None = None, check_dates: bool = True) -> None:
    """Every rule for one enrolment. The caller holds the lock on the class row."""
    name = child.name
    today = timezone.localdate()
    checks = [
        ("start_date", rules.dates_error(name, start_date, end_date, today) if check_dates else None),
        ("institution", rules.institution_open_error(name, institution, start_date)),
        ("klass", rules.class_open_error(name, klass, institution, start_date)),
        ("care_form", rules.care_form_error(name, institution, care_form)),
        ("klass", rules.class_fit_error(name, child.date_of_birth, klass, start_date)),
    ]
    errors = {}
    for field, message in checks:
        if message:
            errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)
    if child.institution_id != institution.pk:
        raise ValidationError({"child": _("%(child)s is not registered at this institution.") % {"child": name}})

    occupying = (Enrolment.objects.filter(klass=klass).overlapping(start_date, end_date)
                 .exclude(pk=exclude_pk).values_list("start_date", "end_date"))
    peak, day = rules.peak_occupancy(list(occupying), start_date, end_date)
    if peak + 1 > klass.places:
        raise ValidationError({"klass": rules.capacity_message(name, klass, day or start_date)})
    if care_form == CareForm.FULL_DAY:
        lock_identities([child.document_hash])
        clash = (Enrolment.objects.filter(child__document_hash=child.document_hash, care_form=CareForm.FULL_DAY)
                 .overlapping(start_date, end_date).exclude(pk=exclude_pk))
        if clash.exists():
            raise ValidationError({"care_form": rules.full_day_conflict_message(name)})
    if Enrolment.objects.filter(child=child).overlapping(start_date, end_date).exclude(pk=exclude_pk).exists():
        raise ValidationError({"start_date": _("%(child)s is already enrolled here for some of these dates.")
                               % {"child": name}})


@explains_constraints
@transaction.atomic
def enrolment_create(*, child: Child, klass: InstitutionClass, care_form: str, start_date: datetime.date,
                     end_date: datetime.date | None = None, actor) -> Enrolment:
    """Enrols a registered child in a class of its institution after checking every rule.

    Side effects: locks the class row; one audit row. Not repeatable: the same child, institution and
    start date twice is refused.
    """
    klass = InstitutionClass.objects.select_for_update().select_related("institution").get(pk=klass.pk)
    institution = klass.institution
    ensure_record_keeper(actor, institution.pk)
    _check_new_enrolment(child=child, institution=institution, klass=klass, care_form=care_form,
                         start_date=start_date, end_date=end_date)
    enrolment = Enrolment(child=child, institution=institution, klass=klass, care_form=care_form,
                          start_date=start_date, end_date=end_date,
                          leaving_reason=LeavingReason.OTHER if end_date else "")
    enrolment.full_clean(validate_constraints=False)
    enrolment.save()
    audit_record(actor=actor, action="enrolment.create", target=enrolment, after=_enrolment_snapshot(enrolment))
    figures_changed.send(sender=Enrolment, region_code=institution.region_id)
    return enrolment


@explains_constraints
@transaction.atomic
def enrolment_move_class(*, enrolment: Enrolment, klass: InstitutionClass, on: datetime.date, actor) -> Enrolment:
    """Moves a child to another class from a date: the old enrolment ends that day, a new one starts.

    History is kept (the new row points to the old). Side effects: locks the target class; one audit
    row. A repeat finds the old enrolment already ended and is refused with a clear message.
    """
    klass = InstitutionClass.objects.select_for_update().select_related("institution").get(pk=klass.pk)
    current = Enrolment.objects.select_related("child", "institution").get(pk=enrolment.pk)
    ensure_record_keeper(actor, current.institution_id)
    name = current.child.name
    if klass.pk == current.klass_id:
        raise ValidationError({"klass": _("%(child)s is already in class %(class)s.")
                               % {"child": name, "class": klass.name}})
    if current.end_date is not None:
        raise ValidationError({"klass": _("%(child)s has left or moved already; only a current enrolment "
                                          "can move.") % {"child": name}})
    if on <= current.start_date:
        raise ValidationError({"on": _("%(child)s: the move date must be after the start date %(date)s.")
                               % {"child": name, "date": current.start_date.isoformat()}})
    if on > timezone.localdate() + datetime.timedelta(days=rules.MAX_DAYS_AHEAD):
        raise ValidationError({"on": _("%(child)s: the move date is more than %(days)d days ahead.")
                               % {"child": name, "days": rules.MAX_DAYS_AHEAD}})
    claimed = Enrolment.objects.filter(pk=current.pk, end_date__isnull=True).update(
        end_date=on, leaving_reason=LeavingReason.CLASS_CHANGE)
    if not claimed:
        raise ValidationError({"klass": _("%(child)s has just been moved or withdrawn by someone else.")
                               % {"child": name}})
    _check_new_enrolment(child=current.child, institution=current.institution, klass=klass,
                         care_form=current.care_form, start_date=on, end_date=None, check_dates=False)
    moved = Enrolment.objects.create(child=current.child, institution=current.institution, klass=klass,
                                     care_form=current.care_form, start_date=on, previous=current)
    audit_record(actor=actor, action="enrolment.move_class", target=moved,
                 before=_enrolment_snapshot(current), after=_enrolment_snapshot(moved))
    return moved


@transaction.atomic
def enrolment_end(*, enrolment: Enrolment, end_date: datetime.date, reason: str, note: str = "",
                  actor) -> Enrolment:
    """Withdraws a child: sets the leaving date and reason. Nothing is deleted.

    Side effects: one audit row. A repeat is refused (the enrolment has already ended).
    """
    current = Enrolment.objects.select_related("child", "institution").get(pk=enrolment.pk)
    ensure_record_keeper(actor, current.institution_id)
    name = current.child.name
    if reason not in LeavingReason.values or reason == LeavingReason.CLASS_CHANGE:
        raise ValidationError({"reason": _("%(child)s: choose a reason for leaving.") % {"child": name}})
    if end_date <= current.start_date:
        raise ValidationError({"end_date": _("%(child)s: the leaving date must be after the start date "
                                             "(%(date)s).") % {"child": name, "date": current.start_date.isoformat()}})
    claimed = Enrolment.objects.filter(pk=current.pk, end_date__isnull=True).update(
        end_date=end_date, leaving_reason=reason, leaving_note=note[:200])
    if not claimed:
        raise ValidationError({"end_date": _("%(child)s has already left or moved.") % {"child": name}})
    current.refresh_from_db()
    audit_record(actor=actor, action="enrolment.end", target=current, after=_enrolment_snapshot(current))
    figures_changed.send(sender=Enrolment, region_code=current.institution.region_id)
    return current


# --- Children due to move class or leave ------------------------------------------------------------

def due_dates(date_of_birth: datetime.date, class_type: str) -> tuple[str, datetime.date]:
    """When a child outgrows its class: moves on at the class's upper age, leaves at 3 years."""
    from institutions.models import class_rules

    upper = class_rules()[class_type].max_age_months
    kind = DueNotice.Kind.LEAVE if upper >= rules.MAX_AGE_MONTHS else DueNotice.Kind.MOVE
    return kind, add_months(date_of_birth, min(upper, rules.MAX_AGE_MONTHS))


@transaction.atomic
def due_notices_refresh(*, on: datetime.date | None = None, institution_id: int | None = None,
                        within_days: int = 30) -> int:
    """Rebuilds the list of children who must move class or leave within `within_days` of `on`.

    Derived data: the rows are replaced wholesale (one delete, one bulk insert). Safe to repeat.
    """
    on = on or timezone.localdate()
    horizon = on + datetime.timedelta(days=within_days)
    active = Enrolment.objects.active_on(on)
    old = DueNotice.objects.all()
    if institution_id is not None:
        active = active.filter(institution_id=institution_id)
        old = old.filter(institution_id=institution_id)
    old.delete()
    rows = active.values_list("pk", "institution_id", "klass__class_type", "child__date_of_birth")
    notices = []
    for pk, inst_id, class_type, born in rows.iterator(chunk_size=5000):
        kind, due = due_dates(born, class_type)
        if due <= horizon:
            notices.append(DueNotice(enrolment_id=pk, institution_id=inst_id, kind=kind, due_on=due,
                                     computed_on=on))
    DueNotice.objects.bulk_create(notices, batch_size=2000)
    return len(notices)


# --- Periodic enrolment report (管理规范 Art. 12) -----------------------------------------------------

def reporting_setting(province_code: str) -> ReportingPeriodSetting:
    """The province's setting, or the default (unsaved) one: 90-day periods from 2022-01-01."""
    province = codes.province_of(province_code)
    found = ReportingPeriodSetting.objects.filter(province_id=province).first()
    return found or ReportingPeriodSetting(province_id=province, period_days=settings.ENROLMENT_REPORT_PERIOD_DAYS)


def period_containing(setting: ReportingPeriodSetting, date: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) of the period that contains the date."""
    index = (date - setting.first_period_starts).days // setting.period_days
    start = setting.first_period_starts + datetime.timedelta(days=index * setting.period_days)
    return start, start + datetime.timedelta(days=setting.period_days - 1)


def recent_periods(setting: ReportingPeriodSetting, today: datetime.date, count: int = 4):
    """The last `count` periods that have ended, newest first."""
    start, _end = period_containing(setting, today)
    out = []
    for _i in range(count):
        start = start - datetime.timedelta(days=setting.period_days)
        out.append((start, start + datetime.timedelta(days=setting.period_days - 1)))
    return out


def expected_institutions(period_start: datetime.date, period_end: datetime.date):
    """Institutions expected to report for a period: filed on or before its last day and not cancelled
    before its first day (active on at least one day of it)."""
    return Institution.objects.filter(filed_on__isnull=False, filed_on__lte=period_end).filter(
        Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=period_start))


def report_figures(institution: Institution, on: datetime.date) -> dict:
    """Enrolled by class type and care form, places and staff on a date, from the records (3 queries)."""
    breakdown = (Enrolment.objects.active_on(on).filter(institution=institution)
                 .values("klass__class_type", "care_form").annotate(n=Count("pk")).order_by())
    figures: dict[str, dict[str, int]] = {}
    enrolled = 0
    for row in breakdown:
        figures.setdefault(row["klass__class_type"], {})[row["care_form"]] = row["n"]
        enrolled += row["n"]
    places = (InstitutionClass.objects.filter(institution=institution, opened_on__lte=on)
              .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on)).aggregate(n=Sum("places"))["n"] or 0)
    staff = (StaffMember.objects.filter(institution=institution, started_on__lte=on)
             .filter(Q(left_on__isnull=True) | Q(left_on__gt=on)).count())
    return {"figures": figures, "enrolled": enrolled, "places": places, "staff": staff}


@explains_constraints
@transaction.atomic
def report_prepare(*, institution: Institution, period_start: datetime.date, actor,
                   today: datetime.date | None = None) -> EnrolmentReport:
    """Produces (or refreshes, while not yet submitted) the institution's report for an ended period.

    Figures are counted on the period's last day (or today, if the institution was cancelled earlier
    the cancellation day before it). Side effects: one audit row. Safe to repeat until submitted.
    """
    ensure_record_keeper(actor, institution.pk)
    today = today or timezone.localdate()
    setting = reporting_setting(institution.region_id)
    try:
        start, end = period_containing(setting, period_start)
        due_on = end + datetime.timedelta(days=setting.grace_days)
    except OverflowError as exc:
        raise ValidationError({"period_start": _("This date is out of range.")}) from exc
    if start != period_start:
        raise ValidationError({"period_start": _("%(date)s is not the first day of a reporting period.")
                               % {"date": period_start.isoformat()}})
    if end >= today:
        raise ValidationError({"period_start": _("This period has not ended yet; report after %(date)s.")
                               % {"date": end.isoformat()}})
    if not expected_institutions(start, end).filter(pk=institution.pk).exists():
        raise ValidationError({"period_start": _("%(institution)s was not filed during this period, so no "
                                                 "report is due.") % {"institution": institution.name}})
    on = end
    if institution.cancelled_on and institution.cancelled_on <= end:
        on = institution.cancelled_on - datetime.timedelta(days=1)
    data = report_figures(institution, on)
    report, created = EnrolmentReport.objects.select_for_update().get_or_create(
        institution=institution, period_start=start,
        defaults={"period_end": end, "due_on": due_on, **data})
    if not created:
        if report.status == EnrolmentReport.Status.SUBMITTED:
            raise ValidationError({"period_start": _("The report for this period is already submitted.")})
        for key, value in data.items():
            setattr(report, key, value)
        report.status = EnrolmentReport.Status.DRAFT
        report.confirmed_at = report.confirmed_by = None
        report.save()
    audit_record(actor=actor, action="enrolment_report.prepare", target=report, after=data)
    return report


def _person(actor):
    """The acting user to record on the row; None for the system (a task, a command)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def _report_move(report: EnrolmentReport, *, actor, action: str, source: str, refusal: str,
                 **update) -> EnrolmentReport:
    """The guarded UPDATE of a report's step: only from `source` (else `refusal`: someone got there first or
    the report is past it), then its audit row."""
    claimed = EnrolmentReport.objects.filter(pk=report.pk, status=source).update(**update)
    if not claimed:
        raise ValidationError({"status": refusal})
    report.refresh_from_db()
    audit_record(actor=actor, action=action, target=report)
    return report


@transaction.atomic
def report_confirm(*, report: EnrolmentReport, actor) -> EnrolmentReport:
    """Staff confirm that the prepared figures are right. Repeat: refused once confirmed."""
    ensure_record_keeper(actor, report.institution_id)
    return _report_move(report, actor=actor, action="enrolment_report.confirm", source=EnrolmentReport.Status.DRAFT,
                        refusal=_("Only a prepared report can be confirmed."),
                        status=EnrolmentReport.Status.CONFIRMED, confirmed_at=timezone.now(),
                        confirmed_by=_person(actor))


@transaction.atomic
def report_submit(*, report: EnrolmentReport, actor, today: datetime.date | None = None) -> EnrolmentReport:
    """Sends the confirmed report to the filing authority; after this it is frozen.

    Side effects: one audit row. A repeat is refused (already submitted).
    """
    ensure_record_keeper(actor, report.institution_id)
    return _report_move(report, actor=actor, action="enrolment_report.submit",
                        source=EnrolmentReport.Status.CONFIRMED,
                        refusal=_("Only a confirmed, not yet submitted report can be submitted."),
                        status=EnrolmentReport.Status.SUBMITTED, submitted_at=timezone.now(),
                        submitted_on=today or timezone.localdate(), submitted_by=_person(actor))
