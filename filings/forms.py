"""Forms of the filing pages. They only collect input; every rule is in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from institutions.models import GuidanceCentre, Institution, InstitutionClass
from portal.forms import DateField, TimeField

from .models import AppointmentSlot, Document, Filing, FilingReturnComment


class FilingCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of filing"), choices=Filing.Kind.choices)


class _UnchangedYesNo(forms.NullBooleanSelect):
    """Yes / no / unchanged (None), rendering True and False back as selected."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("unchanged")), ("true", _("yes")), ("false", _("no"))]


class ChangeParticularsForm(forms.Form):
    """The particulars a change filing may change; left empty means unchanged."""

    name = forms.CharField(label=_("New name"), max_length=200, required=False)
    address = forms.CharField(label=_("New address"), max_length=300, required=False)
    legal_representative = forms.CharField(label=_("New legal representative"), max_length=100, required=False)
    person_in_charge = forms.CharField(label=_("New person in charge"), max_length=100, required=False)
    person_in_charge_phone = forms.CharField(label=_("New phone of the person in charge"), max_length=20,
                                             required=False)
    meals_served = forms.NullBooleanField(label=_("Meals served"), required=False, widget=_UnchangedYesNo())
    note = forms.CharField(label=_("Note to the reviewer"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def particulars(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("note", "meals_served") and v}
        if self.cleaned_data.get("meals_served") is not None:
            data["meals_served"] = self.cleaned_data["meals_served"]
        return data


class ClassChangeForm(forms.Form):
    """One class change of a change filing: add a class, or change or close an open one."""

    action = forms.ChoiceField(label=_("Change"), choices=[("add", _("Add a class")), ("update", _("Change a class")),
                                                           ("close", _("Close a class"))])
    klass = forms.ModelChoiceField(label=_("Existing class"), queryset=InstitutionClass.objects.none(), required=False)
    name = forms.CharField(label=_("Class name"), max_length=100, required=False)
    class_type = forms.ChoiceField(label=_("Class type"), choices=[("", "—"), *InstitutionClass.ClassType.choices],
                                   required=False)
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=20, required=False)
    caregivers = forms.IntegerField(label=_("Caregivers"), min_value=1, max_value=20, required=False)

    def __init__(self, *args, institution: Institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["klass"].queryset = institution.classes.filter(closed_on__isnull=True)

    def change(self) -> dict:
        d = self.cleaned_data
        entry = {"action": d["action"]}
        if d["action"] != "add":
            if not d.get("klass"):
                raise forms.ValidationError({"klass": _("Choose the class to change or close.")})
            entry["class_id"] = d["klass"].pk
        if d["action"] != "close":
            for key in ("name", "class_type", "places", "caregivers"):
                if d.get(key) not in (None, ""):
                    entry[key] = d[key]
        return entry


class CancellationForm(forms.Form):
    resettlement_confirmed = forms.BooleanField(
        label=_("I confirm that all enrolled children and all staff have been resettled."), required=False)
    note = forms.CharField(label=_("Note to the reviewer"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=Document.Kind.choices)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
    premises_owned = forms.BooleanField(label=_("The premises are owned (no lease)"), required=False)
    lease_ends_on = DateField(label=_("Lease ends on"), required=False,
                              help_text=_("Premises proof: a lease must run at least 3 more years."))
    rated_pass = forms.TypedChoiceField(
        label=_("Health evaluation rating"), required=False, coerce=lambda v: v == "pass", empty_value=None,
        choices=[("", "—"), ("pass", _("合格 (pass)")), ("fail", _("不合格 (fail)"))],
        help_text=_("Health evaluation report only."))


class ReturnForm(forms.Form):
    """One optional comment per section; at least one is required (checked by the service)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in FilingReturnComment.Section.choices:
            self.fields[f"comment_{value}"] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def comments(self) -> dict[str, str]:
        return {value: self.cleaned_data.get(f"comment_{value}", "")
                for value in FilingReturnComment.Section.values}


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason (made public)"), widget=forms.Textarea(attrs={"rows": 3}))


class BookingForm(forms.Form):
    slot = forms.ModelChoiceField(label=_("Appointment slot"), queryset=AppointmentSlot.objects.none())

    def __init__(self, *args, slots=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = slots if slots is not None else AppointmentSlot.objects.bookable()
        self.fields["slot"].label_from_instance = lambda s: (
            f"{s.date:%Y-%m-%d} {s.start_time:%H:%M}–{s.end_time:%H:%M} · {s.get_purpose_display()} · "
            f"{s.centre.name} ({s.places_left})")


class SlotForm(forms.Form):
    """An appointment slot a city official publishes at one of the city's guidance centres."""

    centre = forms.ModelChoiceField(label=_("Guidance centre"), queryset=GuidanceCentre.objects.none())
    date = DateField(label=_("Date"))
    start_time = TimeField(label=_("Starts"))
    end_time = TimeField(label=_("Ends"))
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=200)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=AppointmentSlot.Purpose.choices)

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The slot must end after it starts."))
        return data
