"""A China-scale synthetic dataset on the real division codes, generated in PostgreSQL with
INSERT … SELECT generate_series (no Python loop over rows).

At scale 1.0: 130,000 filed institutions on the real townships of the chosen provinces, about 455,000
classes with about 6.7 M places, 3.5 M enrolled children, about 150,000 filings, 1,300 pilots, and a
synthetic resident population for every province, city and county (townships have none: "not provided").

Columns are filled from the Django model: the generator names the columns it cares about and fills every
other NOT NULL column with a neutral value of its type, so a field added by another app does not break it.
"""

from __future__ import annotations

import datetime

from django.db import connection, models

from institutions.models import Institution, InstitutionClass
from regions.importing import regions_import
from regions.models import Region, RegionPopulation

INSTITUTIONS = 130_000
ENROLLED = 3_500_000
SNAPSHOT_DATE = datetime.date(2025, 12, 31)
TABLES_TO_EMPTY = [
    "metrics_rankingentry", "metrics_rankingrun", "metrics_rankingweights", "metrics_regionsnapshot",
    "metrics_snapshot",
    "pilots_assessmentscore", "pilots_assessment", "pilots_pilot", "pilots_progressreport",
    "pilots_reportingobligation", "pilots_progressreportfield", "pilots_progressreporttemplate",
    "enrolments_enrolment", "enrolments_guardian", "enrolments_duenotice", "enrolments_child",
    "complaints_complaint", "supervision_rectificationorder", "supervision_inspection", "institutions_suspension",
    "filings_returncomment", "filings_document", "filings_notification", "filings_filing",
    "institutions_institutionclass", "institutions_staffmember", "institutions_mentoringpair",
    "institutions_institution", "regions_regionpopulation",
]


def _neutral(field: models.Field) -> str:
    if field.null:
        return "NULL"
    if isinstance(field, models.BooleanField):
        return "false"
    if isinstance(field, models.JSONField):
        return "'{}'::jsonb"
    if isinstance(field, models.DateTimeField):
        return "now()"
    if isinstance(field, models.DateField):
        return "DATE '2020-01-01'"
    if isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
        return "0"
    return "''"


def insert_select(model, values: dict[str, str], source: str) -> int:
    """INSERT INTO model's table every concrete column: `values` by column name, the rest neutral."""
    columns, expressions = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and isinstance(field, models.AutoField):
            continue
        columns.append(field.column)
        expressions.append(values.get(field.column, _neutral(field)))
    unknown = set(values) - set(columns)
    if unknown:
        raise ValueError(f"{model.__name__}: no columns {sorted(unknown)}")
    sql = (f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 — our own constants
           f"SELECT {', '.join(expressions)} {source}")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


def _model(app_label: str, name: str):
    from django.apps import apps

    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def reset() -> None:
    existing = set(connection.introspection.table_names())
    tables = [t for t in TABLES_TO_EMPTY if t in existing]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        # Children before parents (the parent foreign key protects them).
        cursor.execute("DELETE FROM regions_region WHERE level = 'township'")
        cursor.execute("DELETE FROM regions_region WHERE level = 'county'")
        cursor.execute("DELETE FROM regions_region WHERE level = 'city'")
        cursor.execute("DELETE FROM regions_region")


