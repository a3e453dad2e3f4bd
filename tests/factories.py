"""factory-boy factories for the actors and records the tests need."""

import datetime
import itertools

import factory
from django.utils import timezone

from accounts.models import User
from institutions.models import Institution, InstitutionClass, StaffMember
from portal.validators import credit_code_check_character

_serial = itertools.count(1)


def make_credit_code(county_code: str = "130102", n: int | None = None) -> str:
    """A valid unified social credit code: 5 (non-profit) 2, the division code, a serial, its check."""
    n = next(_serial) if n is None else n
    body = f"52{county_code[:6]}{n:08d}X"[:17]
    body = body.replace("X", "0")
    return body + credit_code_check_character(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-42")
    role = User.Role.INSTITUTION_STAFF


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"测试托育园{n}")
    credit_code = factory.LazyAttribute(lambda o: make_credit_code(o.region_id))
    legal_form = Institution.LegalForm.FOR_PROFIT
    setting_type = Institution.SettingType.STANDALONE
    full_day = True
    region_id = "130102"
    address = "长安区测试路1号"
    legal_representative = "张三"
    person_in_charge = "李四"
    person_in_charge_phone = "13800000000"
    status = Institution.Status.FILED
    filed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=100))


class _OfAnInstitution(factory.django.DjangoModelFactory):
    """A row of an institution (a new one unless given)."""

    class Meta:
        abstract = True

    institution = factory.SubFactory(InstitutionFactory)


class InstitutionClassFactory(_OfAnInstitution):
    class Meta:
        model = InstitutionClass

    name = factory.Sequence(lambda n: f"班{n}")
    class_type = InstitutionClass.ClassType.OLDER
    places = 20
    caregivers = 3
    opened_on = datetime.date(2020, 1, 1)


class StaffMemberFactory(_OfAnInstitution):
    class Meta:
        model = StaffMember

    name = factory.Sequence(lambda n: f"保育员{n}")
    role = StaffMember.Role.CAREGIVER


def filed_class(region_id: str, places: int, *, filed_on: datetime.date = datetime.date(2022, 1, 1)):
    """A class of `places` places, of a new institution of `region_id` filed on `filed_on`."""
    return InstitutionClassFactory(institution=InstitutionFactory(region_id=region_id, filed_on=filed_on),
                                   places=places)


def api_token(user, scopes=None, days: int = 30) -> str:
    """A personal API token of `user` (all scopes unless given), for `Authorization: Bearer <token>`."""
    from accounts.scopes import ALL_SCOPES
    from accounts.services import personal_token_create

    _row, raw = personal_token_create(actor=user, name="test", scopes=scopes or ALL_SCOPES, days=days)
    return raw
