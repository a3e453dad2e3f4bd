"""Numbers in query parameters the database cannot hold are a 400 naming the parameter, not a 500.

Found by schemathesis: `?centre=-959225254669053006446592` reached the database and failed there.
"""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path, param, value", [
    ("/api/v1/appointment-slots/", "centre", "-959225254669053006446592"),
    ("/api/v1/appointment-slots/", "centre", str(2**63)),
    ("/api/v1/appointment-slots/", "centre", "0"),
    ("/api/v1/filings/", "institution", str(2**64)),
    ("/api/v1/pilots/", "year", "99999"),
])
def test_out_of_range_numbers_are_refused_naming_the_parameter(api_client, county_official, path, param, value):
    api_client.force_authenticate(county_official)
    response = api_client.get(path, {param: value})
    assert response.status_code == 400
    assert param in response.json()["error"]["fields"]


def test_the_largest_id_is_accepted_and_matches_nothing(api_client, county_official):
    api_client.force_authenticate(county_official)
    response = api_client.get("/api/v1/appointment-slots/", {"centre": str(2**63 - 1)})
    assert response.status_code == 200 and response.json()["results"] == []
