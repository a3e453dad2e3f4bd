"""Bulk import of a class list or an institution's whole list of children from CSV or XLSX.

All or nothing: every row is checked first — its own fields, then the rules that need the database
(class caps on every date, one full-day enrolment across institutions, duplicates inside the file)
with a fixed number of queries per batch of rows — and one error anywhere means nothing is written.
Idempotent: a child is recognised by its identity hash within the institution and an enrolment by
child + institution + start date, so importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
import time
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from institutions.models import InstitutionClass
from institutions.signals import figures_changed
from portal import runs, tabular
from portal.tabular import RowErrors
from portal.tabular import cell_date as _date
from portal.tabular import cell_text as _text

from . import bulk, identity, rules
from .models import CareForm, Child, ConsentMethod, Enrolment, Guardian, ImportJob, Sex
from .services import document_errors, ensure_record_keeper, lock_identities

BATCH = 1000
PROGRESS_EVERY = 500
# The job's progress is saved at most this often: each save is a commit of its own, and saving every 500 rows
# of a 50,000-row file cost more than reading them.
PROGRESS_SECONDS = 0.5
MAX_ROWS = 60000

# (key, Chinese header as in the template, English header also accepted, required)
COLUMNS = [
    ("name", "姓名", "name", True),
    ("sex", "性别", "sex", False),
    ("date_of_birth", "出生日期", "date of birth", False),
    ("document_type", "证件类型", "document type", False),
    ("document_number", "证件号码", "document number", True),
    ("class_name", "班级", "class", False),
    ("care_form", "托育类型", "care form", True),
    ("start_date", "入托日期", "start date", True),
    ("guardian_name", "监护人姓名", "guardian name", False),
    ("guardian_relation", "监护人关系", "guardian relation", False),
    ("guardian_phone", "监护人电话", "guardian phone", False),
    # The guardian's consent (PIPL Art. 31), given by the row's guardian: a file without it is refused.
    ("consent_method", "监护人同意方式", "consent method", True),
    ("consent_given_on", "监护人同意日期", "consent date", True),
]
CONSENT_KEYS = ("consent_method", "consent_given_on")
HEADERS = [c[1] for c in COLUMNS]
LABEL = {c[0]: c[1] for c in COLUMNS}

SEX_VALUES = {"男": Sex.MALE, "male": Sex.MALE, "m": Sex.MALE, "女": Sex.FEMALE, "female": Sex.FEMALE,
              "f": Sex.FEMALE}
DOCUMENT_VALUES = {"居民身份证": Child.DocumentType.RESIDENT_ID, "身份证": Child.DocumentType.RESIDENT_ID,
                   "resident_id": Child.DocumentType.RESIDENT_ID, "护照": Child.DocumentType.PASSPORT,
                   "passport": Child.DocumentType.PASSPORT, "其他": Child.DocumentType.OTHER,
                   "other": Child.DocumentType.OTHER}
CARE_FORM_VALUES = {"全日托": CareForm.FULL_DAY, "full_day": CareForm.FULL_DAY, "半日托": CareForm.HALF_DAY,
                    "half_day": CareForm.HALF_DAY, "计时托": CareForm.HOURLY, "hourly": CareForm.HOURLY,
                    "临时托": CareForm.TEMPORARY, "temporary": CareForm.TEMPORARY}
RELATION_VALUES = {"母亲": "mother", "mother": "mother", "父亲": "father", "father": "father",
                   "祖父母": "grandparent", "外祖父母": "grandparent", "grandparent": "grandparent",
                   "其他": "other", "other": "other"}
CONSENT_VALUES = {"书面": ConsentMethod.WRITTEN, "written": ConsentMethod.WRITTEN,
                  "电子": ConsentMethod.ELECTRONIC, "electronic": ConsentMethod.ELECTRONIC}
CARE_FORM_LABELS_ZH = {v: k for k, v in CARE_FORM_VALUES.items() if not k.isascii()}

HELP_LINES = [
    gettext_lazy("One row per child. Dates as 2024-03-01."),
    gettext_lazy("性别: 男 or 女 (taken from the identity number when empty)."),
    gettext_lazy("证件类型: 居民身份证 (default), 护照 or 其他."),
    gettext_lazy("托育类型: 全日托, 半日托, 计时托 or 临时托."),
    gettext_lazy("班级: the class name exactly as in the portal (may be empty for a class-list import)."),
    gettext_lazy("监护人关系: 母亲, 父亲, 祖父母 or 其他."),
    gettext_lazy("监护人同意方式: 书面 (signed form) or 电子 (signed online), the consent of the guardian named "
                 "in the row; 监护人同意日期: the day it was given. Rows without consent are refused."),
]


@dataclass
class Row:
    number: int
    values: dict = field(default_factory=dict)
    klass: InstitutionClass | None = None
    document_hash: str = ""


# --- Reading the file (the shared core: portal/tabular.py) --------------------------------------

def read_table(data: bytes, filename: str) -> list[list]:
    return tabular.read_table(data, filename, max_rows=MAX_ROWS)


def map_headers(header: list) -> dict[str, int]:
    return tabular.map_headers(header, COLUMNS)


# --- Checking rows --------------------------------------------------------------------------------

def parse_rows(table: list[list], job: ImportJob, on_progress=None) -> tuple[list[Row], list[dict]]:
    """Checks each row on its own (fields, identity number, class, age, dates, care form)."""
    errors: list[dict] = []
    if not table:
        return [], [{"row": 1, "column": "", "message": _("The file is empty.")}]
    columns = map_headers(table[0])
    missing = [zh for key, zh, _en, required in COLUMNS if required and key not in columns]
    if "class_name" not in columns and job.klass_id is None:
        missing.append(LABEL["class_name"])
    consent = [LABEL[key] for key in CONSENT_KEYS]
    if missing and set(missing) <= set(consent):
        return [], [{"row": 1, "column": ", ".join(missing),
                     "message": _("The guardian's consent is recorded with every child: add the column "
                                  "%(columns)s (see the template). Nothing was imported.")
                     % {"columns": ", ".join(missing)}}]
    if missing:
        return [], [{"row": 1, "column": ", ".join(missing),
                     "message": _("These columns are missing; download the template.")}]
    institution = job.institution
    today = timezone.localdate()
    classes = {c.name: c for c in InstitutionClass.objects.filter(institution=institution, closed_on__isnull=True)}
    default_class = job.klass
    memo = _RuleMemo()
    date_of = _DateCells()
    out: list[Row] = []
    body = table[1:]
    if len(body) > MAX_ROWS:
        return [], [{"row": 0, "column": "", "message": _("At most %(n)d rows per file.") % {"n": MAX_ROWS}}]
    reported = time.monotonic()
    for offset, cells in enumerate(body):
        number = offset + 2  # as the spreadsheet numbers it: the header is row 1
        if on_progress and offset and offset % PROGRESS_EVERY == 0 and time.monotonic() - reported >= PROGRESS_SECONDS:
            on_progress(offset)
            reported = time.monotonic()
        raw = {key: (cells[i] if i < len(cells) else None) for key, i in columns.items()}
        if all(_text(v) == "" for v in raw.values()):
            continue
        row = Row(number=number)
        row_errors = []

        def err(key, message, row_errors=row_errors, number=number):
            row_errors.append({"row": number, "column": LABEL[key], "message": str(message)})

        name = _text(raw.get("name"))
        row.values["name"] = name
        label = name or _("row %(n)d") % {"n": number}
        if not name:
            err("name", _("Enter the child's name."))
        elif len(name) > 100:
            err("name", _("At most 100 characters."))
        doc_text = _text(raw.get("document_type")).lower() or "居民身份证"
        document_type = DOCUMENT_VALUES.get(doc_text)
        if document_type is None:
            err("document_type", _("Use 居民身份证, 护照 or 其他."))
        number_text = identity.normalise(_text(raw.get("document_number")))
        sex_text = _text(raw.get("sex")).lower()
        sex = SEX_VALUES.get(sex_text) if sex_text else None
        if sex_text and sex is None:
            err("sex", _("Use 男 or 女."))
        try:
            born = date_of(raw.get("date_of_birth"))
        except ValueError:
            born = None
            err("date_of_birth", _("Not a date: write it as 2024-03-01."))
        if document_type == Child.DocumentType.RESIDENT_ID and len(number_text) == 18:
            born = born or identity.birth_date_in_resident_id(number_text)
            if sex is None and number_text[16].isdigit():
                sex = Sex.MALE if int(number_text[16]) % 2 else Sex.FEMALE
        if born is None and not any(e["column"] == LABEL["date_of_birth"] for e in row_errors):
            err("date_of_birth", _("Enter the date of birth."))
        elif born and born > today:
            err("date_of_birth", _("%(child)s: the date of birth is in the future.") % {"child": label})
        if sex is None and not sex_text:
            err("sex", _("Enter the sex (男 or 女)."))
        if document_type:
            for message in document_errors(document_type=document_type, number=number_text,
                                           date_of_birth=born, sex=sex):
                err("document_number", f"{label}: {message}")
        care_text = _text(raw.get("care_form")).lower()
        care_form = CARE_FORM_VALUES.get(care_text)
        if care_form is None:
            err("care_form", _("Use 全日托, 半日托, 计时托 or 临时托."))
        else:
            message = memo.check(("care_form", care_form), rules.care_form_error, label, institution, care_form)
            if message:
                err("care_form", message)
        try:
            start = date_of(raw.get("start_date"))
            if start is None:
                err("start_date", _("Enter the start date."))
        except ValueError:
            start = None
            err("start_date", _("Not a date: write it as 2024-03-01."))
        class_name = _text(raw.get("class_name"))
        klass = classes.get(class_name) if class_name else default_class
        if klass is None:
            err("class_name", _("No open class called “%(name)s” in this institution.") % {"name": class_name}
                if class_name else _("Enter the class."))
        if start:
            for key, message in (
                    ("start_date", memo.check(("dates", start), rules.dates_error, label, start, None, today)),
                    ("start_date", memo.check(("open", start), rules.institution_open_error, label, institution,
                                              start)),
                    ("class_name", klass and memo.check(("class", klass.pk, start), rules.class_open_error, label,
                                                        klass, institution, start)),
                    ("class_name", klass and born and memo.check(("fit", klass.class_type, born, start),
                                                                 rules.class_fit_error, label, born, klass, start))):
                if message:
                    err(key, message)
        guardian_name = _text(raw.get("guardian_name"))
        relation_text = _text(raw.get("guardian_relation")).lower()
        relation = RELATION_VALUES.get(relation_text or "其他")
        guardian_phone = _text(raw.get("guardian_phone"))
        if relation is None:
            err("guardian_relation", _("Use 母亲, 父亲, 祖父母 or 其他."))
        if guardian_name and not guardian_phone:
            err("guardian_phone", _("Enter the guardian's phone number."))
        if guardian_phone and (len(guardian_phone) > 20 or not guardian_phone.replace("-", "").replace("+", "")
                               .isdigit()):
            err("guardian_phone", _("A phone number has digits only."))
        consent_method = CONSENT_VALUES.get(_text(raw.get("consent_method")).lower())
        if consent_method is None:
            err("consent_method", _("%(child)s: record the guardian's consent: 书面 or 电子.") % {"child": label})
        try:
            consent_given_on = date_of(raw.get("consent_given_on"))
        except ValueError:
            consent_given_on = None
            err("consent_given_on", _("Not a date: write it as 2024-03-01."))
        else:
            if consent_given_on is None:
                err("consent_given_on", _("Enter the date the guardian consented."))
            elif consent_given_on > today:
                err("consent_given_on", _("The consent date is in the future."))
        if consent_method and not guardian_name:
            err("guardian_name", _("%(child)s: name the guardian who consented.") % {"child": label})
        if row_errors:
            errors.extend(row_errors)
            continue
        row.values.update(sex=sex, date_of_birth=born, document_type=document_type, document_number=number_text,
                          care_form=care_form, start_date=start, guardian_name=guardian_name,
                          guardian_relation=relation, guardian_phone=guardian_phone, consent_method=consent_method,
                          consent_given_on=consent_given_on)
        row.klass = klass
        row.document_hash = identity.identity_hash(document_type, number_text)
        out.append(row)
    if on_progress:
        on_progress(len(body))
    return out, errors


class _RuleMemo:
    """Remembers the inputs that passed a rule, so that a rule runs once per distinct input, not per row.

    A rule's outcome depends on its inputs (dates, class, institution), never on the child's name, which only
    names the child in the message: a row whose inputs failed is checked again and gets its own message.
    """

    def __init__(self):
        self.passed: set = set()

    def check(self, key, rule, *args) -> str | None:
        if key in self.passed:
            return None
        message = rule(*args)
        if message is None:
            self.passed.add(key)
        return message


class _DateCells:
    """cell_date with each distinct cell value read once (a file has few start and consent dates)."""

    _NOT_A_DATE = object()

    def __init__(self):
        self.seen: dict = {}

    def __call__(self, value) -> datetime.date | None:
        try:
            found = self.seen[value]
        except KeyError:
            try:
                found = _date(value)
            except ValueError:
                found = self._NOT_A_DATE
            self.seen[value] = found
        except TypeError:  # an unhashable cell: read it as it is
            return _date(value)
        if found is self._NOT_A_DATE:
            raise ValueError(value)
        return found


def _chunks(items: list, size: int = BATCH):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def check_against_records(rows: list[Row], job: ImportJob) -> tuple[list[dict], dict]:
    """The rules that need the database and the whole file: duplicates inside the file, enrolments that
    already exist (left unchanged), class caps on every date, one full-day enrolment at a time.

    Queries: 1 per batch of 1,000 identity hashes for each lookup, 1 for the classes' enrolments.
    """
    institution = job.institution
    errors: list[dict] = []
    seen: dict[str, int] = {}
    unique_rows: list[Row] = []
    for row in rows:
        if row.document_hash in seen:
            errors.append({"row": row.number, "column": LABEL["document_number"],
                           "message": _("%(child)s: the same identity number is already in row %(other)d of "
                                        "this file.") % {"child": row.values["name"],
                                                         "other": seen[row.document_hash]}})
            continue
        seen[row.document_hash] = row.number
        unique_rows.append(row)
    hashes = [r.document_hash for r in unique_rows]

    existing_children: dict[str, tuple[int, datetime.date]] = {}
    for chunk in _chunks(hashes):
        for pk, h, born in Child.objects.filter(institution=institution, document_hash__in=chunk).values_list(
                "pk", "document_hash", "date_of_birth"):
            existing_children[h] = (pk, born)
    # This institution's enrolments of these children: the same one again is "unchanged".
    own: dict[int, list[tuple]] = {}
    child_ids = [v[0] for v in existing_children.values()]
    for chunk in _chunks(child_ids):
        for child_id, start, end, klass_id in Enrolment.objects.filter(
                institution=institution, child_id__in=chunk).values_list("child_id", "start_date", "end_date",
                                                                         "klass_id"):
            own.setdefault(child_id, []).append((start, end, klass_id))
    new_rows: list[Row] = []
    unchanged = 0
    for row in unique_rows:
        found = existing_children.get(row.document_hash)
        if found:
            mine = own.get(found[0], [])
            if any(start == row.values["start_date"] for start, _end, _k in mine):
                unchanged += 1
                continue
            if any(end is None or end > row.values["start_date"] for _s, end, _k in mine):
                errors.append({"row": row.number, "column": LABEL["start_date"],
                               "message": _("%(child)s is already enrolled here for some of these dates.")
                               % {"child": row.values["name"]}})
                continue
        new_rows.append(row)

    # Class caps: existing enrolments of the institution's classes plus the new rows, on every date.
    by_class: dict[int, list[Row]] = {}
    for row in new_rows:
        by_class.setdefault(row.klass.pk, []).append(row)
    if by_class:
        earliest = min(r.values["start_date"] for r in new_rows)
        existing = {}
        for klass_id, start, end in (Enrolment.objects.filter(klass_id__in=list(by_class))
                                     .overlapping(earliest, None).values_list("klass_id", "start_date", "end_date")):
            existing.setdefault(klass_id, []).append((start, end))
        for klass_id, class_rows in by_class.items():
            klass = class_rows[0].klass
            # Events: leaving first, then existing starts, then new rows; a new row over the cap is refused.
            events = [(end, 0, -1, None) for _s, end in existing.get(klass_id, []) if end is not None]
            events += [(start, 1, 1, None) for start, _e in existing.get(klass_id, [])]
            events += [(r.values["start_date"], 2, 1, r) for r in class_rows]
            events.sort(key=lambda e: (e[0], e[1], e[3].number if e[3] else 0))
            running = 0
            for day, _order, delta, row in events:
                if row is not None and running + 1 > klass.places:
                    errors.append({"row": row.number, "column": LABEL["class_name"],
                                   "message": rules.capacity_message(row.values["name"], klass, day)})
                    continue
                running += delta

    # One full-day enrolment at a time, across all institutions, found through the identity hash.
    full_day = [r for r in new_rows if r.values["care_form"] == CareForm.FULL_DAY]
    if full_day:
        wanted = {r.document_hash: r for r in full_day}
        lock_identities(list(wanted))
        earliest = min(r.values["start_date"] for r in full_day)
        for h, end in _full_day_enrolments(list(wanted), earliest):
            row = wanted[h]
            if end is None or end > row.values["start_date"]:
                errors.append({"row": row.number, "column": LABEL["care_form"],
                               "message": rules.full_day_conflict_message(row.values["name"])})
    errors.sort(key=lambda e: e["row"])
    return errors, {"new_rows": new_rows, "existing_children": existing_children, "unchanged": unchanged}


def _full_day_enrolments(hashes: list[str], earliest: datetime.date):
    """(identity hash, end date) of the full-day enrolments, at any institution, of these children that are
    open on or after `earliest`.

    PostgreSQL: one statement for the whole file, led by the identity hashes: the children found by their
    hashes first, then each one's few enrolments by the child index. The fence (OFFSET 0) keeps the care-form
    and date tests out of the per-child lookup: with them the planner may lead with, or AND in, the care-form
    index, reading every open full-day enrolment of the country once per batch or even per child — its
    choice while statistics lag behind a large import.
    """
    if connection.vendor != "postgresql":
        for chunk in _chunks(hashes):
            yield from (Enrolment.objects.filter(care_form=CareForm.FULL_DAY, child__document_hash__in=chunk)
                        .overlapping(earliest, None).values_list("child__document_hash", "end_date"))
        return
    quote = connection.ops.quote_name
    child, enrolment = quote(Child._meta.db_table), quote(Enrolment._meta.db_table)
    # Table names from the models' meta, quoted; every value is a parameter.
    sql = (f"WITH c AS MATERIALIZED (SELECT id, document_hash FROM {child} "  # noqa: S608
           f"WHERE document_hash = ANY(%s::varchar[])) "
           f"SELECT c.document_hash, e.end_date FROM c CROSS JOIN LATERAL "
           f"(SELECT care_form, end_date FROM {enrolment} WHERE child_id = c.id OFFSET 0) e "
           f"WHERE e.care_form = %s AND (e.end_date IS NULL OR e.end_date > %s)")
    with connection.cursor() as cursor:
        # Compiling this plan (its estimate grows with the file) cost more than running it: JIT off for the
        # rest of the import's transaction.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, [hashes, CareForm.FULL_DAY.value, earliest])
        yield from cursor.fetchall()


def write_rows(plan: dict, job: ImportJob, actor) -> tuple[int, int]:
    """Writes the new children, guardians and enrolments (bulk.py): on PostgreSQL one COPY per table (and one
    statement for the children's keys), elsewhere multi-row INSERTs of 500 rows. The identity numbers are
    encrypted a whole column at a time (identity.encrypt_many)."""
    ops = connection.ops
    institution = job.institution
    now = ops.adapt_datetimefield_value(timezone.now())
    existing_children = plan["existing_children"]
    recorded_by = actor.pk if getattr(actor, "is_authenticated", False) else None
    rows = [row for row in plan["new_rows"] if row.document_hash not in existing_children]
    encrypted = identity.encrypt_many([row.values["document_number"] for row in rows])
    new_children = []
    for row, token in zip(rows, encrypted, strict=True):
        v = row.values
        new_children.append((row, (institution.pk, v["name"], v["sex"], ops.adapt_datefield_value(v["date_of_birth"]),
                                   v["document_type"], row.document_hash, token,
                                   identity.mask(v["document_number"]), False, v["consent_method"],
                                   ops.adapt_datefield_value(v["consent_given_on"]), v["guardian_name"],
                                   v["guardian_relation"], recorded_by, now, now)))
    child_ids = bulk.insert_returning_ids(
        Child, ["institution_id", "name", "sex", "date_of_birth", "document_type", "document_hash",
                "document_encrypted", "document_masked", "is_demo", "consent_method", "consent_given_on",
                "consent_guardian_name", "consent_guardian_relation", "consent_recorded_by_id",
                "consent_recorded_at", "created_at"], [c for _r, c in new_children])
    ids = {h: pk for h, (pk, _born) in existing_children.items()}
    guardians = []
    for (row, _values), child_id in zip(new_children, child_ids, strict=True):
        ids[row.document_hash] = child_id
        if row.values["guardian_name"]:
            guardians.append((child_id, row.values["guardian_name"], row.values["guardian_relation"],
                              row.values["guardian_phone"]))
    bulk.insert(Guardian, ["child_id", "name", "relation", "phone"], guardians)
    enrolments = [(ids[row.document_hash], institution.pk, row.klass.pk, row.values["care_form"],
                   ops.adapt_datefield_value(row.values["start_date"]), "", "", now) for row in plan["new_rows"]]
    bulk.insert(Enrolment, ["child_id", "institution_id", "klass_id", "care_form", "start_date", "leaving_reason",
                            "leaving_note", "created_at"], enrolments)
    return len(new_children), len(enrolments)


def import_execute(job: ImportJob, actor=None) -> ImportJob:
    """Runs one import job: check every row, then write all of it in one transaction, or nothing.

    Progress is saved on the job as rows are checked. Side effects: children, guardians and enrolments
    created; one audit row; the upload is cleared from the job. Safe to repeat: a finished job returns
    at once, and a file already imported changes nothing.
    """
    if job.is_finished:
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.VALIDATING, attempts=F("attempts") + 1,
                                               heartbeat_at=timezone.now())
    with runs.Heartbeat(ImportJob.objects.filter(pk=job.pk, status__in=RUNNING)):
        return _execute(job, actor or job.created_by)


RUNNING = [ImportJob.Status.VALIDATING, ImportJob.Status.WRITING]


def _execute(job: ImportJob, actor) -> ImportJob:
    def fail(errors):
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, errors=errors[:1000], data=b"", finished_at=timezone.now())
        job.refresh_from_db()
        return job

    try:
        table = read_table(bytes(job.data), job.filename)
    except RowErrors as exc:
        return fail(exc.rows)
    total = max(len(table) - 1, 0)
    ImportJob.objects.filter(pk=job.pk).update(total_rows=total)

    def progress(n):
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=n)

    rows, errors = parse_rows(table, job, on_progress=progress)
    if errors:
        return fail(errors)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.WRITING)
    try:
        with transaction.atomic():
            # Lock the institution's classes: no enrolment elsewhere can take a place while we check.
            list(InstitutionClass.objects.select_for_update().filter(institution=job.institution)
                 .values_list("pk", flat=True))
            errors, plan = check_against_records(rows, job)
            if errors:
                raise RowErrors(errors)
            created_children, created_enrolments = write_rows(plan, job, actor)
            audit_record(actor=actor, action="enrolment.import", target=job,
                         after={"rows": len(rows), "children_created": created_children,
                                "enrolments_created": created_enrolments, "unchanged": plan["unchanged"],
                                "file": job.filename})
            if created_enrolments:
                figures_changed.send(sender=ImportJob, region_code=job.institution.region_id)
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.DONE, processed_rows=total, children_created=created_children,
                enrolments_created=created_enrolments, rows_unchanged=plan["unchanged"], data=b"", errors=[],
                finished_at=timezone.now())
    except RowErrors as exc:
        return fail(exc.rows)
    job.refresh_from_db()
    return job


@transaction.atomic
def import_job_create(*, institution, upload, klass=None, actor) -> ImportJob:
    """Stores an upload as a pending import job (run at once by the API, queued by `import_job_submit`)."""
    ensure_record_keeper(actor, institution.pk)
    name = upload.name or "upload"
    if not name.lower().endswith((".csv", ".xlsx")):
        raise ValidationError({"file": _("Upload a .csv or .xlsx file.")})
    if klass is not None and klass.institution_id != institution.pk:
        raise ValidationError({"klass": _("This class is not a class of your institution.")})
    job = ImportJob.objects.create(institution=institution, klass=klass,
                                   created_by=actor if getattr(actor, "is_authenticated", False) else None,
                                   filename=name[:200], data=upload.read())
    audit_record(actor=actor, action="enrolment.import_upload", target=job, after={"file": job.filename})
    return job


@transaction.atomic
def import_job_submit(*, institution, upload, klass=None, actor) -> ImportJob:
    """Stores an upload as a pending import job and queues its run (an outbox row in the same transaction),
    so the job and its task are committed together or not at all, whatever the broker is doing."""
    from portal.dispatch import dispatch_on_commit

    from .tasks import enrolment_import_run

    job = import_job_create(institution=institution, upload=upload, klass=klass, actor=actor)
    dispatch_on_commit(enrolment_import_run, job.pk)
    return job


def import_sweep() -> int:
    """Imports whose heartbeat is stale lost their process (a worker, or the web process of an API upload):
    each is set back to pending and queued again, or failed after RUN_MAX_ATTEMPTS (portal.runs.job_sweep).
    Returns how many were found."""
    from .tasks import enrolment_import_run

    return runs.job_sweep(ImportJob, dict.fromkeys(RUNNING, (ImportJob.Status.PENDING, enrolment_import_run)))


# --- Templates and exports ------------------------------------------------------------------------

def template_csv() -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(HEADERS)
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "幼儿名单"
    ws.append(HEADERS)
    help_sheet = wb.create_sheet("说明")
    for line in HELP_LINES:
        help_sheet.append([str(line)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