def generate(*, provinces: list[str], scale: float, total_townships: int) -> dict:
    """Regions of the provinces, then data in proportion to their share of China's townships."""
    reset()
    for code in provinces:
        regions_import(province=code)
    townships = Region.objects.filter(level="township").count()
    share = townships / total_townships
    n_inst = max(50, round(INSTITUTIONS * scale * share))
    n_enrolled = max(100, round(ENROLLED * scale * share))
    today = SNAPSHOT_DATE
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_leaf")
        cursor.execute("""CREATE TEMP TABLE bench_leaf AS
                          SELECT code, row_number() OVER (ORDER BY code) AS rn
                          FROM regions_region WHERE level = 'township'""")
        cursor.execute("CREATE INDEX ON bench_leaf (rn)")
        cursor.execute("SELECT count(*) FROM bench_leaf")
        (n_leaf,) = cursor.fetchone()

    # Populations: every province, city and county, a deterministic figure from its code.
    insert_select(RegionPopulation, {
        "region_id": "r.code", "year": "2020",
        "resident_population": "CASE r.level WHEN 'province' THEN 40000000 WHEN 'city' THEN 4000000 "
                               "ELSE 400000 END + (abs(hashtext(r.code)) % 1000000)",
        "source": "'synthetic benchmark figure'", "is_synthetic": "true",
    }, "FROM regions_region r WHERE r.level <> 'township'")

    # Institutions: one in 8 on its county rather than a township; 3 % cancelled; filed 2018–2025.
    settings = [s for s, _l in Institution.SettingType.choices]
    setting_case = "CASE g % 6 " + " ".join(f"WHEN {k} THEN '{s}'" for k, s in enumerate(settings)) + " END"
    insert_select(Institution, {
        "name": "'基准托育园' || g", "credit_code": "'B' || lpad(g::text, 17, '0')",
        "legal_form": "'forprofit'", "setting_type": setting_case, "full_day": "true",
        "region_id": "CASE WHEN g % 8 = 0 THEN substr(l.code, 1, 6) ELSE l.code END",
        "address": "'基准路' || g || '号'", "legal_representative": "'张三'", "person_in_charge": "'李四'",
        "person_in_charge_phone": "'13800000000'", "is_inclusive": "g % 2 = 0",
        "inclusive_price": "CASE WHEN g % 2 = 0 THEN 1200 ELSE NULL END",
        "status": "CASE WHEN g % 33 = 0 THEN 'cancelled' ELSE 'filed' END",
        "filed_on": "DATE '2018-01-01' + (abs(hashtext('f' || g)) % 2900)",
        "cancelled_on": "CASE WHEN g % 33 = 0 THEN DATE '2025-06-01' + (g % 400) ELSE NULL END",
        "filing_number": "'BENCH' || g", "is_demo": "false",
    }, f"FROM generate_series(1, {n_inst}) g JOIN bench_leaf l ON l.rn = 1 + (abs(hashtext('r' || g)) % {n_leaf})")

    # Classes: 2–5 per institution, 10–20 places each (≈ 51.5 places per institution).
    class_types = [c for c, _l in InstitutionClass.ClassType.choices]
    type_case = "CASE (i.id + k) % 4 " + " ".join(f"WHEN {n} THEN '{c}'" for n, c in enumerate(class_types)) + " END"
    insert_select(InstitutionClass, {
        "institution_id": "i.id", "name": "'班' || k", "class_type": type_case,
        "places": "CASE WHEN (i.id + k) % 4 = 0 THEN 10 ELSE 12 + ((i.id * 7 + k * 3) % 9) END",
        "caregivers": "4", "opened_on": "i.filed_on - 30", "closed_on": "CASE WHEN (i.id + k) % 50 = 0 "
                                                                         "THEN DATE '2025-03-01' ELSE NULL END",
    }, "FROM institutions_institution i CROSS JOIN LATERAL generate_series(1, 2 + (i.id % 4)) k")

    child_model, enrolment_model = _model("enrolments", "Child"), _model("enrolments", "Enrolment")
    if child_model and enrolment_model:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_first_class")
            cursor.execute("""CREATE TEMP TABLE bench_first_class AS
                              SELECT row_number() OVER (ORDER BY institution_id) AS rn, institution_id, min(id) AS id
                              FROM institutions_institutionclass GROUP BY institution_id""")
            cursor.execute("CREATE INDEX ON bench_first_class (rn)")
            cursor.execute("SELECT count(*) FROM bench_first_class")
            (n_with_class,) = cursor.fetchone()
        insert_select(child_model, {
            "institution_id": "c.institution_id", "name": "'儿童' || g", "sex": "'F'",
            "date_of_birth": "DATE '2024-01-01' + (g % 600)", "document_hash": "md5(g::text)",
            "document_masked": "'****'", "document_encrypted": "''",
        }, f"FROM generate_series(1, {n_enrolled}) g JOIN bench_first_class c ON c.rn = 1 + (g % {n_with_class})")
        insert_select(enrolment_model, {
            "child_id": "ch.id", "institution_id": "ch.institution_id", "klass_id": "c.id",
            "care_form": "'full_day'", "start_date": "DATE '2025-01-01' + (ch.id % 300)::int",
            "end_date": "CASE WHEN ch.id % 10 = 0 THEN DATE '2025-11-01' ELSE NULL END",
            "leaving_reason": "CASE WHEN ch.id % 10 = 0 THEN 'moved_away' ELSE '' END",
        }, "FROM enrolments_child ch JOIN bench_first_class c ON c.institution_id = ch.institution_id")

    filing_model = _model("filings", "Filing")
    if filing_model:
        # Every institution's initial filing (filed), plus pending change filings for one in seven.
        insert_select(filing_model, {
            "institution_id": "i.id", "kind": "'initial'", "status": "'filed'", "changes": "'{}'::jsonb",
            "submitted_at": "(i.filed_on - 6)::timestamptz", "first_submitted_at": "(i.filed_on - 6)::timestamptz",
            "due_on": "i.filed_on + (i.id % 3)::int - 1", "decided_at": "i.filed_on::timestamptz + interval '10 hours'",
            "receipt_number": "'R' || i.id", "created_at": "(i.filed_on - 7)::timestamptz",
            "updated_at": "i.filed_on::timestamptz",
        }, "FROM institutions_institution i")
        insert_select(filing_model, {
            "institution_id": "i.id", "kind": "'change'", "status": "'submitted'", "changes": "'{}'::jsonb",
            "submitted_at": f"TIMESTAMPTZ '{today}' - (i.id % 20) * interval '1 day'",
            "first_submitted_at": f"TIMESTAMPTZ '{today}' - (i.id % 20) * interval '1 day'",
            "due_on": f"DATE '{today}' - (i.id % 20)::int + 7", "created_at": "now()", "updated_at": "now()",
        }, "FROM institutions_institution i WHERE i.id % 7 = 0 AND i.status = 'filed'")

    pilot_model = _model("pilots", "Pilot")
    if pilot_model:
        insert_select(pilot_model, {
            "institution_id": "i.id", "year": "2025", "designated_by_id": "substr(i.region_id, 1, 2)",
            "designated_on": "DATE '2025-03-01'",
            "completed_on": "CASE WHEN i.id % 5 = 0 THEN NULL ELSE DATE '2025-09-01' + (i.id % 90)::int END",
        }, "FROM institutions_institution i WHERE i.id % 100 = 0 AND i.filed_on <= DATE '2025-01-01'")

    _supervision(today)

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*), (SELECT count(*) FROM regions_region) FROM institutions_institution")
        institutions, regions = cursor.fetchone()
        cursor.execute("""SELECT COALESCE(sum(places), 0) FROM institutions_institutionclass""")
        (places,) = cursor.fetchone()
    return {"provinces": len(provinces), "regions": regions, "townships": townships, "institutions": institutions,
            "places": int(places), "enrolled": n_enrolled if child_model else 0}


