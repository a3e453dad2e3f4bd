import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from enrolments import importing, services
from enrolments.models import Child, Enrolment, Guardian, ImportJob
from tests.helpers import guardian_consent

from .helpers import csv_bytes, import_row, xlsx_bytes


def run(staff, data: bytes, filename: str, klass=None) -> ImportJob:
    upload = SimpleUploadedFile(filename, data)
    job = importing.import_job_create(institution=staff.institution, upload=upload, klass=klass, actor=staff)
    return importing.import_execute(job, actor=staff)


@pytest.fixture
def rows(older_class, younger_class):
    return [import_row("赵一", 26, "托大一班", seq=1), import_row("钱二", 30, "托大一班", seq=2, sex="female"),
            import_row("孙三", 14, "托小一班", seq=3), import_row("李四", 20, "托小一班", seq=4, care="全日托")]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_valid_file_imports_children_guardians_and_enrolments(staff, rows, fmt):
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    job = run(staff, data, f"list.{fmt}")
    assert job.status == "done", job.errors
    assert (job.children_created, job.enrolments_created) == (4, 4)
    assert Enrolment.objects.filter(institution=staff.institution, end_date__isnull=True).count() == 4
    assert Guardian.objects.count() == 4
    assert job.data == b""  # the upload with identity numbers is not kept
    assert AuditEntry.objects.filter(action="enrolment.import").count() == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_same_file_twice_changes_nothing(staff, rows, fmt):
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    run(staff, data, f"list.{fmt}")
    before = (Child.objects.count(), Enrolment.objects.count(), Guardian.objects.count())
    job = run(staff, data, f"list.{fmt}")
    assert job.status == "done"
    assert (job.children_created, job.enrolments_created, job.rows_unchanged) == (0, 0, 4)
    assert (Child.objects.count(), Enrolment.objects.count(), Guardian.objects.count()) == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_one_bad_row_means_nothing_is_imported_and_the_row_is_named(staff, rows, fmt):
    bad = list(rows[2])
    bad[4] = bad[4][:17] + ("0" if bad[4][17] != "0" else "1")  # wrong check digit
    data = csv_bytes([rows[0], rows[1], bad, rows[3]]) if fmt == "csv" else xlsx_bytes([rows[0], rows[1], bad, rows[3]])
    job = run(staff, data, f"list.{fmt}")
    assert job.status == "failed"
    assert Child.objects.count() == 0 and Enrolment.objects.count() == 0
    assert [(e["row"], e["column"]) for e in job.errors] == [(4, "证件号码")]
    assert "孙三" in job.errors[0]["message"]


def test_age_that_does_not_fit_the_class_is_a_row_error(staff, rows):
    wrong = import_row("周五", 8, "托大一班")
    job = run(staff, csv_bytes([*rows, wrong]), "list.csv")
    assert job.status == "failed" and Child.objects.count() == 0
    assert job.errors[0]["row"] == 6 and job.errors[0]["column"] == "班级" and "周五" in job.errors[0]["message"]


def test_duplicates_inside_the_file_are_refused(staff, rows):
    job = run(staff, csv_bytes([*rows, rows[0]]), "list.csv")
    assert job.status == "failed"
    assert job.errors[0]["row"] == 6 and "row 2" in job.errors[0]["message"]


def test_class_cap_is_checked_for_the_whole_file(staff, older_class, rows):
    # The older class has 3 places and the file puts 4 children in it.
    extra = [import_row("吴六", 27, "托大一班", seq=6), import_row("郑七", 28, "托大一班", seq=7)]
    job = run(staff, csv_bytes([*rows, *extra]), "list.csv")
    assert job.status == "failed"
    assert [e["row"] for e in job.errors] == [7]
    assert "3" in job.errors[0]["message"]
    assert Enrolment.objects.count() == 0


def test_full_day_elsewhere_found_by_hash_blocks_the_row(staff, other_staff, other_class, rows, today):
    number = rows[0][4]
    child = services.child_register(institution=other_staff.institution, name="赵一", sex="male",
                                    date_of_birth=datetime.date.fromisoformat(rows[0][2]), document_type="resident_id",
                                    document_number=number, consent=guardian_consent(), actor=other_staff)
    services.enrolment_create(child=child, klass=other_class, care_form="full_day",
                              start_date=today - datetime.timedelta(days=30), actor=other_staff)
    job = run(staff, csv_bytes(rows), "list.csv")
    assert job.status == "failed"
    assert job.errors[0]["row"] == 2 and job.errors[0]["column"] == "托育类型"
    assert other_staff.institution.name not in job.errors[0]["message"]


