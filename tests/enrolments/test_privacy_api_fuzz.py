"""schemathesis on guardians' requests and bulk-export approvals, called by the staff who use them: an
open correction request about an enrolled child, and a colleague's bulk export waiting for approval.
Every status and body documented, no 5xx (the province-wide run only sees their 403s and 404s)."""

import datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from enrolments import exporting, requests
from tests.api.test_schemathesis import _excluded
from tests.factories import UserFactory, api_token

pytestmark = pytest.mark.api_fuzz


@pytest.fixture
def staff_schema(live_server, staff, enrolled, settings):
    settings.CHILD_EXPORT_APPROVAL_ROWS = 0
    requests.guardian_request_record(child=enrolled, kind="correction", requested_on=datetime.date.today(),
                                     requester_name="王芳", requester_relation="mother", actor=staff)
    colleague = UserFactory(username="staff_a2", institution=staff.institution)
    exporting.export_approval_request(institution=staff.institution, fmt="csv", purpose="转园材料", actor=colleague)
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/")
    schema.config.headers = {"Authorization": f"Bearer {api_token(staff)}"}
    return schema


schema = schemathesis.pytest.from_fixture("staff_schema").include(
    path_regex=r"^/api/v1/(guardian-requests|export-approvals)/")


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_privacy_endpoints_conform_to_their_schema_for_staff(case):
    case.call_and_validate(excluded_checks=_excluded(case))
