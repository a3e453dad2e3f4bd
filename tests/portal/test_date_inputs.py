"""Date and time inputs render ISO values in every language (portal.forms).

`<input type=date>` accepts only `2026-12-01`; Simplified Chinese formats dates as `2026/12/01`, which the
browser rejects (the field shows empty and submitting says it is required). Every form of the portal is
rendered here in zh-hans with a value in each of its date and time inputs.
"""

from __future__ import annotations

import datetime
import importlib
import inspect
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django import forms
from django.utils import timezone, translation

from portal import forms as portal_forms
from tests.factories import InstitutionClassFactory, StaffMemberFactory
from tests.helpers import guardian_consent

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "dashboards", "enrolments", "filings", "institutions", "metrics", "pilots", "regions"]
D = datetime.date(2026, 12, 1)
T = datetime.time(8, 30)
ISO = {"date": re.compile(r"\d{4}-\d{2}-\d{2}"), "time": re.compile(r"\d{2}:\d{2}"),
       "datetime-local": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")}
INPUT = re.compile(r'<input type="(date|time|datetime-local)" name="([\w-]+)"[^>]*?(?: value="([^"]*)")?[ >]')


def _project_forms():
    for app in APPS:
        try:
            module = importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def _temporal_inputs(html: str) -> dict[str, tuple[str, str]]:
    return {name: (kind, value) for kind, name, value in INPUT.findall(html)}


def test_every_date_and_time_field_of_every_form_is_the_projects():
    """A form declaring Django's own DateInput (or a model form not deriving from portal.forms.ModelForm)
    would render the language's format again."""
    offenders = []
    for form_class in _project_forms():
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.DateField | forms.TimeField | forms.DateTimeField) and not isinstance(
                    field.widget, portal_forms.DateInput | portal_forms.TimeInput | portal_forms.DateTimeInput):
                offenders.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    assert offenders == []