def test_full_day_elsewhere_blocks_only_while_it_lasts(staff, other_staff, other_class, rows, today):
    """An enrolment elsewhere that ended before the import's start date, or is not full-day, blocks nothing."""
    ended, hourly = rows[0], rows[1]
    other_staff.institution.hourly = True
    other_staff.institution.save()
    for row, care, start, end in ((ended, "full_day", today - datetime.timedelta(days=60), today),
                                  (hourly, "hourly", today - datetime.timedelta(days=30), None)):
        child = services.child_register(institution=other_staff.institution, name=row[0],
                                        sex="male" if row[1] == "男" else "female",
                                        date_of_birth=datetime.date.fromisoformat(row[2]),
                                        document_type="resident_id", document_number=row[4],
                                        consent=guardian_consent(), actor=other_staff)
        enrolment = services.enrolment_create(child=child, klass=other_class, care_form=care, start_date=start,
                                              actor=other_staff)
        if end:
            services.enrolment_end(enrolment=enrolment, end_date=end, reason="moved_away", actor=other_staff)
    job = run(staff, csv_bytes(rows), "list.csv")
    assert job.status == "done", job.errors
    assert job.enrolments_created == 4


def test_the_same_failing_value_in_many_rows_names_each_row_and_child(staff, older_class, younger_class, today):
    """The rules run once per distinct value for speed; a failing value still fails every row it is in."""
    ahead = today + datetime.timedelta(days=90)
    rows = [import_row("赵一", 26, "托大一班", seq=11, start=ahead), import_row("钱二", 26, "托大一班", seq=12),
            import_row("孙三", 27, "托大一班", seq=13, start=ahead), import_row("李四", 14, "托大一班", seq=14),
            import_row("周五", 14, "托大一班", seq=15), import_row("吴六", 14, "托小一班", seq=16)]
    rows[1][7] = rows[4][7] = "2024-13-01"
    job = run(staff, csv_bytes(rows), "list.csv")
    assert job.status == "failed"
    found = [(e["row"], e["column"]) for e in job.errors]
    assert found == [(2, "入托日期"), (3, "入托日期"), (4, "入托日期"), (5, "班级"), (6, "入托日期")], job.errors
    by_row = {e["row"]: e["message"] for e in job.errors}
    assert "赵一" in by_row[2] and "孙三" in by_row[4] and "李四" in by_row[5]
    assert by_row[3] == by_row[6] == "Not a date: write it as 2024-03-01."


def test_class_list_import_uses_the_chosen_class(staff, older_class):
    row = import_row("赵一", 26, "")
    job = run(staff, csv_bytes([row]), "class.csv", klass=older_class)
    assert job.status == "done"
    assert Enrolment.objects.get().klass == older_class


def test_missing_columns_and_wrong_file_types_are_clear(staff):
    job = run(staff, "姓名,性别\n张三,男\n".encode(), "x.csv")
    assert job.status == "failed" and "证件号码" in job.errors[0]["column"]
    job = run(staff, b"MZ\x90\x00 not a workbook", "x.xlsx")
    assert job.status == "failed" and "XLSX" in job.errors[0]["message"]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        importing.import_job_create(institution=staff.institution, upload=SimpleUploadedFile("x.exe", b"MZ"),
                                    actor=staff)


def test_queries_do_not_grow_with_rows(staff, institution, today):
    from tests.factories import InstitutionClassFactory

    for i in range(10):
        InstitutionClassFactory(institution=institution, name=f"托大{i}班", class_type="older", places=20,
                                caregivers=3)

    def count(n):
        rows = [import_row(f"童{i}", 25 + i % 10, f"托大{i % 10}班", seq=i + (100 if n < 50 else 200), care="全日托")
                for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            job = run(staff, csv_bytes(rows), f"{n}.csv")
        assert job.status == "done", job.errors[:3]
        return len(ctx.captured_queries)

    assert count(5) == count(60)


def test_template_has_chinese_headers():
    assert importing.template_csv().decode("utf-8-sig").startswith("姓名,性别,出生日期")
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(importing.template_xlsx()))
    assert [c.value for c in wb.active[1]][:3] == ["姓名", "性别", "出生日期"]


def test_a_file_over_the_row_limit_is_refused_whole(staff, older_class, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    rows = [import_row(f"童{i}", 26, "托大一班", seq=300 + i) for i in range(5)]
    job = run(staff, csv_bytes(rows), "big.csv")
    assert job.status == "failed" and "3" in job.errors[0]["message"]
    assert Enrolment.objects.count() == 0
