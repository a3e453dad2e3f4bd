"""Benchmark of onboarding an existing province: 10,000 filed institutions from the national export.

    DJANGO_SETTINGS_MODULE=portal.test_settings DATABASE_URL=postgres://... \
        .venv/bin/python -m bench.onboarding --rows 10000 [--repeat 3]

Runs in a throwaway test database (created and dropped here). For each run: the dry run (every row
checked, nothing written) and the import (checked again and written in one transaction), timed
apart, with the SQL statements of the import. Prints the median of `--repeat` runs in rows per second
for the whole (check + import), which the bar asks to be at least 10,000 rows in under a minute; and,
as the reference measured in the same run, Django's bare bulk_create of the same institutions, classes
and filings with no parsing and no checks. Results: bench/results/onboarding.json.
"""

from __future__ import annotations

import datetime
import statistics
import time

from .harness import count_statements, run_sizes, sizes_and_repeat, write_results


def _regions():
    from regions.models import Region

    Region.objects.get_or_create(code="13", defaults={"name": "河北省", "level": "province"})
    Region.objects.get_or_create(code="1301", defaults={"name": "石家庄市", "level": "city", "parent_id": "13"})
    counties = [f"1301{n:02d}" for n in range(2, 22)]
    for code in counties:
        Region.objects.get_or_create(code=code, defaults={"name": f"县{code}", "level": "county", "parent_id": "1301"})
    return Region.objects.get(code="13"), counties


def _file(rows: int, counties: list[str], salt: int) -> bytes:
    import csv
    import io

    from institutions.onboarding import HEADERS
    from portal.validators import credit_code_check_character

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    filed = datetime.date(2021, 6, 30)
    for i in range(rows):
        county = counties[i % len(counties)]
        body = f"52{county}{salt:02d}{i:06d}0"
        code = body + credit_code_check_character(body)
        # 乳儿班 / 托小班 / 托大班 / 混合班 classes and places, as the national export has them
        classes = ["1", "10", "1", "15", "2", "40", "", ""] if i % 3 else ["", "", "2", "30", "1", "20", "1", "18"]
        legal_form = ("营利性", "社会服务机构", "事业单位")[i % 3]
        writer.writerow([f"导入托育园{salt}-{i}", code, f"测试路{i}号", county, legal_form,
                         classes[0], classes[2], classes[4], classes[6], classes[1], classes[3], classes[5], classes[7],
                         (filed - datetime.timedelta(days=i % 700)).isoformat(), f"{county}-{salt:02d}-{i:06d}",
                         "", "全日托、半日托" if i % 4 == 0 else "", "", "", ""])
    return out.getvalue().encode("utf-8-sig")


def run_once(rows: int, salt: int) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from accounts.models import User
    from filings.models import Filing
    from institutions import onboarding
    from institutions.models import Institution, InstitutionClass, OnboardingJob

    province, counties = _regions()
    admin = User.objects.create(username=f"bench_onboard_{salt}", role="admin")
    data = _file(rows, counties, salt)
    job = onboarding.onboarding_job_create(province=province, upload=SimpleUploadedFile("export.csv", data),
                                           actor=admin)
    started = time.perf_counter()
    job = onboarding.onboarding_check(job)
    check = time.perf_counter() - started
    assert job.status == "checked", job.errors[:5]
    OnboardingJob.objects.filter(pk=job.pk).update(status="writing")
    with count_statements() as ctx:
        started = time.perf_counter()
        job = onboarding.onboarding_import(job)
        write = time.perf_counter() - started
    assert job.status == "done" and job.institutions_created == rows, job.errors[:5]

    # Reference: the same institutions, classes and filings by bare bulk_create, no file and no checks.
    template = Institution.objects.filter(name__startswith=f"导入托育园{salt}-").order_by("pk")[:rows]
    items = list(template.values("legal_form", "setting_type", "region_id", "address", "filed_on", "filing_number"))
    started = time.perf_counter()
    with transaction.atomic():
        made = Institution.objects.bulk_create([Institution(
            name=f"参照{salt}-{i}", credit_code=f"R{salt:02d}{i:015d}", status="filed", full_day=True,
            **item) for i, item in enumerate(items)], batch_size=2000)
        InstitutionClass.objects.bulk_create([InstitutionClass(institution=m, name=f"托大{k}", class_type="older",
                                                               places=20, caregivers=3)
                                              for m in made for k in range(3)], batch_size=2000)
        decided = datetime.datetime(2021, 6, 30, 12, tzinfo=datetime.UTC)
        Filing.objects.bulk_create([Filing(institution=m, kind="initial", status="filed", submitted_at=decided,
                                           due_on=decided.date(), decided_at=decided, receipt_number=f"R{m.pk}")
                                    for m in made], batch_size=2000)
    reference = time.perf_counter() - started
    return {"check_seconds": check, "import_seconds": write, "seconds": check + write,
            "import_queries": ctx.count, "reference_seconds": reference}


def benchmark(rows: int, repeat: int = 3) -> dict:
    runs = [run_once(rows, salt=i + 10) for i in range(repeat)]
    seconds = statistics.median(r["seconds"] for r in runs)
    reference = statistics.median(r["reference_seconds"] for r in runs)
    return {
        "rows": rows, "repeat": repeat, "median_seconds": round(seconds, 3),
        "rows_per_second": round(rows / seconds),
        "median_check_seconds": round(statistics.median(r["check_seconds"] for r in runs), 3),
        "median_import_seconds": round(statistics.median(r["import_seconds"] for r in runs), 3),
        "import_queries": max(r["import_queries"] for r in runs),
        "median_reference_bulk_create_seconds": round(reference, 3),
        "ratio_to_reference": round(seconds / reference, 2) if reference else None,
        "runs": [{k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()} for r in runs],
    }


def main() -> None:
    sizes, repeat, database = sizes_and_repeat(__doc__.splitlines()[0], [10000])
    results = run_sizes(benchmark, sizes, repeat, lambda result: (
        f": check {result['median_check_seconds']:.2f} s, "
        f"import {result['median_import_seconds']:.2f} s in {result['import_queries']} statements; "
        f"bare bulk_create {result['median_reference_bulk_create_seconds']:.2f} s "
        f"(onboarding = {result['ratio_to_reference']}× reference)"), database=database)
    write_results(results, "onboarding.json")


if __name__ == "__main__":
    main()