def test_no_code_declares_djangos_date_widgets():
    pattern = re.compile(r"forms\.(DateInput|TimeInput|DateTimeInput|DateField|TimeField|DateTimeField)\(")
    found = [f"{path.relative_to(ROOT)}:{n}" for app in [*APPS, "portal", "audit"]
             for path in (ROOT / app).rglob("*.py") if path.name != "forms.py" or app != "portal"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert found == []


@pytest.fixture
def built_forms(regions, institution):
    """Every form with a date or time input, as its page builds it, with a value in each such input."""
    from dashboards.forms import SnapshotDateForm
    from enrolments.forms import (
        ConsentForm,
        EnrolExistingForm,
        EnrolForm,
        GuardianRequestAnswerForm,
        GuardianRequestForm,
        MoveForm,
        WithdrawForm,
    )
    from enrolments.models import Guardian, GuardianRequest
    from filings.forms import DocumentUploadForm, SlotForm
    from institutions.forms import MentoringPairForm, StaffCertificateForm, StaffMemberForm, SuspendForm
    from institutions.models import GuidanceCentre, Institution
    from metrics.forms import RecomputeForm

    member = StaffMemberFactory(institution=institution, started_on=D, qualification_expires_on=D,
                                health_certificate_expires_on=D, left_on=D)
    return {
        "EnrolForm": EnrolForm(institution=institution,
                            initial={"date_of_birth": D, "start_date": D, "consent_given_on": D}),
        "MoveForm": MoveForm(institution=institution, initial={"on": D}),
        "WithdrawForm": WithdrawForm(initial={"end_date": D}),
        "EnrolExistingForm": EnrolExistingForm(institution=institution, initial={"start_date": D}),
        "StaffMemberForm": StaffMemberForm(instance=member, institution=institution),
        "StaffCertificateForm": StaffCertificateForm(initial={"issued_on": D, "expires_on": D}),
        "MentoringPairForm": MentoringPairForm(institutions=Institution.objects.all(), initial={"started_on": D}),
        "SuspendForm": SuspendForm(initial={"suspended_on": D}),
        "RecomputeForm": RecomputeForm(initial={"date": D}),
        "SnapshotDateForm": SnapshotDateForm(initial={"date": D}),
        "DocumentUploadForm": DocumentUploadForm(initial={"lease_ends_on": D}),
        "SlotForm": SlotForm(centres=GuidanceCentre.objects.all(),
                             initial={"date": D, "start_time": T, "end_time": datetime.time(11, 0)}),
        "ConsentForm": ConsentForm(child=SimpleNamespace(guardians=Guardian.objects),
                                   initial={"consent_given_on": D}),
        "GuardianRequestForm": GuardianRequestForm(institution=institution, initial={"requested_on": D}),
        "GuardianRequestAnswerForm": GuardianRequestAnswerForm(kind=GuardianRequest.Kind.CORRECTION,
                                                               initial={"date_of_birth": D}),
    }


def test_every_form_with_a_date_or_time_is_rendered_here(built_forms):
    with_temporal = {cls.__name__ for cls in _project_forms()
                     if any(isinstance(f, forms.DateField | forms.TimeField | forms.DateTimeField)
                            for f in cls.base_fields.values())}
    assert with_temporal - set(built_forms) == set()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_date_and_time_inputs_render_iso_values(built_forms, language):
    for name, form in built_forms.items():
        with translation.override(language):
            inputs = _temporal_inputs(str(form))
        for field, (kind, value) in inputs.items():
            assert ISO[kind].fullmatch(value or ""), f"{name}.{field} renders {value!r} in {language}"
    with translation.override(language):
        assert _temporal_inputs(str(built_forms["WithdrawForm"]))["end_date"] == ("date", "2026-12-01")
        slot = _temporal_inputs(str(built_forms["SlotForm"]))
        assert slot["start_time"] == ("time", "08:30") and slot["date"] == ("date", "2026-12-01")
        staff = _temporal_inputs(str(built_forms["StaffMemberForm"]))
        assert {f: v for f, (_, v) in staff.items()} == dict.fromkeys(
            ["qualification_expires_on", "health_certificate_expires_on", "started_on", "left_on"], "2026-12-01")


def test_bounds_are_iso_too():
    from metrics.forms import RecomputeForm

    with translation.override("zh-hans"):
        html = str(RecomputeForm())
    assert f'max="{timezone.localdate().isoformat()}"' in html
    assert f'value="{timezone.localdate().isoformat()}"' in html


def test_iso_input_is_parsed_and_rendered_back_as_sent_in_chinese():
    from enrolments.forms import WithdrawForm
    from filings.forms import SlotForm
    from institutions.models import GuidanceCentre

    with translation.override("zh-hans"):
        form = WithdrawForm(data={"end_date": "2026-12-01", "reason": "moved_away"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["end_date"] == D
        assert _temporal_inputs(str(form))["end_date"] == ("date", "2026-12-01")
        slot = SlotForm(centres=GuidanceCentre.objects.none(), data={"start_time": "08:30", "end_time": "11:00"})
        slot.is_valid()
        assert "start_time" not in slot.errors and slot.cleaned_data["start_time"] == T


def test_datetime_local_renders_local_time_without_seconds():
    class Form(forms.Form):
        at = portal_forms.DateTimeField()

    at = datetime.datetime(2026, 12, 1, 0, 30, 15, tzinfo=datetime.UTC)  # 08:30 in Asia/Shanghai
    with translation.override("zh-hans"):
        html = str(Form(initial={"at": at}))
        assert _temporal_inputs(html)["at"] == ("datetime-local", "2026-12-01T08:30")
        form = Form(data={"at": "2026-12-01T08:30"})
        assert form.is_valid() and form.cleaned_data["at"] == at.replace(second=0)


# --- The pages issue reports named ------------------------------------------------------------------

def _page_inputs(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    return _temporal_inputs(response.content.decode())


def test_pages_render_iso_dates_in_chinese(client, staff, city_official, institution):
    from enrolments import services
    from enrolments.models import Child

    today = timezone.localdate().isoformat()
    klass = InstitutionClassFactory(institution=institution, class_type="older", places=20, caregivers=3)
    child = services.child_register(
        institution=institution, name="李小明", sex="male", date_of_birth=timezone.localdate() - datetime.timedelta(
            days=800), document_type="passport", document_number="E12345678",
        guardians=[{"name": "王芳", "relation": "mother", "phone": "13900000000"}],
        consent=guardian_consent(), actor=staff)
    enrolment = services.enrolment_create(child=Child.objects.get(pk=child.pk), klass=klass, care_form="full_day",
                                          start_date=timezone.localdate(), actor=staff)
    client.force_login(staff)
    assert _page_inputs(client, f"/enrolments/enrolment/{enrolment.pk}/withdraw/")["end_date"] == ("date", today)
    assert _page_inputs(client, f"/enrolments/enrolment/{enrolment.pk}/move/")["on"] == ("date", today)
    assert _page_inputs(client, "/institutions/mine/staff/add/")["started_on"] == ("date", today)
    client.force_login(city_official)
    assert _page_inputs(client, "/metrics/recompute/")["date"] == ("date", today)
    assert _page_inputs(client, "/institutions/mentoring/")["started_on"] == ("date", today)
