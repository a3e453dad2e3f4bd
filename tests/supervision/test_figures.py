"""Supervision's figures in the metrics snapshot, at every region level, from one set-based statement."""

from __future__ import annotations

import datetime

from django.utils import timezone

from metrics.compute import snapshot_compute
from metrics.models import RegionSnapshot
from supervision import services
from supervision.models import Inspection, RectificationOrder
from tests.factories import InstitutionFactory

from .conftest import record_all


def _two_findings_rectified(inspection, inspector, staff) -> None:
    """The inspection signed off with two findings; the institution's answer accepted."""
    record_all(inspection, inspector, {"HS-15": "无人看护", "HS-11": "户外活动不足"})
    services.inspection_sign_off(inspection=inspection, actor=inspector)
    order = inspection.rectification
    services.rectification_answer(order=order, text="已整改", actor=staff)
    services.rectification_decide(order=order, accept=True, actor=inspector)


def _rows(snapshot, *codes):
    return {r.region_id: r for r in RegionSnapshot.objects.filter(snapshot=snapshot, region_id__in=codes)}


def test_coverage_findings_and_on_time_rates_roll_up(inspection, inspectors, staff, institution, checklist,
                                                     county_official, regions):
    today = timezone.localdate()
    InstitutionFactory(region_id="130102002", name="未检查园")
    InstitutionFactory(region_id="130502", name="邢台园")
    inspector = inspectors[0].user
    _two_findings_rectified(inspection, inspector, staff)
    # A verification past its deadline, not done; another done late.
    late = Inspection.objects.create(institution=institution, kind=Inspection.Kind.VERIFICATION, checklist=checklist,
                                     due_on=today - datetime.timedelta(days=1))
    Inspection.objects.create(institution=institution, kind=Inspection.Kind.VERIFICATION, checklist=checklist,
                              due_on=today.replace(day=1) if today.day > 1 else today, status="closed",
                              result="compliant", signed_off_at=timezone.now(), inspected_on=today)
    snapshot = snapshot_compute(date=today)
    rows = _rows(snapshot, "130102001", "130102", "1301", "13", "1305")
    county = rows["130102"]
    assert county.institutions == 2 and county.inspected_institutions == 1
    assert county.inspections_done == 2
    assert (county.findings_high, county.findings_medium, county.findings_low) == (1, 0, 1)
    assert (county.rectifications_due, county.rectifications_on_time) == (1, 1)
    assert county.verifications_overdue == 1 and late.pk
    assert county.verifications_due == 2
    assert county.verifications_on_time == (1 if today.day == 1 else 0)
    for code in ("1301", "13"):
        assert rows[code].inspected_institutions == 1 and rows[code].findings_high == 1
    assert rows["13"].institutions == 3
    assert rows["1305"].inspected_institutions == 0 and rows["1305"].findings_high == 0
    assert RectificationOrder.objects.get().rectified_on == today


def test_dashboard_export_and_ranking_show_the_figures(client, inspection, inspectors, institution, city_official,
                                                       regions):
    from django.urls import reverse

    from metrics.rankings import indicator_values, weights_for
    from regions.models import Region

    InstitutionFactory(region_id="130104", name="桥西园")
    record_all(inspection, inspectors[0].user, {"HS-11": "户外活动不足"})
    services.inspection_sign_off(inspection=inspection, actor=inspectors[0].user)
    today = timezone.localdate()
    snapshot_compute(date=today)
    client.force_login(city_official)
    page = client.get(reverse("dashboards:area", args=["1301"])).content.decode()
    assert 'data-testid="card-supervision"' in page and "1 <small>/ 2</small>" in page
    csv = client.get(reverse("dashboards:export", args=["1301", "supervision", "csv"])).content.decode("utf-8-sig")
    header, *lines = csv.strip().splitlines()
    assert "Inspection coverage (%)" in header or "检查覆盖率（%）" in header
    changan = next(line for line in lines if line.startswith("长安区"))
    assert changan.split(",")[1:4] == ["1", "1", "100.0"]
    values, _snapshot = indicator_values(Region.objects.get(code="1301"), today.replace(month=10, day=1), today)
    assert values["130102"]["inspection_coverage"] == 1 and values["130104"]["inspection_coverage"] == 0
    assert "inspection_coverage" not in weights_for(Region.objects.get(code="1301"))  # offered, weighted 0


def test_open_complaints_count_at_the_county_handling_them(institution, regions):
    from complaints.models import Complaint

    today = timezone.localdate()
    for n, answered in enumerate([None, None, today - datetime.timedelta(days=1)]):
        Complaint.objects.create(reference=f"TS{n}", token_hash="x" * 64, institution=institution, county_id="130102",
                                 category="safety", description="午睡无人看护", due_on=today,
                                 received_on=today - datetime.timedelta(days=5),
                                 status="answered" if answered else "received", answered_on=answered,
                                 answered_at=timezone.now() if answered else None,
                                 public_answer="已核查" if answered else "")
    snapshot = snapshot_compute(date=today)
    rows = _rows(snapshot, "130102", "1301", "13", "1305")
    assert [rows[c].complaints_open for c in ("130102", "1301", "13", "1305")] == [2, 2, 2, 0]


def test_the_pdf_report_has_the_supervision_table_with_numerators_and_denominators(
        client, inspection, inspectors, staff, city_official, regions):
    import io

    from django.urls import reverse
    from pypdf import PdfReader

    InstitutionFactory(region_id="130104", name="桥西园")
    inspector = inspectors[0].user
    _two_findings_rectified(inspection, inspector, staff)
    snapshot_compute(date=timezone.localdate())
    client.force_login(city_official)
    response = client.get(reverse("dashboards:report-pdf", args=["1301"]))
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "事中事后监管" in text
    section = text[text.rindex("事中事后监管"):]
    flat = "".join(section.split())  # headers wrap inside their narrow cells
    for header in ("已检查机构数", "备案机构数", "已签署检查数", "按期整改数", "应整改数", "检查覆盖率（%）"):
        assert header in flat, header
    tokens = section.split()

    def row(name: str) -> list[str]:
        at = tokens.index(name)
        return tokens[at + 1:at + 12]

    # 长安区: 1 of 1 filed institution inspected (100.0%), 1 inspection, findings 1 high, 0 medium, 1 low
    # (2.00 per inspection), 1 of 1 rectification order on time (100.0%).
    assert row("长安区") == ["1", "1", "100.0%", "1", "1", "0", "1", "2.00", "1", "1", "100.0%"]
    assert row("桥西区")[:3] == ["0", "1", "0.0%"]
