"""The public register: filed institutions only, no personal data, fixed queries from 5 to 500 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from institutions.models import Institution, InstitutionClass
from tests.factories import InstitutionClassFactory, InstitutionFactory, StaffMemberFactory

PERSON = {"legal_representative": "张法人", "legal_representative_phone": "13711112222",
          "person_in_charge": "李负责", "person_in_charge_phone": "13633334444"}


def _seed(n, region_id="130102001"):
    Institution.objects.bulk_create([InstitutionFactory.build(region_id=region_id, name=f"公示托育园{i:04d}", **PERSON)
                                     for i in range(n)])
    ids = Institution.objects.filter(name__startswith="公示托育园").values_list("pk", flat=True)
    InstitutionClass.objects.bulk_create(
        [InstitutionClassFactory.build(institution_id=pk, name=name, places=places)
         for pk in ids for name, places in [("托大一班", 20), ("托大二班", 18)]])


def _personal_data_absent(body: str) -> None:
    for value in PERSON.values():
        assert value not in body
    assert "王保育" not in body and "13955556666" not in body


@pytest.fixture
def listed(regions):
    institution = InstitutionFactory(region_id="130102001", name="公示阳光托育园", filing_number="130102-2021-0007",
                                     is_inclusive=True, inclusive_price=1200, **PERSON)
    InstitutionClassFactory(institution=institution, name="豆豆一班", places=20)
    StaffMemberFactory(institution=institution, name="王保育", phone="13955556666")
    return institution


def test_anyone_finds_a_filed_institution_without_personal_data(client, listed):
    InstitutionFactory(region_id="130102", name="草稿不公示", status=Institution.Status.DRAFT, filed_on=None)
    response = client.get(reverse("institutions:register"), {"q": "阳光"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "公示阳光托育园" in body and "130102-2021-0007" in body and ">20<" in body
    assert "草稿不公示" not in client.get(reverse("institutions:register")).content.decode()
    _personal_data_absent(body)
    detail = client.get(reverse("institutions:register_detail", args=[listed.pk])).content.decode()
    assert "豆豆一班" in detail
    _personal_data_absent(detail)


def test_register_filters_by_region_setting_service_form_and_inclusive(client, listed, other_institution):
    url = reverse("institutions:register")
    names = lambda params: [i.name for i in client.get(url, params).context["page"].object_list]  # noqa: E731
    assert names({"region": "1301"}) == ["公示阳光托育园"]
    assert names({"region": "1305"}) == [other_institution.name]
    assert names({"inclusive": "yes"}) == ["公示阳光托育园"]
    assert names({"setting_type": "family"}) == []
    assert names({"service_form": "hourly"}) == []
    assert len(names({"service_form": "full_day"})) == 2


def test_register_hides_drafts_and_home_addresses_of_family_points(client, regions):
    draft = InstitutionFactory(status=Institution.Status.DRAFT, filed_on=None)
    family = InstitutionFactory(setting_type=Institution.SettingType.FAMILY, address="某小区3号楼2单元501")
    assert client.get(reverse("institutions:register_detail", args=[draft.pk])).status_code == 404
    assert "某小区" not in client.get(reverse("institutions:register_detail", args=[family.pk])).content.decode()


def test_register_api_lists_filed_institutions_without_personal_data(api_client, listed):
    response = api_client.get("/api/v1/register/institutions/", {"region": "130102"})
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["name"] == "公示阳光托育园" and row["places"] == 20 and row["filing_number"] == "130102-2021-0007"
    _personal_data_absent(response.content.decode())
    detail = api_client.get(f"/api/v1/register/institutions/{listed.pk}/")
    assert detail.json()["classes"] == [{"name": "豆豆一班", "class_type": "older", "places": 20,
                                         "opened_on": "2020-01-01"}]
    _personal_data_absent(detail.content.decode())


def _count_queries(client, url, params):
    client.get(url, params)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


def test_register_page_and_api_keep_a_fixed_number_of_queries_from_5_to_500(client, api_client, regions):
    _seed(5)
    page_small = _count_queries(client, reverse("institutions:register"), {"region": "1301", "page": 1})
    api_small = _count_queries(api_client, "/api/v1/register/institutions/", {"region": "1301"})
    Institution.objects.bulk_create([InstitutionFactory.build(region_id="130102", name=f"公示托育园B{i:04d}")
                                     for i in range(495)])
    ids = Institution.objects.filter(name__startswith="公示托育园B").values_list("pk", flat=True)
    InstitutionClass.objects.bulk_create([InstitutionClassFactory.build(institution_id=pk, name="班") for pk in ids])
    assert Institution.objects.publicly_listed().count() == 500
    assert _count_queries(client, reverse("institutions:register"), {"region": "1301", "page": 2}) == page_small
    assert _count_queries(api_client, "/api/v1/register/institutions/", {"region": "1301"}) == api_small
    assert page_small <= 3 and api_small <= 1, (page_small, api_small)


def test_register_accepts_a_typed_division_code(client, listed, other_institution):
    page = client.get(reverse("institutions:register"), {"code": "130102001"}).context["page"]
    assert [i.name for i in page.object_list] == ["公示阳光托育园"]
    response = client.get(reverse("institutions:register"), {"code": "13O1"})
    assert response.status_code == 200 and response.context["form"].errors["code"]
