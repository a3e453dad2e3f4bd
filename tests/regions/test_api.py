import pytest

pytestmark = pytest.mark.django_db


def test_children_of_a_region_for_tree_navigation(api_client, regions):
    response = api_client.get("/api/v1/regions/", {"parent": "1301"})
    assert response.status_code == 200
    assert [r["code"] for r in response.json()["results"]] == ["130102", "130104"]


def test_search_by_name(api_client, regions):
    response = api_client.get("/api/v1/regions/", {"q": "邢台"})
    assert [r["name"] for r in response.json()["results"]] == ["邢台市"]


def test_detail_has_ancestors_children_and_population(api_client, regions):
    body = api_client.get("/api/v1/regions/1301/").json()
    assert [a["code"] for a in body["ancestors"]] == ["13"]
    assert [c["code"] for c in body["children"]] == ["130102", "130104"]
    assert body["populations"] == [
        {"year": 2020, "resident_population": 11235086, "source": "census", "is_synthetic": False}]


def test_unknown_region_is_a_404_in_the_common_error_format(api_client, regions):
    response = api_client.get("/api/v1/regions/999999/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_population_by_year(api_client, regions):
    response = api_client.get("/api/v1/regions/1305/populations/")
    assert response.json() == [{"year": 2020, "resident_population": 7111106, "source": "census",
                                "is_synthetic": False}]


def test_bad_filter_value_is_a_400_naming_the_field(api_client, regions):
    response = api_client.get("/api/v1/regions/", {"level": "galaxy"})
    assert response.status_code == 400
    assert "level" in response.json()["error"]["fields"]
