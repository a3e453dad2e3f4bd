
"""A race past validation, on real PostgreSQL: another writer's row is not yet committed when the
request checks, so the request passes validation and its INSERT waits on the unique index; the writer
commits and PostgreSQL refuses the INSERT. The page answers its form and the API a 400, each naming the
field in the user's language, never a 500 or the constraint's name; nothing of the request is saved."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.urls import reverse

from enrolments import services as enrolment_services
from enrolments.models import Child, Enrolment
from tests.enrolments.helpers import born_months_ago, resident_id
from tests.factories import InstitutionClassFactory
from tests.helpers import guardian_consent

from .faults import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGE = {"zh-hans": "证件号码：本机构已登记该证件号码的幼儿。",
           "en": "Identity number: a child with this identity number is already registered at this institution."}


def _blocked_on_me() -> bool:
    """Whether another session waits for a lock this session's transaction holds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))")
        return cursor.fetchone()[0] > 0


def _race_past_validation(*, first_writer, request):
    """Runs `request` in a thread while `first_writer`'s rows are written but not committed; commits them
    once the request waits on them; returns the request's outcome."""
    outcome = {}

    def run():
        try:
            outcome["response"] = request()
        except Exception as exc:  # noqa: BLE001 — the outcome is what the test checks
            outcome["error"] = exc
        finally:
            connections.close_all()

    with transaction.atomic():
        first_writer()
        thread = threading.Thread(target=run)
        thread.start()
        wait_until(_blocked_on_me, 30, what="the request's INSERT waiting on the uncommitted row")
    thread.join(timeout=30)
    assert "error" not in outcome, outcome
    return outcome["response"]


@pytest.fixture
def child_number():
    born = born_months_ago(26)
    return born, resident_id(born, sex="female")


def _first_writer(staff, born, number):
    return lambda: enrolment_services.child_register(
        institution=staff.institution, name="周小雨", sex="female", date_of_birth=born, document_type="resident_id",
        document_number=number, consent=guardian_consent(), actor=staff)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_enrol_page_racing_another_registration_answers_the_form_naming_the_field(
        require_postgresql, client, staff, child_number, language):
    klass = InstitutionClassFactory(institution=staff.institution, name="托大一班", class_type="older", places=20,
                                    caregivers=3)
    born, number = child_number
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # pages follow the language switch, not the header
    form = {"name": "周小雨", "sex": "female", "date_of_birth": born.isoformat(), "document_type": "resident_id",
            "document_number": number, "guardian_name": "周强", "guardian_relation": "father",
            "guardian_phone": "13800001111", "consent_method": "written",
        "consent_given_on": str(datetime.date.today()), "klass": klass.pk, "care_form": "full_day",
            "start_date": born_months_ago(0).isoformat()}
    response = _race_past_validation(
        first_writer=_first_writer(staff, born, number),
        request=lambda: client.post(reverse("enrolments:enrol"), form))
    body = response.content.decode()
    assert response.status_code == 400
    assert MESSAGE[language] in body
    assert "child_unique_per_institution" not in body
    assert Child.objects.count() == 1 and Enrolment.objects.count() == 0  # the other writer's child only


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_children_api_racing_another_registration_answers_400_naming_the_field(
        require_postgresql, api_client, staff, child_number, language):
    born, number = child_number
    api_client.force_authenticate(staff)
    payload = {"name": "周小雨", "sex": "female", "date_of_birth": born.isoformat(), "document_number": number,
               "guardians": [{"name": "周强", "relation": "father", "phone": "13800001111"}],
        "consent": {"method": "written", "given_on": str(datetime.date.today()), "guardian_name": "周强"}}
    response = _race_past_validation(
        first_writer=_first_writer(staff, born, number),
        request=lambda: api_client.post("/api/v1/children/", payload, format="json", HTTP_ACCEPT_LANGUAGE=language))
    error = response.json()["error"]
    assert response.status_code == 400, error
    assert error["code"] == "validation_error"
    assert error["fields"] == {"document_hash": [MESSAGE[language]]}
    assert "child_unique_per_institution" not in response.content.decode()
    assert Child.objects.count() == 1
