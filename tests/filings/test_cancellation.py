"""A cancellation is blocked while children are enrolled, with a list of classes and counts (no names)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from filings import services
from filings.models import Filing
from institutions.models import Institution
from tests.factories import InstitutionClassFactory
from tests.helpers import guardian_consent

from .conftest import upload_complete_documents

enrolment_services = pytest.importorskip("enrolments.services")


def _enrol(institution, klass, staff, n: int):
    from tests.enrolments.helpers import born_months_ago, resident_id

    for i in range(n):
        born = born_months_ago(28)
        child = enrolment_services.child_register(
            institution=institution, name=f"儿童{i}", sex="male", date_of_birth=born, document_type="resident_id",
            document_number=resident_id(born), guardians=[{"name": "王芳", "relation": "mother",
                                                            "phone": "13900000000"}],
                                                            consent=guardian_consent(), actor=staff)
        enrolment_services.enrolment_create(child=child, klass=klass, care_form="full_day",
                                            start_date=timezone.localdate() - datetime.timedelta(days=30),
                                            actor=staff)


@pytest.fixture
def cancellation(institution, staff):
    filing = services.filing_create(institution=institution, kind=Filing.Kind.CANCELLATION, actor=staff,
                                    resettlement_confirmed=True)
    upload_complete_documents(filing, staff)
    return filing


def test_active_enrolments_block_a_cancellation_with_classes_and_counts(institution, staff, cancellation,
                                                                      county_official, client):
    klass = InstitutionClassFactory(institution=institution, name="托大一班", class_type="older", places=20,
                                    caregivers=3)
    _enrol(institution, klass, staff, 2)
    with pytest.raises(ValidationError) as exc:
        services.filing_submit(filing=cancellation, actor=staff)
    message = " ".join(exc.value.messages)
    assert "托大一班" in message and "2" in message
    assert "儿童0" not in message
    cancellation.refresh_from_db()
    assert cancellation.status == Filing.Status.DRAFT
    client.force_login(staff)
    page = client.get(reverse("filings:detail", args=[cancellation.pk])).content.decode()
    assert 'data-testid="active-enrolments"' in page and "托大一班" in page


def test_enrolments_that_ended_do_not_block(institution, staff, cancellation, county_official):
    from enrolments.models import Enrolment

    klass = InstitutionClassFactory(institution=institution, name="托大二班", class_type="older", places=20,
                                    caregivers=3)
    _enrol(institution, klass, staff, 1)
    for enrolment in Enrolment.objects.filter(institution=institution):
        enrolment_services.enrolment_end(enrolment=enrolment, end_date=timezone.localdate(),
                                         reason="institution_closed", actor=staff)
    services.filing_submit(filing=cancellation, actor=staff)
    services.filing_approve(filing=cancellation, actor=county_official)
    institution.refresh_from_db()
    assert institution.status == Institution.Status.CANCELLED
