"""Exports carry the snapshot's numbers under Chinese headers; the PDF is a real PDF with the figures."""

import csv
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

pytestmark = pytest.mark.django_db


def test_region_csv_has_chinese_headers_and_the_rows_values(client, province_official, hebei_snapshot):
    client.force_login(province_official)
    response = client.get("/dashboards/13/export/regions.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="regions-13-2022-06-30.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:8] == ["市", "区划代码", "备案机构数", "托位数", "普惠托位数", "在托婴幼儿数", "常住人口",
                           "每千人口托位数"]
    assert rows[1][:8] == ["石家庄市", "1301", "190", "21000", "10500", "10500", "11235086", "1.87"]
    assert rows[2][0] == "邢台市" and len(rows) == 3


def test_csv_leaves_a_missing_population_blank_not_zero(client, city_official, hebei_snapshot):
    client.force_login(city_official)
    rows = list(csv.DictReader(io.StringIO(client.get("/dashboards/1301/export/regions.csv").content.decode(
        "utf-8-sig"))))
    changan = next(r for r in rows if r["区划代码"] == "130102")
    assert changan["常住人口"] == "" and changan["每千人口托位数"] == "" and changan["托位数"] == "3000"


def test_xlsx_workbook_holds_every_table_with_chinese_headers(client, province_official, hebei_snapshot):
    client.force_login(province_official)
    response = client.get("/dashboards/13/export/all.xlsx", {"date": "2022-06-30"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["下级地区", "分班型托位与分类型机构", "事中事后监管", "排名", "试点与进度报送",
                                   "趋势", "目标测算"]
    regions = workbook["下级地区"]
    assert regions["A1"].value == "河北省，2022-06-30 快照"
    assert [c.value for c in regions[3]][:4] == ["市", "区划代码", "备案机构数", "托位数"]
    assert [c.value for c in regions[4]][:4] == ["石家庄市", "1301", 190, 21000]
    assert regions["H4"].value == pytest.approx(1.87)
    ranking = workbook["排名"]
    assert [c.value for c in ranking[3]] == ["名次", "地区", "得分", "试点完成率", "每千人口托位数", "上期名次",
                                             "名次变化"]
    assert [c.value for c in ranking[4]] == [1, "石家庄市", 71.5, 40.0, 31.5, 2, 1]
    trend = workbook["趋势"]
    assert [c.value for c in trend[4]][:2] == ["2022-03-31", 130000]


def test_composition_csv_has_places_by_class_and_institutions_by_setting(client, province_official,
                                                                         hebei_snapshot):
    client.force_login(province_official)
    rows = list(csv.DictReader(io.StringIO(
        client.get("/dashboards/13/export/composition.csv").content.decode("utf-8-sig"))))
    shijiazhuang = rows[0]
    assert shijiazhuang["地区"] == "石家庄市"
    assert shijiazhuang["乳儿班托位（6–12 个月）"] == "2100"
    assert shijiazhuang["托大班托位（24–36 个月）"] == "8400"
    assert shijiazhuang["独立托育机构"] == "150" and shijiazhuang["幼儿园托班"] == "40"
    assert shijiazhuang["家庭托育点"] == "0"


def test_single_table_xlsx(client, province_official, hebei_snapshot):
    client.force_login(province_official)
    workbook = load_workbook(io.BytesIO(client.get("/dashboards/13/export/pilots.xlsx").content))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[3]][:4] == ["地区", "试点数", "试点完成数", "完成率（%）"]
    assert [c.value for c in sheet[4]][:4] == ["石家庄市", 25, 20, 80.0]


def test_planner_csv_uses_the_chosen_target(client, province_official, hebei_snapshot):
    client.force_login(province_official)
    response = client.get("/dashboards/13/export/planner.csv", {"target": "3", "inclusive_share": "60"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["地区"] == "石家庄市" and rows[0]["达标所需托位"] == "33706"


def test_pdf_report_is_a_pdf_with_the_headline_figures_and_tables(client, province_official, hebei_snapshot):
    client.force_login(province_official)
    response = client.get("/dashboards/13/report.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    for figure in ("1,273", "138,000", "1.85", "126 / 160", "21,000", "71.50", "2022-06-30"):
        assert figure in text, figure
    assert "石家庄市" in text and "季度报告" in text
    assert "2022-04-01" in text  # the ranking's period is named


def test_pdf_report_draws_the_map_of_the_child_regions(client, province_official, hebei_snapshot):
    client.force_login(province_official)
    reader = PdfReader(io.BytesIO(client.get("/dashboards/13/report.pdf").content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "各地区每千人口托位数" in text  # the map's heading
    assert "无数据" in text  # its legend
    first_page = reader.pages[0].get_contents().get_data()
    assert first_page.count(b"B*") >= 11  # a filled and outlined shape per city at least
    assert "地图未收入 PDF" not in text and "not reproduced" not in text


def test_the_pdf_map_of_hebei_is_drawn_in_well_under_a_second():
    """10,831 boundary points: the projection must not rescan them per point (it took 8 s once)."""
    import json
    import time

    from dashboards.exports import map_drawing
    from dashboards.selectors import GEO_DIR

    geojson = json.loads((GEO_DIR / "13.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    drawing = map_drawing(geojson, {"1301": 1.9}, {"1301": "石家庄市"}, width=400, height=300, no_data_label="无数据")
    assert time.perf_counter() - started < 2.0
    assert len(drawing.contents) > 11


def test_print_view_has_map_ranking_and_pilots(client, province_official, hebei_snapshot):
    client.force_login(province_official)
    response = client.get("/dashboards/13/report/")
    html = response.content.decode()
    assert 'id="region-map"' in html and 'data-renderer="svg"' in html
    assert 'data-testid="table-ranking"' in html and 'data-testid="table-pilots"' in html
    assert 'id="dashboard-data" type="application/json"' in html


def test_no_inline_script_executes_on_dashboard_pages(client, province_official, hebei_snapshot):
    """The CSP forbids inline scripts: every <script> is either external or a JSON data block."""
    client.force_login(province_official)
    for url in ("/dashboards/13/", "/dashboards/13/report/", "/dashboards/13/planner/"):
        html = client.get(url).content.decode()
        for tag in html.split("<script")[1:]:
            opening = tag.split(">", 1)[0]
            assert "src=" in opening or 'type="application/json"' in opening, (url, opening)


def test_exports_without_a_snapshot_come_with_headers_only(client, county_official):
    client.force_login(county_official)
    rows = list(csv.reader(io.StringIO(
        client.get("/dashboards/130102/export/regions.csv").content.decode("utf-8-sig"))))
    assert rows[0][1] == "区划代码" and len(rows) == 1
    response = client.get("/dashboards/130102/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "no-snapshot" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(client.get("/dashboards/130102/export/all.xlsx").content))
    assert len(workbook.sheetnames) == 7
