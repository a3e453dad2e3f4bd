"""Benchmark of the enrolment import: 5,000-row and 50,000-row institution-wide files.

    DJANGO_SETTINGS_MODULE=portal.test_settings DATABASE_URL=postgres://... \
        .venv/bin/python -m bench.imports --rows 5000 [--rows 50000] [--repeat 3]

Runs in a throwaway test database (created and dropped here). For each size it prints the median
time of `--repeat` runs, rows per second, SQL statements per row, the time of a second import of the
same file (idempotent: nothing written) and, as the reference measured in the same run on the same
rows, a bare bulk insert of the same children and enrolments without any checks: the ratio says what
the checks cost. Results are written to bench/results/imports.json (and imports-<database>.json).
"""

from __future__ import annotations

import datetime
import io
import statistics
import time

from .harness import count_statements, run_sizes, sizes_and_repeat, write_results

# The goal: a file near the row limit (50,000 of MAX_ROWS 60,000) imported in ten seconds.
GOAL_ROWS_PER_SECOND = 5000
GOAL_ROWS = 50000


def _setup(tag: str, rows: int):
    """A filed institution with enough older-toddler classes (20 places each) for `rows` children."""
    from accounts.models import User
    from institutions.models import Institution, InstitutionClass
    from portal.validators import credit_code_check_character
    from regions.models import Region

    Region.objects.get_or_create(code="13", defaults={"name": "河北省", "level": "province"})
    Region.objects.get_or_create(code="1301", defaults={"name": "石家庄市", "level": "city", "parent_id": "13"})
    Region.objects.get_or_create(code="130102", defaults={"name": "长安区", "level": "county", "parent_id": "1301"})
    serial = Institution.objects.count() + 1
    body = f"52130102B{serial:08d}"
    inst = Institution.objects.create(
        name=f"基准测试托育园{tag}", credit_code=body + credit_code_check_character(body),
        legal_form="forprofit", setting_type="standalone", full_day=True, region_id="130102",
        address="长安区测试路1号", legal_representative="张三", person_in_charge="李四",
        person_in_charge_phone="13800000000", status="filed",
        filed_on=datetime.date.today() - datetime.timedelta(days=400))
    classes = [InstitutionClass(institution=inst, name=f"托大{i + 1}班", class_type="older", places=20, caregivers=3,
                                opened_on=datetime.date(2020, 1, 1)) for i in range((rows + 19) // 20)]
    InstitutionClass.objects.bulk_create(classes, batch_size=1000)
    user = User.objects.create(username=f"bench_{tag}", role="staff", institution=inst)
    return inst, user


def _file(rows: int, salt: int = 0) -> bytes:
    """A CSV of `rows` distinct children aged 25–34 months, 20 to a class, full-day, starting today."""
    import csv

    from enrolments.importing import HEADERS
    from enrolments.models import add_months
    from portal.validators import resident_id_check_character

    today = datetime.date.today()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for i in range(rows):
        born = add_months(today, -(25 + i % 10)) - datetime.timedelta(days=(i // 10) % 25 + 1)
        serial = i // 250 * 2 + 1
        # Each run uses its own county part, so that no child is full-day in two runs' institutions.
        body = f"13{salt + 10:02d}02{born:%Y%m%d}{serial:03d}"
        number = body + resident_id_check_character(body)
        writer.writerow([f"童{i}", "男", born.isoformat(), "居民身份证", number, f"托大{i // 20 + 1}班", "全日托",
                         today.isoformat(), "王芳", "母亲", "13900000000", "书面", today.isoformat()])
    return out.getvalue().encode("utf-8-sig")


def _unique_numbers(data: bytes) -> int:
    text = data.decode("utf-8-sig").splitlines()[1:]
    return len({line.split(",")[4] for line in text})


def run_once(rows: int, tag: str, salt: int) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from enrolments import identity, importing
    from enrolments.models import Child, Enrolment

    inst, user = _setup(tag, rows)
    data = _file(rows, salt=salt)
    assert _unique_numbers(data) == rows, "the generated file must not repeat an identity number"

    job = importing.import_job_create(institution=inst, upload=SimpleUploadedFile("bench.csv", data), actor=user)
    with count_statements() as ctx:
        started = time.perf_counter()
        job = importing.import_execute(job, actor=user)
        elapsed = time.perf_counter() - started
    assert job.status == "done", job.errors[:5]
    assert Enrolment.objects.filter(institution=inst).count() == rows
    queries = ctx.count

    job2 = importing.import_job_create(institution=inst, upload=SimpleUploadedFile("bench.csv", data), actor=user)
    started = time.perf_counter()
    job2 = importing.import_execute(job2, actor=user)
    again = time.perf_counter() - started
    assert job2.status == "done" and job2.rows_unchanged == rows and job2.enrolments_created == 0

    # Reference: the same rows written by a bare bulk insert, no file parsing and no rule checks.
    ref_inst, _ref_user = _setup(tag + "-ref", rows)
    klass_ids = list(ref_inst.classes.order_by("pk").values_list("pk", flat=True))
    today = datetime.date.today()
    started = time.perf_counter()
    with transaction.atomic():
        children = [Child(institution=ref_inst, name=f"童{i}", sex="male", date_of_birth=today,
                          document_type="resident_id", document_hash=identity.identity_hash("ref", f"{tag}{i}"),
                          document_encrypted=identity.encrypt(str(i)), document_masked="****")
                    for i in range(rows)]
        Child.objects.bulk_create(children, batch_size=1000)
        Enrolment.objects.bulk_create([Enrolment(child=c, institution=ref_inst, klass_id=klass_ids[i // 20],
                                                 care_form="full_day", start_date=today)
                                       for i, c in enumerate(children)], batch_size=1000)
    reference = time.perf_counter() - started
    return {"seconds": elapsed, "queries": queries, "again_seconds": again, "reference_seconds": reference}


def benchmark(rows: int, repeat: int = 3) -> dict:
    runs = [run_once(rows, f"{rows}-{i}", salt=(rows % 37 + i * 3) % 80) for i in range(repeat)]
    seconds = statistics.median(r["seconds"] for r in runs)
    reference = statistics.median(r["reference_seconds"] for r in runs)
    queries = max(r["queries"] for r in runs)
    return {
        "rows": rows, "repeat": repeat, "median_seconds": round(seconds, 3),
        "rows_per_second": round(rows / seconds), "goal_rows_per_second": GOAL_ROWS_PER_SECOND,
        "queries": queries, "queries_per_row": round(queries / rows, 4),
        "median_second_import_seconds": round(statistics.median(r["again_seconds"] for r in runs), 3),
        "median_reference_bulk_insert_seconds": round(reference, 3),
        "ratio_to_reference": round(seconds / reference, 2) if reference else None,
        "runs": [{k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()} for r in runs],
    }


def main() -> None:
    sizes, repeat, database = sizes_and_repeat(__doc__.splitlines()[0], [5000, 50000])
    results = run_sizes(benchmark, sizes, repeat, lambda result: (
        f" (goal ≥ {GOAL_ROWS_PER_SECOND:,} at {GOAL_ROWS:,} rows)"
        f", {result['queries']} queries ({result['queries_per_row']} per row); "
        f"same file again {result['median_second_import_seconds']:.2f} s; "
        f"bare bulk insert {result['median_reference_bulk_insert_seconds']:.2f} s "
        f"(import = {result['ratio_to_reference']}× reference)"), database=database)
    write_results(results, "imports.json", f"imports-{results['database']}.json")


if __name__ == "__main__":
    main()
