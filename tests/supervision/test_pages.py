"""Supervision's pages: who sees what, a fixed number of queries, the register's disclosure."""

from __future__ import annotations

import pytest
from django.urls import reverse

from supervision import services

from .conftest import photo, record_all


def test_an_inspector_records_signs_off_and_the_register_discloses_without_persons(
        client, inspection, inspectors, staff):
    inspector = inspectors[0].user
    client.force_login(inspector)
    page = client.get(reverse("supervision:inspection", args=[inspection.pk]))
    assert page.status_code == 200 and "HS-15" in page.content.decode()
    item = inspection.checklist.items.get(code="HS-15")
    response = client.post(reverse("supervision:item_record", args=[inspection.pk, item.pk]), {
        f"i{item.pk}-outcome": "finding", f"i{item.pk}-note": "午睡室无人看护，保育员姓名王某",
        f"i{item.pk}-photo": photo()})
    assert response.status_code == 302
    record_all(inspection, inspector, {"HS-15": "午睡室无人看护，保育员姓名王某"})
    client.post(reverse("supervision:sign_off", args=[inspection.pk]), {"mode": "on_site"})
    inspection.refresh_from_db()
    assert inspection.findings_high == 1 and inspection.evidence.count() == 1
    client.logout()
    register = client.get(reverse("institutions:register_detail", args=[inspection.institution_id])).content.decode()
    assert 'data-testid="disclosed-inspection"' in register
    assert "王某" not in register and inspector.username not in register
    assert reverse("supervision:evidence", args=[inspection.evidence.first().pk]) not in register


def test_the_public_and_other_areas_cannot_open_an_inspection_or_its_photo(
        client, inspection, inspectors, other_county_official, other_staff):
    record = services.item_record(inspection=inspection, item=inspection.checklist.items.first(), outcome="finding",
                                  note="x", actor=inspectors[0].user)
    evidence = services.evidence_add(record=record, file=photo(), actor=inspectors[0].user)
    for url in (reverse("supervision:inspection", args=[inspection.pk]),
                reverse("supervision:evidence", args=[evidence.pk])):
        assert client.get(url).status_code == 302  # the public: sign in first
        for actor in (other_county_official, other_staff):
            client.force_login(actor)
            assert client.get(url).status_code == 404
            client.logout()


def test_staff_see_their_inspection_only_once_signed_off(client, inspection, inspectors, staff):
    client.force_login(staff)
    assert client.get(reverse("supervision:inspection", args=[inspection.pk])).status_code == 404
    record_all(inspection, inspectors[0].user, {"HS-13": "消毒剂放在矮柜"})
    services.inspection_sign_off(inspection=inspection, actor=inspectors[0].user)
    page = client.get(reverse("supervision:inspection", args=[inspection.pk]))
    assert page.status_code == 200 and 'data-testid="answer-form"' in page.content.decode()


def test_the_round_page_shows_the_draw_and_its_replay(client, planned_round, county_official):
    client.force_login(county_official)
    client.post(reverse("supervision:round_draw", args=[planned_round.pk]))
    page = client.get(reverse("supervision:round", args=[planned_round.pk])).content.decode()
    assert 'data-testid="replay"' in page and str(planned_round.seed) in page
    assert page.count("<tr>") >= 5  # header and 4 drawn institutions


@pytest.mark.parametrize("n", [2, 8])
def test_the_queue_has_a_fixed_number_of_queries(client, county_official, inspectors, checklist, regions, n,
                                                 django_assert_max_num_queries):
    from tests.factories import InstitutionFactory

    for k in range(n):
        services.inspection_open_targeted(institution=InstitutionFactory(region_id="130102", name=f"园{k}"),
                                          actor=county_official, source="other", reason="x", checklist=checklist,
                                          inspectors=[inspectors[0].user])
    client.force_login(county_official)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("supervision:home")).status_code == 200


def test_plan_page_refuses_a_province_official(client, province_official):
    client.force_login(province_official)
    assert client.get(reverse("supervision:round_new")).status_code == 403
