"""A constraint violation answers a message naming the field in the user's language, never the
constraint's name (the demo's change filing answered `class_name_unique_while_open`)."""

from pathlib import Path

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


def test_a_change_filing_naming_a_taken_class_is_refused_when_drafted_not_at_approval(institution, staff):
    from filings import services as filing_services
    from filings.models import Filing

    taken = InstitutionClassFactory(institution=institution, name="托小一班", class_type="younger", places=10,
                                    caregivers=2)
    new = {"action": "add", "name": "托小一班", "class_type": "younger", "places": 10, "caregivers": 2}
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        filing_services.filing_create(institution=institution, kind=Filing.Kind.CHANGE, actor=staff,
                                      class_changes=[new])
    with translation.override("zh-hans"):
        message = " ".join(str(m) for m in refused.value.message_dict["classes"])
    assert "托小一班" in message and "班级名称" in message
    # Closing the old class first frees its name.
    filing = filing_services.filing_create(institution=institution, kind=Filing.Kind.CHANGE, actor=staff,
                                           class_changes=[{"action": "close", "class_id": taken.pk}, new])
    assert [c["action"] for c in filing.class_changes] == ["close", "add"]


def test_a_constraint_race_past_validation_is_explained_naming_the_field(institution):
    """The IntegrityError of a second INSERT (validation passed for both requests) names the field."""
    from django.db import IntegrityError, transaction

    from institutions.models import InstitutionClass
    from portal.constraints import constraint_error

    InstitutionClassFactory(institution=institution, name="托小三班", class_type="younger", places=10, caregivers=2)
    with pytest.raises(IntegrityError) as raced, transaction.atomic():
        InstitutionClass.objects.create(institution=institution, name="托小三班", class_type="younger", places=10,
                                        caregivers=2)
    with translation.override("en"):
        explained = constraint_error(raced.value)
        assert explained.message_dict == {"name": ["Class name: another open class of this institution already "
                                                   "has this name."]}


def _our_constraints():
    """Every constraint of the portal's own apps (not Django's or a library's)."""
    from django.apps import apps
    from django.conf import settings

    for model in apps.get_models():
        if Path(model._meta.app_config.path).parent != Path(settings.BASE_DIR):
            continue
        for constraint in model._meta.constraints:
            yield model, constraint


def test_every_constraint_of_our_apps_explains_itself_in_both_languages():
    """A new constraint without its own message (in zh-hans too) and code fails here, before a user meets
    Django's "Constraint “…” is violated." quoting its name."""
    seen, missing = 0, []
    for model, constraint in _our_constraints():
        seen += 1
        label = f"{model._meta.label}.{constraint.name}"
        if constraint.violation_error_message == constraint.default_violation_error_message:
            missing.append(f"{label}: no violation_error_message")
            continue
        if not constraint.violation_error_code:
            missing.append(f"{label}: no violation_error_code")
        with translation.override("en"):
            english = str(constraint.get_violation_error_message())
        with translation.override("zh-hans"):
            chinese = str(constraint.get_violation_error_message())
        if chinese == english:
            missing.append(f"{label}: no zh-hans translation of {english!r}")
        if constraint.name in english or constraint.name in chinese:
            missing.append(f"{label}: the message quotes the constraint's name")
        if ":" not in english or "：" not in chinese:
            missing.append(f"{label}: the message does not start with the field it concerns")
    assert seen > 50
    assert not missing, "\n".join(missing)
