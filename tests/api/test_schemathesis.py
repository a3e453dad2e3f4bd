"""schemathesis against the portal's own OpenAPI schema, on a live test server, with a token.

Every operation is exercised with generated input and checked with all default checks: no 5xx,
every status and response body documented in the schema, content types as declared. The caller is
a province official (the broadest non-admin scope) of a small but populated Hebei.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from tests.factories import InstitutionClassFactory, InstitutionFactory

pytestmark = pytest.mark.api_fuzz


@pytest.fixture
def api_schema(live_server, province_official, regions, institution):
    InstitutionClassFactory(institution=institution)
    InstitutionFactory(region_id="130102", name="另一家托育园")
    token = Token.objects.create(user=province_official)
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/")
    schema.config.headers = {"Authorization": f"Token {token.key}"}
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")

# Operations whose schema-valid input can still break a domain rule that OpenAPI cannot state; the
# portal answers 400 naming the field (docs/quality.md asks exactly that). Only the check that
# schema-valid data is accepted is skipped for them; every other check runs.
DOMAIN_RULES_BEYOND_THE_SCHEMA = {
    ("POST", "/api/v1/metrics/recompute/"): "a snapshot date cannot be in the future",
    ("POST", "/api/v1/filings/{id}/submit/"): "a filing is complete only with its documents on file",
    ("POST", "/api/v1/filings/{id}/resubmit/"): "a filing is complete only with its documents on file",
    ("POST", "/api/v1/populations/upload/"): "the file must be a CSV or XLSX table of known regions",
}


def _excluded(case) -> list:
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    key = (case.operation.method.upper(), case.operation.path)
    return [positive_data_acceptance] if key in DOMAIN_RULES_BEYOND_THE_SCHEMA else []


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case):
    case.call_and_validate(excluded_checks=_excluded(case))
