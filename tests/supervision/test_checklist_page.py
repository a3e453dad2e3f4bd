"""The page where an official writes a new checklist version: a copy of the latest version's items, edited
row by row, saved through the same service as the API; errors named by item and field."""

from __future__ import annotations

from django.urls import reverse

from audit.models import AuditEntry
from supervision.models import Checklist

FIELDS = ["code", "area", "text", "risk", "immediate_risk", "basis"]


def _post_data(checklist, *, change=None, extra=(), delete=()) -> dict:
    """What the browser sends for the page as opened from `checklist`, with `change` {row: {field: value}}
    applied, `extra` new rows and the rows in `delete` ticked "remove"."""
    change = change or {}
    rows = [{f: getattr(i, f) for f in FIELDS} for i in checklist.items.all()]
    initial = len(rows)
    rows += list(extra)
    data = {"name": checklist.name, "notes": checklist.notes, "is_working_definition": "on",
            "items-TOTAL_FORMS": str(len(rows)), "items-INITIAL_FORMS": str(initial),
            "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "200"}
    for n, row in enumerate(rows):
        row = {**row, **change.get(n, {})}
        for f in FIELDS:
            value = row.get(f, "")
            if f == "immediate_risk":
                if value:
                    data[f"items-{n}-{f}"] = "on"
            else:
                data[f"items-{n}-{f}"] = value
        if n in delete:
            data[f"items-{n}-DELETE"] = "on"
    return data


def _url(code="health-safety"):
    return reverse("supervision:checklist_new_version", args=[code])


def test_the_page_opens_with_a_copy_of_the_latest_version_and_is_linked_from_the_list(client, checklist,
                                                                                     county_official):
    client.force_login(county_official)
    listing = client.get(reverse("supervision:checklists")).content.decode()
    assert f'href="{_url()}"' in listing
    page = client.get(_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="item-row"') == checklist.items.count() + 2  # two empty rows for new items
    assert 'value="HS-17"' in html and checklist.name in html


def test_an_official_saves_an_edited_version_and_older_inspections_keep_theirs(client, checklist, inspection,
                                                                             county_official):
    client.force_login(county_official)
    data = _post_data(checklist, change={5: {"risk": "medium", "text": "保育人员与婴幼儿比例符合要求（本县口径）"}},
                      extra=[{"code": "X-01", "area": "安全防护", "text": "新增：午睡巡查记录", "risk": "high",
                              "immediate_risk": True, "basis": "工作定义"}, {}],
                      delete={16})
    response = client.post(_url(), data)
    assert response.status_code == 302
    newer = Checklist.objects.get(code="health-safety", version=2)
    codes = list(newer.items.values_list("code", flat=True))
    assert codes[-1] == "X-01" and "HS-17" not in codes and len(codes) == 17
    hs06 = newer.items.get(code="HS-06")
    assert hs06.risk == "medium" and "本县口径" in hs06.text
    assert newer.items.get(code="X-01").immediate_risk
    assert response.url.endswith(f"#checklist-{newer.pk}")
    assert AuditEntry.objects.filter(action="checklist.create", target_id=str(newer.pk)).exists()
    inspection.refresh_from_db()
    assert inspection.checklist_id == checklist.pk and checklist.items.count() == 17


def test_errors_name_the_item_and_the_field_and_nothing_is_saved(client, checklist, county_official):
    client.force_login(county_official)
    data = _post_data(checklist, change={2: {"risk": "extreme"}, 4: {"code": "HS-01"}, 7: {"text": ""}})
    response = client.post(_url(), data)
    assert response.status_code == 400
    html = response.content.decode()
    summary = html.split('data-testid="error-summary"')[1].split("</div>")[0]
    assert 'href="#id_items-2-risk"' in summary and "(HS-03)" in summary
    assert 'href="#id_items-4-code"' in summary  # the second HS-01
    assert 'href="#id_items-7-text"' in summary
    assert not Checklist.objects.filter(code="health-safety", version=2).exists()


def test_a_version_with_every_item_removed_is_refused(client, checklist, county_official):
    client.force_login(county_official)
    data = _post_data(checklist, delete=set(range(checklist.items.count())))
    response = client.post(_url(), data)
    assert response.status_code == 400 and "error-summary" in response.content.decode()
    assert not Checklist.objects.filter(code="health-safety", version=2).exists()


def test_staff_may_not_write_a_checklist_and_an_unknown_one_is_404(client, checklist, staff, county_official):
    client.force_login(staff)
    assert client.get(_url()).status_code == 403
    assert client.post(_url(), _post_data(checklist)).status_code == 403
    assert f'href="{_url()}"' not in client.get(reverse("supervision:checklists")).content.decode()
    client.force_login(county_official)
    assert client.get(_url("no-such-checklist")).status_code == 404


def test_the_page_reads_in_chinese_and_in_english(client, checklist, county_official):
    client.force_login(county_official)
    chinese = client.get(_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "新建检查表版本" in chinese and "检查类别" in chinese and "保存新版本" in chinese
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})  # the header's language switch
    english = client.get(_url()).content.decode()
    assert "New checklist version" in english and "Save the new version" in english and "Item 18" in english
    assert "新建检查表版本" not in english
