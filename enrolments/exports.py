"""Export of an institution's own enrolment records (identity numbers masked), CSV or XLSX; the controls
around a download (purpose, log, limit, approval) are in exporting.py."""

from __future__ import annotations

import csv
import io

from .importing import CARE_FORM_LABELS_ZH

HEADERS = ["姓名", "性别", "出生日期", "证件号码", "班级", "班级类型", "托育类型", "入托日期", "离园日期", "离园原因"]
SEX_ZH = {"male": "男", "female": "女"}
CLASS_TYPE_ZH = {"infant": "乳儿班", "younger": "托小班", "older": "托大班", "mixed": "混合班"}
REASON_ZH = {"class_change": "转班", "aged_out": "满龄离园", "moved_away": "搬迁", "family_choice": "家庭原因",
             "health": "健康原因", "institution_closed": "机构停办", "other": "其他"}


def export_rows(enrolments):
    qs = enrolments.select_related("child", "klass").order_by("klass__name", "child__name", "start_date", "pk")
    for e in qs.iterator(chunk_size=2000):
        yield [e.child.name, SEX_ZH.get(e.child.sex, ""), e.child.date_of_birth.isoformat(), e.child.document_masked,
               e.klass.name, CLASS_TYPE_ZH.get(e.klass.class_type, ""), CARE_FORM_LABELS_ZH.get(e.care_form, ""),
               e.start_date.isoformat(), e.end_date.isoformat() if e.end_date else "",
               REASON_ZH.get(e.leaving_reason, "")]


def export_csv(enrolments, watermark: str = "") -> bytes:
    """The watermark (who downloaded it, when, why) is the first line, above the headers."""
    out = io.StringIO()
    writer = csv.writer(out)
    if watermark:
        writer.writerow([watermark])
    writer.writerow(HEADERS)
    writer.writerows(export_rows(enrolments))
    return out.getvalue().encode("utf-8-sig")


def export_xlsx(enrolments, watermark: str = "") -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("在托幼儿")
    if watermark:
        ws.append([watermark])
    ws.append(HEADERS)
    for row in export_rows(enrolments):
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