def _supervision(today: datetime.date) -> None:
    """A year of supervision, so that every figure of a snapshot has values: suspensions (one institution in
    150, some lifted by the date), inspections of one in five (targeted or post-filing verifications, most
    signed off, a third of those with findings and a rectification order) and complaints about one in 40."""
    suspension, checklist = _model("institutions", "Suspension"), _model("supervision", "Checklist")
    inspection, order = _model("supervision", "Inspection"), _model("supervision", "RectificationOrder")
    complaint = _model("complaints", "Complaint")
    d = f"DATE '{today}'"
    if suspension:
        insert_select(suspension, {
            "institution_id": "i.id", "suspended_on": f"{d} - (i.id % 200)::int",
            "lifted_on": f"CASE WHEN i.id % 3 = 0 THEN {d} - (i.id % 200)::int + (i.id % 90)::int END",
        }, "FROM institutions_institution i WHERE i.id % 150 = 0")
    if checklist and inspection and order:
        sheet, _created = checklist.objects.get_or_create(code="bench", version=1, defaults={"name": "基准检查表"})
        signed = "i.id % 4 <> 1"
        due = f"DATE '{today.year}-01-01' + (i.id % 400)::int"
        inspected = f"{due} - (i.id % 30)::int + (i.id % 7)::int * 6"
        findings = f"{signed} AND i.id % 3 = 0"
        insert_select(inspection, {
            "institution_id": "i.id", "kind": "CASE WHEN i.id % 2 = 0 THEN 'verification' ELSE 'targeted' END",
            "checklist_id": str(sheet.pk), "due_on": due,
            "status": f"CASE WHEN {signed} THEN 'signed_off' ELSE 'assigned' END",
            "result": f"CASE WHEN {findings} THEN 'findings' WHEN {signed} THEN 'compliant' ELSE '' END",
            "inspected_on": f"CASE WHEN {signed} THEN {inspected} END",
            "signed_off_at": f"CASE WHEN {signed} THEN ({inspected})::timestamptz END",
            "findings_high": f"CASE WHEN {findings} THEN i.id % 3 ELSE 0 END",
            "findings_medium": f"CASE WHEN {findings} THEN i.id % 4 ELSE 0 END",
            "findings_low": f"CASE WHEN {findings} THEN 1 + i.id % 5 ELSE 0 END",
            "created_at": f"({due} - 40)::timestamptz", "updated_at": "now()",
        }, "FROM institutions_institution i WHERE i.id % 5 = 0")
        insert_select(order, {
            "inspection_id": "s.id", "issued_on": "s.inspected_on + 1", "due_on": "s.inspected_on + 21",
            "status": "CASE WHEN s.id % 2 = 0 THEN 'accepted' ELSE 'open' END",
            "rectified_on": "CASE WHEN s.id % 2 = 0 THEN s.inspected_on + 1 + (s.id % 30)::int END",
            "updated_at": "now()",
        }, "FROM supervision_inspection s WHERE s.result = 'findings'")
    if complaint:
        received = f"{d} - (i.id % 90)::int"
        answered = "i.id % 3 = 0"
        insert_select(complaint, {
            "reference": "'BC' || i.id", "token_hash": "md5(i.id::text)", "institution_id": "i.id",
            "county_id": "substr(i.region_id, 1, 6)", "category": "'care'", "description": "'基准投诉'",
            "status": f"CASE WHEN {answered} THEN 'answered' ELSE 'received' END",
            "received_at": f"({received})::timestamptz", "received_on": received, "due_on": f"{received} + 15",
            "answered_on": f"CASE WHEN {answered} THEN {received} + (i.id % 20)::int END",
            "public_answer": f"CASE WHEN {answered} THEN '已处理' ELSE '' END", "updated_at": "now()",
        }, "FROM institutions_institution i WHERE i.id % 40 = 0")
