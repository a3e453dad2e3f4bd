"""The demo reproduces Hebei's mid-2022 headline figures from records, through the real code."""


import pytest
from django.db.models import Sum

from institutions.models import GuidanceCentre, Institution, InstitutionClass, MentoringPair, StaffMember, class_rules
from portal.validators import validate_credit_code
from tests.helpers import seed_demo_steps


@pytest.fixture
def demo(db):
    ctx, ctx.institutions_seconds = seed_demo_steps("regions.demo", "accounts.demo", "institutions.demo")
    return ctx


def test_demo_has_hebeis_filed_institutions_and_places_on_2022_07_08(demo):
    filed = Institution.objects.filter(is_demo=True, status=Institution.Status.FILED, filed_on__lte="2022-07-08")
    assert filed.count() == 1273
    assert not filed.filter(is_synthetic=True).exists()
    places = InstitutionClass.objects.filter(institution__in=filed, closed_on__isnull=True).aggregate(n=Sum("places"))
    assert places["n"] == 138_000
    assert filed.filter(filed_on__gt="2022-06-30").count() == 0
    assert filed.filter(filed_on__lt="2020-01-01").count() == 0
    assert filed.values("region_id").distinct().count() > 100  # spread over counties and townships
    for city in ["1301", "1302", "1303", "1304", "1305", "1306", "1307", "1308", "1309", "1310", "1311"]:
        assert filed.under(city).count() > 40


def test_demo_classes_respect_caps_and_ratios(demo):
    rules = class_rules()
    for klass in InstitutionClass.objects.select_related("institution").iterator():
        rule = rules[klass.class_type]
        assert 0 < klass.places <= rule.max_children
        assert klass.caregivers * rule.children_per_carer >= klass.places
        if klass.institution.setting_type == Institution.SettingType.FAMILY:
            assert klass.places <= 5 and klass.caregivers * 3 >= klass.places


def test_demo_contains_benyi_with_two_doudou_classes(demo):
    benyi = Institution.objects.get(name="石家庄市本一快乐城堡幼儿园")
    assert benyi.setting_type == Institution.SettingType.KINDERGARTEN
    assert benyi.region_id.startswith("1301")
    classes = sorted(benyi.classes.values_list("name", "class_type", "places"))
    assert classes == [("豆豆一班", "older", 20), ("豆豆二班", "older", 20)]
    assert tuple(u for u, _ in demo.accounts if u == "benyi") == ("benyi", )
    from accounts.models import User
    assert User.objects.get(username="benyi").institution == benyi
    assert User.objects.get(username="newcentre").institution is None


def test_demo_grows_after_the_published_figures_with_synthetic_institutions_up_to_today(demo):
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    growth = Institution.objects.filter(is_demo=True, status=Institution.Status.FILED, is_synthetic=True)
    years = (today - datetime.date(2022, 7, 8)).days / 365.25
    assert growth.count() >= int(150 * years)
    assert not growth.filter(filed_on__lte="2022-07-08").exists()
    assert not growth.filter(filed_on__gt=today).exists()
    assert growth.filter(filed_on__gte=today - datetime.timedelta(days=120)).exists()  # still growing lately
    assert growth.filter(region_id="130102001").exists()  # the demo township official has institutions


def test_demo_codes_numbers_and_mix_are_plausible(demo):
    filed = Institution.objects.filter(is_demo=True, status=Institution.Status.FILED, is_synthetic=False)
    for code in filed.values_list("credit_code", flat=True)[:200]:
        validate_credit_code(code)
    numbers = list(filed.values_list("filing_number", "region_id", "filed_on"))
    assert len({n for n, _, _ in numbers}) == len(numbers)
    for number, region_id, filed_on in numbers:
        county, year, serial = number.split("-")
        assert county == region_id[:6] and int(year) == filed_on.year and len(serial) == 4
    inclusive = InstitutionClass.objects.filter(institution__in=filed.filter(is_inclusive=True)).aggregate(
        n=Sum("places"))["n"]
    assert 0.45 <= inclusive / 138_000 <= 0.55
    assert filed.filter(is_inclusive=True, inclusive_price__isnull=True).count() == 0
    assert filed.values("setting_type").distinct().count() == 6
    assert filed.under("1305").filter(medical_integration=True).count() >= 10
    assert MentoringPair.objects.filter(mentor__region__code__startswith="1305",
                                        mentee__region__code__startswith="1305").count() == 6
    assert GuidanceCentre.objects.filter(name__endswith="市托育指导中心").count() == 11
    assert StaffMember.objects.with_expired_certificates().exists()
    assert Institution.objects.filter(is_demo=True, status=Institution.Status.DRAFT).under("130102").exists()


def test_demo_step_is_idempotent_and_quick(demo):
    import institutions.demo

    assert demo.institutions_seconds < 20
    before = Institution.objects.count()
    institutions.demo.seed(demo)
    assert Institution.objects.count() == before
    assert Institution.objects.filter(is_demo=True, status=Institution.Status.FILED, is_synthetic=False).count() == 1273
    assert GuidanceCentre.objects.count() == 11
