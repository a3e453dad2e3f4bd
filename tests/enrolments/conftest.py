import datetime

import pytest
from django.utils import timezone

from enrolments import services
from institutions.models import InstitutionClass
from tests.factories import InstitutionClassFactory

from .helpers import born_months_ago, resident_id


@pytest.fixture
def older_class(institution):
    return InstitutionClassFactory(institution=institution, name="托大一班",
                                   class_type=InstitutionClass.ClassType.OLDER, places=3, caregivers=1)


@pytest.fixture
def younger_class(institution):
    return InstitutionClassFactory(institution=institution, name="托小一班",
                                   class_type=InstitutionClass.ClassType.YOUNGER, places=15, caregivers=3)


@pytest.fixture
def infant_class(institution):
    return InstitutionClassFactory(institution=institution, name="乳儿班", class_type=InstitutionClass.ClassType.INFANT,
                                   places=10, caregivers=4)


@pytest.fixture
def other_class(other_institution):
    return InstitutionClassFactory(institution=other_institution, name="托大班",
                                   class_type=InstitutionClass.ClassType.OLDER, places=20, caregivers=3)


@pytest.fixture
def register(staff):
    """register(name, months=26, institution=None, actor=None, number=None) -> Child"""

    def make(name="李小明", months=26, *, institution=None, actor=None, number=None, sex="male", county="130102"):
        actor = actor or staff
        institution = institution or actor.institution
        born = born_months_ago(months)
        number = number or resident_id(born, county=county, sex=sex)
        from enrolments.identity import birth_date_in_resident_id

        born = birth_date_in_resident_id(number)
        return services.child_register(
            institution=institution, name=name, sex=sex, date_of_birth=born, document_type="resident_id",
            document_number=number, guardians=[{"name": "王芳", "relation": "mother", "phone": "13900000000"}],
            actor=actor)

    return make


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def yesterday(today):
    return today - datetime.timedelta(days=1)


@pytest.fixture
def eager_tasks(monkeypatch):
    """Runs Celery tasks in-process even when a broker is configured (the import's own logic is tested
    here; a real worker is exercised by the services tests)."""
    from portal.celery import app

    monkeypatch.setattr(app.conf, "task_always_eager", True)
    monkeypatch.setattr(app.conf, "task_eager_propagates", True)


@pytest.fixture(autouse=True)
def english_messages():
    """Service messages are asserted in English here; pages follow the request's language."""
    from django.utils import translation

    with translation.override("en"):
        yield
