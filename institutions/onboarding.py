"""Onboarding an existing province: institutions already filed in the national filing system.

A province joining the portal has hundreds or thousands of institutions filed elsewhere. Their
spreadsheet export (CSV or XLSX: name, unified social credit code, address, region code, legal form,
classes and places per class type, filing date and receipt number) is imported as filed
institutions, each with a filing record in status filed carrying the original date and receipt and
marked `imported`, its classes, and an audit row `institution.import`.

Two steps. The check (a dry run) reads every row and names every error by row and column, in the
user's language, and writes nothing. The import, on confirmation, checks again inside one
transaction and writes everything with bulk INSERTs, or nothing: 10,000 rows take seconds
(bench/onboarding.py). Only administrators and the province's own officials may onboard it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policies
from audit.context import current_ip
from audit.models import AuditEntry
from audit.services import audit_record
from portal import runs, tabular
from portal.tabular import RowErrors, cell_date, cell_text
from portal.validators import validate_credit_code
from regions.models import Region

from .models import Institution, InstitutionClass, OnboardingJob, class_rules

MAX_ROWS = 20000
PROGRESS_EVERY = 500
BATCH = 2000

CLASS_TYPES = [
    ("infant", "乳儿班", "infant"),
    ("younger", "托小班", "younger toddler"),
    ("older", "托大班", "older toddler"),
    ("mixed", "混合班", "mixed"),
]

CLASS_NAMES = {key: zh for key, zh, _en in CLASS_TYPES}

# (key, Chinese header as in the template, English header also accepted, required)
COLUMNS = [
    ("name", "机构名称", "name", True),
    ("credit_code", "统一社会信用代码", "credit code", True),
    ("address", "地址", "address", True),
    ("region", "区划代码", "region code", True),
    ("legal_form", "法人类型", "legal form", True),
    *[(f"{key}_classes", f"{zh}班数", f"{en} classes", False) for key, zh, en in CLASS_TYPES],
    *[(f"{key}_places", f"{zh}托位数", f"{en} places", False) for key, zh, en in CLASS_TYPES],
    ("filed_on", "备案日期", "filing date", True),
    ("receipt_number", "备案回执编号", "receipt number", True),
    ("setting_type", "举办类型", "setting type", False),
    ("service_forms", "服务形式", "service forms", False),
    ("legal_representative", "法定代表人", "legal representative", False),
    ("person_in_charge", "负责人", "person in charge", False),
    ("person_in_charge_phone", "负责人电话", "person in charge phone", False),
]
HEADERS = [c[1] for c in COLUMNS]
LABEL = {c[0]: c[1] for c in COLUMNS}

LEGAL_FORMS = {"事业单位": "public", "公办": "public", "public": "public",
               "社会服务机构": "nonprofit", "民办非企业单位": "nonprofit", "非营利": "nonprofit",
               "nonprofit": "nonprofit", "non-profit": "nonprofit",
               "营利性": "forprofit", "企业": "forprofit", "营利": "forprofit", "forprofit": "forprofit",
               "for-profit": "forprofit"}
SETTING_TYPES = {"独立设置": "standalone", "standalone": "standalone", "幼儿园托班": "kindergarten",
                 "kindergarten": "kindergarten", "用人单位": "employer", "employer": "employer",
                 "社区嵌入式": "community", "community": "community", "公办民营": "public_private",
                 "public_private": "public_private", "家庭托育点": "family", "family": "family"}
SERVICE_FORMS = {"全日托": "full_day", "full_day": "full_day", "半日托": "half_day", "half_day": "half_day",
                 "计时托": "hourly", "hourly": "hourly", "临时托": "temporary", "temporary": "temporary"}

HELP_LINES = [
    gettext_lazy("One row per filed institution. Dates as 2021-06-30."),
    gettext_lazy("区划代码: the county (6 digits) or township (9 digits) where the institution is."),
    gettext_lazy("法人类型: 事业单位, 社会服务机构 or 营利性."),
    gettext_lazy("班数 and 托位数 per class type: how many classes and how many places in all; "
                 "at least one class in each row."),
    gettext_lazy("举办类型 (optional, default 独立设置): 独立设置, 幼儿园托班, 用人单位, 社区嵌入式, 公办民营 "
                 "or 家庭托育点."),
    gettext_lazy("服务形式 (optional, default 全日托): one or more of 全日托, 半日托, 计时托, 临时托, "
                 "separated by 、 or commas."),
]


# --- Who may onboard -------------------------------------------------------------------------------

def provinces_for(user):
    """The provinces the user may onboard (accounts.policies.onboards)."""
    provinces = Region.objects.filter(level=Region.Level.PROVINCE).order_by("code")
    if policies.is_admin(user):
        return provinces
    return provinces.filter(code=user.region_id) if policies.onboards(user, user.region_id) else provinces.none()


# --- Checking rows ---------------------------------------------------------------------------------

@dataclass
class Row:
    number: int
    values: dict = field(default_factory=dict)
    classes: list = field(default_factory=list)  # (class_type, count, places)

    @property
    def places(self) -> int:
        return sum(p for _t, _c, p in self.classes)


def _whole(text: str) -> int | None:
    if text == "":
        return 0
    if text.isdigit():
        return int(text)
    return None


def parse_rows(table: list[list], province: Region, on_progress=None) -> tuple[list[Row], list[dict]]:
    """Checks each row on its own and against the others of the file; one query for the regions."""
    if not table:
        return [], [{"row": 1, "column": "", "message": _("The file is empty.")}]
    columns = tabular.map_headers(table[0], COLUMNS)
    missing = [zh for key, zh, _en, required in COLUMNS if required and key not in columns]
    if missing:
        return [], [{"row": 1, "column": ", ".join(missing),
                     "message": _("These columns are missing; download the template.")}]
    body = table[1:]
    if len(body) > MAX_ROWS:
        return [], [{"row": 0, "column": "", "message": _("At most %(n)d rows per file.") % {"n": MAX_ROWS}}]
    regions = set(Region.objects.filter(code__startswith=province.code,
                                        level__in=[Region.Level.COUNTY, Region.Level.TOWNSHIP])
                  .values_list("code", flat=True))
    rules = class_rules()
    today = timezone.localdate()
    errors: list[dict] = []
    rows: list[Row] = []
    seen_codes: dict[str, int] = {}
    seen_receipts: dict[str, int] = {}
    for offset, cells in enumerate(body):
        number = offset + 2
        if on_progress and offset and offset % PROGRESS_EVERY == 0:
            on_progress(offset)
        raw = {key: cell_text(cells[i]) if i < len(cells) else "" for key, i in columns.items()}
        if all(v == "" for v in raw.values()):
            continue
        row_errors: list[dict] = []

        def err(key, message, row_errors=row_errors, number=number):
            row_errors.append({"row": number, "column": LABEL[key], "message": str(message)})

        name = raw.get("name", "")
        if not name:
            err("name", _("Enter the institution's name."))
        elif len(name) > 200:
            err("name", _("At most 200 characters."))
        code = raw.get("credit_code", "").upper()
        try:
            validate_credit_code(code)
        except ValidationError as exc:
            err("credit_code", exc.messages[0])
        else:
            if code in seen_codes:
                err("credit_code", _("The same credit code is already in row %(other)d.") % {"other": seen_codes[code]})
            seen_codes.setdefault(code, number)
        address = raw.get("address", "")
        if not address:
            err("address", _("Enter the address."))
        elif len(address) > 300:
            err("address", _("At most 300 characters."))
        region = raw.get("region", "")
        if region not in regions:
            err("region", _("%(code)s is not a county or township of %(province)s.")
                % {"code": region or "—", "province": province.name})
        legal_form = LEGAL_FORMS.get(raw.get("legal_form", "").lower())
        if legal_form is None:
            err("legal_form", _("Use 事业单位, 社会服务机构 or 营利性."))
        setting_text = raw.get("setting_type", "").lower()
        setting_type = SETTING_TYPES.get(setting_text) if setting_text else "standalone"
        if setting_type is None:
            err("setting_type", _("Use 独立设置, 幼儿园托班, 用人单位, 社区嵌入式, 公办民营 or 家庭托育点."))
        forms_text = raw.get("service_forms", "")
        parts = [p.strip().lower() for p in forms_text.replace("、", ",").replace("，", ",").split(",") if p.strip()]
        service_forms = {SERVICE_FORMS.get(p) for p in parts} if parts else {"full_day"}
        if None in service_forms:
            err("service_forms", _("Use 全日托, 半日托, 计时托 or 临时托."))
        classes = []
        for key, zh, _en in CLASS_TYPES:
            count, places = _whole(raw.get(f"{key}_classes", "")), _whole(raw.get(f"{key}_places", ""))
            if count is None:
                err(f"{key}_classes", _("Enter a whole number of classes."))
                continue
            if places is None:
                err(f"{key}_places", _("Enter a whole number of places."))
                continue
            if count == 0 and places:
                err(f"{key}_classes", _("%(places)d places need at least one %(type)s.")
                    % {"places": places, "type": zh})
            elif count and places < count:
                err(f"{key}_places", _("%(count)d classes need at least one place each.") % {"count": count})
            elif count and places > count * rules[key].max_children:
                err(f"{key}_places", _("%(count)d × %(type)s hold at most %(max)d places; %(places)d were given.")
                    % {"count": count, "type": zh, "max": count * rules[key].max_children, "places": places})
            elif count:
                classes.append((key, count, places))
        if not classes and not any(e["column"].endswith(("班数", "托位数")) for e in row_errors):
            err("infant_classes", _("Enter at least one class with its places."))
        if setting_type == "family" and sum(p for _t, _c, p in classes) > 5:
            err("setting_type", _("A family childcare point cares for at most 5 children in all."))
        try:
            filed_on = cell_date(cells[columns["filed_on"]] if columns["filed_on"] < len(cells) else None)
            if filed_on is None:
                err("filed_on", _("Enter the filing date."))
            elif filed_on > today:
                err("filed_on", _("The filing date is in the future."))
        except ValueError:
            filed_on = None
            err("filed_on", _("Not a date: write it as 2021-06-30."))
        receipt = raw.get("receipt_number", "")
        if not receipt:
            err("receipt_number", _("Enter the filing receipt number."))
        elif len(receipt) > 20:
            err("receipt_number", _("At most 20 characters."))
        elif receipt in seen_receipts:
            err("receipt_number", _("The same receipt number is already in row %(other)d.")
                % {"other": seen_receipts[receipt]})
        else:
            seen_receipts[receipt] = number
        for key, limit in (("legal_representative", 100), ("person_in_charge", 100), ("person_in_charge_phone", 20)):
            if len(raw.get(key, "")) > limit:
                err(key, _("At most %(n)d characters.") % {"n": limit})
        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(Row(number=number, classes=classes, values={
            "name": name, "credit_code": code, "address": address, "region": region, "legal_form": legal_form,
            "setting_type": setting_type, "service_forms": service_forms, "filed_on": filed_on,
            "receipt_number": receipt, "legal_representative": raw.get("legal_representative", ""),
            "person_in_charge": raw.get("person_in_charge", ""),
            "person_in_charge_phone": raw.get("person_in_charge_phone", "")}))
    if on_progress:
        on_progress(len(body))
    return rows, errors


def check_against_records(rows: list[Row]) -> list[dict]:
    """Credit codes and receipt numbers already in the portal. Queries: 2 per batch of 2,000 rows."""
    from filings.models import Filing

    errors = []
    for i in range(0, len(rows), BATCH):
        chunk = rows[i:i + BATCH]
        codes = set(Institution.objects.filter(credit_code__in=[r.values["credit_code"] for r in chunk])
                    .values_list("credit_code", flat=True))
        receipts = set(Filing.objects.filter(receipt_number__in=[r.values["receipt_number"] for r in chunk])
                       .values_list("receipt_number", flat=True))
        for row in chunk:
            if row.values["credit_code"] in codes:
                errors.append({"row": row.number, "column": LABEL["credit_code"],
                               "message": _("An institution with this credit code is already in the portal.")})
            if row.values["receipt_number"] in receipts:
                errors.append({"row": row.number, "column": LABEL["receipt_number"],
                               "message": _("A filing with this receipt number is already in the portal.")})
    return errors


# --- Writing ---------------------------------------------------------------------------------------

def _split(count: int, places: int) -> list[int]:
    """Places shared out over the classes as evenly as possible: 3 classes, 50 places → 17, 17, 16."""
    base, extra = divmod(places, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def write_rows(rows: list[Row], *, job: OnboardingJob, actor) -> int:
    """Institutions, their classes, filed filings and audit rows with bulk INSERTs (a fixed number of
    statements per 2,000 rows)."""
    from filings.models import Filing

    rules = class_rules()
    user = actor if getattr(actor, "is_authenticated", False) else None
    institutions = [Institution(
        name=r.values["name"], credit_code=r.values["credit_code"], legal_form=r.values["legal_form"],
        setting_type=r.values["setting_type"], region_id=r.values["region"], address=r.values["address"],
        legal_representative=r.values["legal_representative"], person_in_charge=r.values["person_in_charge"],
        person_in_charge_phone=r.values["person_in_charge_phone"],
        **{form: form in r.values["service_forms"] for form in ("full_day", "half_day", "hourly", "temporary")},
        status=Institution.Status.FILED, filed_on=r.values["filed_on"], filing_number=r.values["receipt_number"],
    ) for r in rows]
    Institution.objects.bulk_create(institutions, batch_size=BATCH)
    classes, filings = [], []
    for row, institution in zip(rows, institutions, strict=True):
        for class_type, count, places in row.classes:
            zh = CLASS_NAMES[class_type]
            for n, class_places in enumerate(_split(count, places), start=1):
                classes.append(InstitutionClass(
                    institution=institution, name=f"{zh}{n}" if count > 1 else zh, class_type=class_type,
                    places=class_places, caregivers=-(-class_places // rules[class_type].children_per_carer),
                    opened_on=row.values["filed_on"]))
        decided = timezone.make_aware(datetime.datetime.combine(row.values["filed_on"], datetime.time(12)))
        filings.append(Filing(
            institution=institution, kind=Filing.Kind.INITIAL, status=Filing.Status.FILED, created_by=user,
            first_submitted_at=decided, submitted_at=decided, due_on=row.values["filed_on"], decided_at=decided,
            receipt_number=row.values["receipt_number"], imported=True,
            note=_("Imported: filed in the national filing system.")))
    InstitutionClass.objects.bulk_create(classes, batch_size=BATCH)
    Filing.objects.bulk_create(filings, batch_size=BATCH)
    ip = current_ip()
    label = user.get_username() if user else "system"
    AuditEntry.objects.bulk_create([AuditEntry(
        actor=user, actor_label=label, action="institution.import", target_type="institutions.institution",
        target_id=str(institution.pk), region_code=institution.region_id, institution_id=institution.pk,
        after={"filed_on": str(row.values["filed_on"]), "filing_number": row.values["receipt_number"],
               "places": row.places, "job": job.pk}, ip_address=ip,
    ) for row, institution in zip(rows, institutions, strict=True)], batch_size=BATCH)
    # The change feed reads rows by their change time, held back EVENTS_SETTLE_SECONDS: stamp the
    # institutions and filings again at the end of this long transaction (the trigger takes the clock),
    # so that their time and the commit are a fraction of a second apart, not the whole import.
    touched = timezone.now()
    for i in range(0, len(institutions), BATCH):
        ids = [inst.pk for inst in institutions[i:i + BATCH]]
        Institution.objects.filter(pk__in=ids).update(updated_at=touched)
        Filing.objects.filter(institution_id__in=ids).update(updated_at=touched)
    return len(institutions)


# --- Jobs ------------------------------------------------------------------------------------------

def _require(user, province: Region) -> None:
    policies.require(policies.onboards(user, province))


@transaction.atomic
def onboarding_job_create(*, province: Region, upload, actor) -> OnboardingJob:
    """Stores an upload as a job waiting for its check (the caller dispatches the check on commit)."""
    _require(actor, province)
    name = upload.name or "upload"
    if not name.lower().endswith((".csv", ".xlsx")):
        raise ValidationError({"file": _("Upload a .csv or .xlsx file.")})
    job = OnboardingJob.objects.create(province=province, created_by=actor, filename=name[:200], data=upload.read())
    audit_record(actor=actor, action="onboarding.upload", target=job, after={"file": job.filename})
    return job


def onboarding_check(job: OnboardingJob) -> OnboardingJob:
    """The dry run: every row checked, nothing written. Progress is saved on the job as rows are
    checked. Safe to repeat: a job past its check returns at once."""
    claimed = OnboardingJob.objects.filter(pk=job.pk, status=OnboardingJob.Status.PENDING).update(
        status=OnboardingJob.Status.CHECKING, attempts=F("attempts") + 1, heartbeat_at=timezone.now())
    if not claimed:
        job.refresh_from_db()
        return job
    with runs.Heartbeat(OnboardingJob.objects.filter(pk=job.pk, status=OnboardingJob.Status.CHECKING)):
        return _check(job)


def _check(job: OnboardingJob) -> OnboardingJob:
    try:
        table = tabular.read_table(bytes(job.data), job.filename, max_rows=MAX_ROWS)
    except RowErrors as exc:
        return _fail(job, exc.rows)
    OnboardingJob.objects.filter(pk=job.pk).update(total_rows=max(len(table) - 1, 0))
    rows, errors = parse_rows(table, job.province, on_progress=lambda n: OnboardingJob.objects.filter(
        pk=job.pk).update(processed_rows=n))
    errors += check_against_records(rows)
    if errors:
        return _fail(job, errors)
    OnboardingJob.objects.filter(pk=job.pk).update(
        status=OnboardingJob.Status.CHECKED, institutions_found=len(rows), places_found=sum(r.places for r in rows),
        processed_rows=max(len(table) - 1, 0), checked_at=timezone.now(), errors=[])
    job.refresh_from_db()
    return job


def _fail(job: OnboardingJob, errors: list[dict]) -> OnboardingJob:
    errors = sorted(errors, key=lambda e: (e["row"], e["column"]))
    OnboardingJob.objects.filter(pk=job.pk).update(
        status=OnboardingJob.Status.FAILED, errors=errors[:1000], data=b"", finished_at=timezone.now())
    job.refresh_from_db()
    return job


@transaction.atomic
def onboarding_confirm(*, job: OnboardingJob, actor) -> OnboardingJob:
    """Confirms a checked job: it will be imported (the caller dispatches the import on commit).
    A job that is not checked, or already confirmed, is refused and nothing changes."""
    _require(actor, job.province)
    if not OnboardingJob.objects.filter(pk=job.pk, status=OnboardingJob.Status.CHECKED).update(
            status=OnboardingJob.Status.WRITING, processed_rows=0, attempts=0):
        raise ValidationError(_("Only a checked import can be confirmed, and only once."))
    audit_record(actor=actor, action="onboarding.confirm", target=job)
    job.refresh_from_db()
    return job


def onboarding_import(job: OnboardingJob) -> OnboardingJob:
    """Imports a confirmed job in one transaction, all or nothing, checking every row again (the
    records may have changed since the dry run). Side effects: institutions, classes, filed filings
    marked imported, one audit row per institution and one for the job; the upload is cleared.
    Safe to repeat: only a job in status `writing` is imported, and the status moves in the same
    transaction as the rows."""
    writing = OnboardingJob.objects.filter(pk=job.pk, status=OnboardingJob.Status.WRITING)
    if not writing.update(attempts=F("attempts") + 1, heartbeat_at=timezone.now()):
        job.refresh_from_db()
        return job
    with runs.Heartbeat(writing):
        return _import(job)


IMPORT_LOCK_NAMESPACE = 4105  # first key of the advisory lock that serialises two runs of one job


def _import(job: OnboardingJob) -> OnboardingJob:
    actor = job.created_by
    try:
        with transaction.atomic():
            # Two runs of one job (a redelivery) take turns: the second finds it done. An advisory lock,
            # not the job row's: the heartbeat goes on updating the row while the import writes.
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK_NAMESPACE, job.pk])
            if not OnboardingJob.objects.filter(pk=job.pk, status=OnboardingJob.Status.WRITING).exists():
                job.refresh_from_db()
                return job
            table = tabular.read_table(bytes(job.data), job.filename, max_rows=MAX_ROWS)
            rows, errors = parse_rows(table, job.province)
            errors += check_against_records(rows)
            if errors:
                raise RowErrors(errors)
            try:
                with transaction.atomic():
                    created = write_rows(rows, job=job, actor=actor)
            except IntegrityError as exc:  # a credit code or receipt taken meanwhile by another writer
                raise RowErrors([{"row": 0, "column": "", "message": _(
                    "A credit code or receipt number of this file was recorded meanwhile; check the file "
                    "again.")}]) from exc
            audit_record(actor=actor, action="onboarding.import", target=job,
                         after={"institutions": created, "places": sum(r.places for r in rows),
                                "file": job.filename})
            OnboardingJob.objects.filter(pk=job.pk).update(
                status=OnboardingJob.Status.DONE, institutions_created=created, processed_rows=len(table) - 1,
                data=b"", finished_at=timezone.now())
    except RowErrors as exc:
        return _fail(job, exc.rows)
    job.refresh_from_db()
    return job


def onboarding_sweep() -> int:
    """Checks and imports whose heartbeat is stale lost their worker: a check goes back to waiting and is
    queued again, an import is queued again (it writes in one transaction, so the lost run wrote nothing);
    after RUN_MAX_ATTEMPTS the job fails, saying so (portal.runs.job_sweep). Returns how many were found."""
    from .tasks import onboarding_check_run, onboarding_import_run

    return runs.job_sweep(OnboardingJob, {
        OnboardingJob.Status.CHECKING: (OnboardingJob.Status.PENDING, onboarding_check_run),
        OnboardingJob.Status.WRITING: (OnboardingJob.Status.WRITING, onboarding_import_run)})


# --- Template --------------------------------------------------------------------------------------

def template_csv() -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerow(HEADERS)
    return buffer.getvalue().encode("utf-8-sig")
