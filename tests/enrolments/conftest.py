import datetime

import pytest
from django.utils import timezone

from enrolments import services
from institutions.models import InstitutionClass
from tests.factories import InstitutionClassFactory
from tests.helpers import guardian_consent

from .helpers import born_months_ago, resident_id


def _class(of: str, name: str, class_type: str, *, places: int, caregivers: int):
    """A fixture: the class `name` of the institution that the fixture `of` gives."""

    @pytest.fixture
    def klass(request):
        return InstitutionClassFactory(institution=request.getfixturevalue(of), name=name, class_type=class_type,
                                       places=places, caregivers=caregivers)

    return klass


older_class = _class("institution", "托大一班", InstitutionClass.ClassType.OLDER, places=3, caregivers=1)
younger_class = _class("institution", "托小一班", InstitutionClass.ClassType.YOUNGER, places=15, caregivers=3)
infant_class = _class("institution", "乳儿班", InstitutionClass.ClassType.INFANT, places=10, caregivers=4)
other_class = _class("other_institution", "托大班", InstitutionClass.ClassType.OLDER, places=20, caregivers=3)


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
            consent=guardian_consent(), actor=actor)

    return make


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def enrolled(register, older_class, staff, today):
    """李小明, 26 months old, enrolled full-day in the older class since today."""
    child = register("李小明", 26)
    services.enrolment_create(child=child, klass=older_class, care_form="full_day", start_date=today, actor=staff)
    return child


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
