"""A constraint violation answers a message naming the field in the user's language, never the
constraint's name (the demo's change filing answered `class_name_unique_while_open`)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from institutions import services as institution_services
from tests.factories import InstitutionClassFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language, field", [("zh-hans", "班级名称"), ("en", "Class name")])
def test_a_second_open_class_of_the_same_name_is_refused_naming_the_field(institution, staff, language, field):
    InstitutionClassFactory(institution=institution, name="托小二班", class_type="younger", places=10, caregivers=2)
    with translation.override(language), pytest.raises(ValidationError) as refused:
        institution_services.class_add(institution=institution, actor=staff, name="托小二班", class_type="younger",
                                       places=10, caregivers=2)
    with translation.override(language):
        messages = [str(m) for m in refused.value.messages]
    assert any(m.startswith(field) for m in messages), messages
    assert not any("class_name_unique_while_open" in m for m in messages)


@pytest.mark.parametrize("language, field", [("zh-hans", "托位数"), ("en", "places")])
def test_a_class_over_twenty_places_is_refused_naming_the_field(institution, staff, language, field):
    with translation.override(language), pytest.raises(ValidationError) as refused:
        institution_services.class_add(institution=institution, actor=staff, name="托大九班", class_type="older",
                                       places=25, caregivers=5)
    with translation.override(language):
        messages = [str(m) for m in refused.value.messages]
    assert messages and not any("class_places_at_most_20" in m for m in messages)
    assert any(field in m for m in messages), messages
