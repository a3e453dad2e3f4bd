"""Registry rules: caps and ratios, family points, credit codes, draft-only edits, idempotent transitions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from audit.models import AuditEntry
from institutions import services
from institutions.models import Institution, InstitutionClass
from tests.factories import InstitutionFactory, UserFactory, make_credit_code

PARTICULARS = {
    "name": "长安区新苗托育中心", "legal_form": "forprofit", "setting_type": "standalone", "full_day": True,
    "region_id": "130102", "address": "长安区建设大街1号", "legal_representative": "王五",
    "person_in_charge": "赵六", "person_in_charge_phone": "13900000000",
}


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in English here; Chinese is checked where the user sees it.
    with translation.override("en"):
        yield


@pytest.fixture
def newcomer(regions):
    return UserFactory(username="newcomer")


@pytest.fixture
def draft(newcomer):
    return services.institution_create(actor=newcomer, credit_code=make_credit_code("130102"), **PARTICULARS)


def test_staff_registers_a_draft_and_is_linked_to_it(newcomer, draft):
    newcomer.refresh_from_db()
    assert draft.status == Institution.Status.DRAFT
    assert newcomer.institution == draft
    assert AuditEntry.objects.filter(action="institution.create", target_id=str(draft.pk)).count() == 1


def test_a_wrong_check_character_is_rejected_naming_the_expected_one(newcomer):
    code = make_credit_code("130102")
    wrong = code[:17] + ("1" if code[17] != "1" else "2")
    with pytest.raises(ValidationError) as exc:
        services.institution_create(actor=newcomer, credit_code=wrong, **PARTICULARS)
    message = " ".join(exc.value.message_dict["credit_code"])
    assert "check character" in message and code[17] in message
    assert not Institution.objects.filter(credit_code=wrong).exists()
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as exc:
            services.institution_create(actor=newcomer, credit_code=wrong, **PARTICULARS)
        assert "校验码错误" in " ".join(exc.value.message_dict["credit_code"])


def test_inclusive_needs_a_price_and_a_service_form_is_required(newcomer):
    with pytest.raises(ValidationError) as exc:
        services.institution_create(actor=newcomer, credit_code=make_credit_code("130102"),
                                    **{**PARTICULARS, "is_inclusive": True, "full_day": False})
    assert "inclusive_price" in exc.value.message_dict or "full_day" in exc.value.message_dict


@pytest.mark.parametrize(("class_type", "places", "caregivers", "field", "words"), [
    ("infant", 11, 4, "places", "at most 10"),
    ("younger", 16, 4, "places", "at most 15"),
    ("older", 21, 3, "places", "at most 20"),
    ("mixed", 19, 4, "places", "at most 18"),
    ("infant", 9, 2, "caregivers", "every 3"),
    ("younger", 15, 2, "caregivers", "every 5"),
    ("older", 20, 2, "caregivers", "every 7"),
    ("mixed", 18, 3, "caregivers", "every 5"),
])
def test_class_caps_and_ratios_name_the_class_and_the_rule(draft, newcomer, class_type, places, caregivers, field,
                                                           words):
    with pytest.raises(ValidationError) as exc:
        services.class_add(institution=draft, actor=newcomer, name="星星班", class_type=class_type, places=places,
                           caregivers=caregivers)
    message = " ".join(exc.value.message_dict[field])
    assert "星星班" in message and words in message
    assert not draft.classes.exists()


def test_classes_within_the_rules_make_up_the_places(draft, newcomer):
    services.class_add(institution=draft, actor=newcomer, name="豆豆一班", class_type="older", places=20, caregivers=3)
    services.class_add(institution=draft, actor=newcomer, name="乳儿一班", class_type="infant", places=10,
                       caregivers=4)
    assert draft.places == 30


def test_mixed_class_ratio_follows_a_province_override(draft, newcomer, settings):
    settings.CLASS_RULES_OVERRIDES = {"mixed": {"children_per_carer": 6}}
    klass = services.class_add(institution=draft, actor=newcomer, name="混龄班", class_type="mixed", places=18,
                               caregivers=3)
    assert klass.pk


def test_family_point_takes_at_most_five_children_one_carer_per_three(regions):
    point = InstitutionFactory(region_id="130102", setting_type=Institution.SettingType.FAMILY,
                               status=Institution.Status.DRAFT, filed_on=None)
    carer = UserFactory(username="carer", institution=point)
    services.class_add(institution=point, actor=carer, name="家庭班", class_type="mixed", places=3, caregivers=1)
    with pytest.raises(ValidationError) as exc:
        services.class_add(institution=point, actor=carer, name="第二班", class_type="mixed", places=3, caregivers=1)
    assert "at most 5" in " ".join(exc.value.message_dict["places"])
    with pytest.raises(ValidationError) as exc:
        services.class_update(klass=point.classes.get(), actor=carer, places=5, caregivers=1)
    assert "every 3" in " ".join(exc.value.message_dict["caregivers"])


def test_filed_particulars_cannot_be_edited_directly(staff, institution):
    with pytest.raises(ValidationError, match="change filing"):
        services.institution_update(institution=institution, actor=staff, name="新名字")
    institution.refresh_from_db()
    assert institution.name == "长安区阳光托育园"


def test_only_own_staff_edit_a_draft(draft, other_staff):
    with pytest.raises(PermissionDenied):
        services.institution_update(institution=draft, actor=other_staff, name="别人的")


def test_mark_filed_and_cancel_are_idempotent(draft, newcomer, county_official):
    services.institution_mark_filed(institution=draft, filed_on=datetime.date(2026, 1, 5),
                                    filing_number="130102-2026-0001", actor=county_official)
    again = services.institution_mark_filed(institution=draft, filed_on=datetime.date(2026, 2, 1),
                                            filing_number="130102-2026-0009", actor=county_official)
    assert again.filed_on == datetime.date(2026, 1, 5) and again.filing_number == "130102-2026-0001"
    assert AuditEntry.objects.filter(action="institution.filed", target_id=str(draft.pk)).count() == 1
    services.class_add(institution=draft, actor=newcomer, name="托大一班", class_type="older", places=20, caregivers=3)
    services.institution_cancel(institution=draft, cancelled_on=datetime.date(2026, 3, 1), actor=county_official)
    services.institution_cancel(institution=draft, cancelled_on=datetime.date(2026, 4, 1), actor=county_official)
    draft.refresh_from_db()
    assert draft.status == Institution.Status.CANCELLED and draft.cancelled_on == datetime.date(2026, 3, 1)
    assert AuditEntry.objects.filter(action="institution.cancel", target_id=str(draft.pk)).count() == 1
    assert not InstitutionClass.objects.filter(institution=draft, closed_on__isnull=True).exists()


def test_closing_a_class_twice_changes_nothing(draft, newcomer):
    klass = services.class_add(institution=draft, actor=newcomer, name="托小一班", class_type="younger", places=15,
                               caregivers=3)
    services.class_close(klass=klass, actor=newcomer, closed_on=datetime.date(2026, 1, 1))
    services.class_close(klass=klass, actor=newcomer, closed_on=datetime.date(2026, 2, 1))
    klass.refresh_from_db()
    assert klass.closed_on == datetime.date(2026, 1, 1)
    assert draft.places == 0


def test_classes_are_kept_by_their_staff_and_applied_by_the_reviewing_county(draft, newcomer, other_staff,
                                                                              county_official, other_county_official):
    klass = services.class_add(institution=draft, actor=newcomer, name="托小一班", class_type="younger", places=15,
                               caregivers=3)
    services.class_update(klass=klass, actor=county_official, places=12)  # applying an approved change filing
    for outsider in (other_staff, other_county_official):
        with pytest.raises(PermissionDenied, match="own staff may change its classes"):
            services.class_add(institution=draft, actor=outsider, name="别人的班", class_type="older", places=20,
                               caregivers=3)
        with pytest.raises(PermissionDenied):
            services.class_close(klass=klass, actor=outsider)
    klass.refresh_from_db()
    assert klass.places == 12 and klass.closed_on is None


def test_only_the_reviewing_county_records_a_filing_decision(draft, city_official, other_county_official):
    for official in (city_official, other_county_official):
        with pytest.raises(PermissionDenied):
            services.institution_mark_filed(institution=draft, filed_on=datetime.date(2026, 1, 5),
                                            filing_number="130102-2026-0001", actor=official)
    draft.refresh_from_db()
    assert draft.status == Institution.Status.DRAFT
