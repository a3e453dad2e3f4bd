"""The registry pages: staff edit their own draft, officials read their area, everyone else gets 404."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from institutions.models import Institution, InstitutionClass
from tests.factories import (
    InstitutionClassFactory,
    InstitutionFactory,
    StaffMemberFactory,
    UserFactory,
    make_credit_code,
)


@pytest.fixture
def draft(regions):
    return InstitutionFactory(region_id="130102", status=Institution.Status.DRAFT, filed_on=None, name="草稿托育园")


@pytest.fixture
def draft_staff(draft):
    return UserFactory(username="draft_staff", institution=draft)


def test_staff_see_their_institution_with_total_places(client, staff, institution):
    InstitutionClassFactory(institution=institution, name="豆豆一班", places=20, caregivers=3)
    InstitutionClassFactory(institution=institution, name="豆豆二班", places=15, caregivers=3)
    client.force_login(staff)
    response = client.get(reverse("institutions:mine"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "豆豆一班" in body and "豆豆二班" in body
    assert response.context["total_places"] == 35


def test_filed_institution_page_points_to_change_filing(client, staff):
    client.force_login(staff)
    response = client.get(reverse("institutions:mine"))
    assert 'data-testid="change-note"' in response.content.decode()
    assert client.get(reverse("institutions:edit")).status_code == 302
    assert client.get(reverse("institutions:class_add")).status_code == 302


def test_unlinked_staff_register_their_institution(client, regions):
    newcomer = UserFactory(username="newcomer")
    client.force_login(newcomer)
    assert client.get(reverse("institutions:mine")).url == reverse("institutions:create")
    response = client.post(reverse("institutions:create"), {
        "name": "长安区新苗托育中心", "credit_code": make_credit_code("130102"), "legal_form": "forprofit",
        "setting_type": "standalone", "region": "130102001", "address": "建设大街1号", "full_day": "on",
        "legal_representative": "王五", "person_in_charge": "赵六", "person_in_charge_phone": "13900000000"})
    assert response.status_code == 302, response.context["form"].errors
    newcomer.refresh_from_db()
    assert newcomer.institution.name == "长安区新苗托育中心"
    assert newcomer.institution.status == Institution.Status.DRAFT


def test_registration_form_names_the_wrong_check_character(client, regions):
    client.force_login(UserFactory(username="newcomer"))
    code = make_credit_code("130102")
    response = client.post(reverse("institutions:create"), {
        "name": "X", "credit_code": code[:17] + ("1" if code[17] != "1" else "2"), "legal_form": "forprofit",
        "setting_type": "standalone", "region": "130102", "address": "Y", "full_day": "on",
        "legal_representative": "A", "person_in_charge": "B", "person_in_charge_phone": "1"})
    assert response.status_code == 200
    assert "校验码错误" in " ".join(response.context["form"].errors["credit_code"])


def test_draft_class_over_its_cap_is_refused_naming_class_and_rule(client, draft_staff, draft):
    client.force_login(draft_staff)
    response = client.post(reverse("institutions:class_add"),
                           {"name": "星星班", "class_type": "older", "places": 25, "caregivers": 4})
    assert response.status_code == 200
    assert not InstitutionClass.objects.filter(institution=draft).exists()
    response = client.post(reverse("institutions:class_add"),
                           {"name": "星星班", "class_type": "older", "places": 14, "caregivers": 1})
    errors = " ".join(response.context["form"].errors["caregivers"])
    assert "星星班" in errors and "7" in errors
    response = client.post(reverse("institutions:class_add"),
                           {"name": "星星班", "class_type": "older", "places": 14, "caregivers": 2})
    assert response.status_code == 302
    assert draft.places == 14


def test_draft_edit_class_edit_and_close_are_recorded_in_the_history(client, draft_staff, draft):
    client.force_login(draft_staff)
    response = client.post(reverse("institutions:edit"), {
        "name": "草稿托育园（新）", "credit_code": draft.credit_code, "legal_form": "forprofit",
        "setting_type": "standalone", "region": "130102", "address": "新地址", "full_day": "on",
        "legal_representative": "张三", "person_in_charge": "李四", "person_in_charge_phone": "13800000000"})
    assert response.status_code == 302, response.context["form"].errors
    klass = InstitutionClassFactory(institution=draft, name="托小一班", class_type="younger", places=10, caregivers=2)
    assert client.post(reverse("institutions:class_edit", args=[klass.pk]),
                       {"name": "托小一班", "class_type": "younger", "places": 15, "caregivers": 3}).status_code == 302
    assert client.post(reverse("institutions:class_close", args=[klass.pk])).status_code == 302
    history = client.get(reverse("institutions:mine")).context["history"]
    assert [row["entry"].action for row in history] == ["class.close", "class.update", "institution.update"]
    name_change = {"label": "名称", "old": "草稿托育园", "new": "草稿托育园（新）", "had_before": True}
    assert name_change in history[-1]["changes"]
    assert [c for c in history[1]["changes"] if c["label"] == "班级类型"] == []  # unchanged type not listed
    assert {"label": "托位数", "old": "10", "new": "15", "had_before": True} in history[1]["changes"]


def test_expired_certificates_are_highlighted(client, staff, institution):
    today = timezone.localdate()
    StaffMemberFactory(institution=institution, name="过期者", health_certificate_expires_on=today - timedelta(days=3))
    StaffMemberFactory(institution=institution, name="将到期", health_certificate_expires_on=today + timedelta(days=5))
    StaffMemberFactory(institution=institution, name="正常者", health_certificate_expires_on=today + timedelta(200))
    client.force_login(staff)
    response = client.get(reverse("institutions:mine"))
    states = {row["member"].name: row["health"] for row in response.context["staff_rows"]}
    assert states == {"过期者": "expired", "将到期": "expiring", "正常者": ""}
    assert 'data-testid="expired-warning"' in response.content.decode()


def test_other_staff_cannot_see_this_institution_page(client, other_staff, institution):
    client.force_login(other_staff)
    assert client.get(reverse("institutions:detail", args=[institution.pk])).status_code == 404
    assert institution.name not in client.get(reverse("institutions:mine")).content.decode()


def _bulk(n, region_id="130102"):
    institutions = Institution.objects.bulk_create(
        [InstitutionFactory.build(region_id=region_id, name=f"批量托育园{i:04d}") for i in range(n)])
    institutions = list(Institution.objects.filter(name__startswith="批量托育园"))
    InstitutionClass.objects.bulk_create([InstitutionClassFactory.build(institution=i, name="托大一班")
                                          for i in institutions])


@pytest.mark.parametrize("n", [5, 60])
def test_official_list_filters_at_a_bounded_number_of_queries(client, county_official, n):
    _bulk(n)
    client.force_login(county_official)
    url = reverse("institutions:list") + "?region=130102&setting_type=standalone&inclusive=no&q=批量"
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(n, 25)
    assert len(queries) <= 10, "\n".join(q["sql"][:150] for q in queries.captured_queries)
    assert "20" in response.content.decode()


def test_official_list_query_count_is_the_same_at_5_and_500(client, county_official):
    counts = []
    for n in (5, 495):
        _bulk(n) if n == 5 else Institution.objects.bulk_create(
            [InstitutionFactory.build(region_id="130102", name=f"批量托育园B{i:04d}") for i in range(n)])
        client.force_login(county_official)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("institutions:list") + "?region=130102").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_history_leaves_out_enrolment_entries_about_children(client, staff, institution):
    from audit.services import audit_record

    audit_record(actor=staff, action="child.view", target_type="enrolments.child", target_id=1,
                 institution_id=institution.pk, after={"child": "小明"})
    audit_record(actor=staff, action="filing.submit", target_type="filings.filing", target_id=1,
                 institution_id=institution.pk)
    client.force_login(staff)
    actions = [row["entry"].action for row in client.get(reverse("institutions:mine")).context["history"]]
    assert actions == ["filing.submit"]


@pytest.mark.parametrize("actor", ["staff", "county_official"])
def test_institution_pages_keep_a_fixed_number_of_queries(client, request, institution, actor):
    user = request.getfixturevalue(actor)
    url = reverse("institutions:mine") if actor == "staff" else reverse("institutions:detail", args=[institution.pk])
    client.force_login(user)
    counts = []
    for n in (5, 50):
        for i in range(n - (5 if n == 50 else 0)):
            InstitutionClassFactory(institution=institution, name=f"班{n}-{i}", places=10, caregivers=2)
            StaffMemberFactory(institution=institution)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_home_pages_link_to_the_registry(client, staff, county_official, regions):
    client.force_login(staff)
    assert 'data-testid="institution-card"' in client.get("/").content.decode()
    client.force_login(UserFactory(username="unlinked"))
    assert f'href="{reverse("institutions:create")}" data-testid="register-card"' in client.get("/").content.decode()
    client.force_login(county_official)
    assert 'data-testid="institutions-card"' in client.get("/").content.decode()


def test_cancelled_institution_says_so_and_offers_no_edits(client, staff, institution, county_official):
    import datetime

    from institutions import services

    services.institution_cancel(institution=institution, cancelled_on=datetime.date(2026, 1, 1),
                                actor=county_official)
    client.force_login(staff)
    response = client.get(reverse("institutions:mine"))
    body = response.content.decode()
    assert "已注销" in body and reverse("institutions:class_add") not in body
    assert client.get(reverse("institutions:register_detail", args=[institution.pk])).status_code == 404
