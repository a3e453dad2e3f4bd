from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from institutions.models import InstitutionClass
from portal.forms import DateField

from .models import CareForm, Child, ConsentMethod, Guardian, GuardianRequest, LeavingReason, Sex


def _classes(institution):
    return InstitutionClass.objects.filter(institution=institution, closed_on__isnull=True).order_by(
        "class_type", "name")


class _ClassChoice:
    """The form's `klass` offers the institution's open classes (the form takes `institution=`)."""

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["klass"].queryset = _classes(institution)


class EnrolForm(_ClassChoice, forms.Form):
    name = forms.CharField(label=_("Child's name"), max_length=100)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    date_of_birth = DateField(label=_("Date of birth"))
    document_type = forms.ChoiceField(label=_("Document type"), choices=Child.DocumentType.choices)
    document_number = forms.CharField(label=_("Document number"), max_length=30,
                                      help_text=_("Stored encrypted; lists show it masked."))
    guardian_name = forms.CharField(label=_("Guardian's name"), max_length=100)
    guardian_relation = forms.ChoiceField(label=_("Relation"), choices=Guardian.Relation.choices)
    guardian_phone = forms.CharField(label=_("Guardian's phone"), max_length=20)
    consent_method = forms.ChoiceField(
        label=_("Guardian's consent"), choices=[("", _("— not yet given —")), *ConsentMethod.choices],
        help_text=_("The guardian above consents to the institution keeping this child's data; without consent "
                    "nothing is kept."))
    consent_given_on = DateField(label=_("Consent date"))
    klass = forms.ModelChoiceField(label=_("Class"), queryset=InstitutionClass.objects.none())
    care_form = forms.ChoiceField(label=_("Care form"), choices=CareForm.choices)
    start_date = DateField(label=_("Start date"), help_text=_("At most 60 days ahead."))

    def consent(self) -> dict:
        data = self.cleaned_data
        return {"method": data["consent_method"], "given_on": data["consent_given_on"],
                "guardian_name": data["guardian_name"], "guardian_relation": data["guardian_relation"]}


class ConsentForm(forms.Form):
    """Consent for a child kept before consent was recorded."""

    guardian = forms.ModelChoiceField(label=_("Consenting guardian"), queryset=Guardian.objects.none())
    consent_method = forms.ChoiceField(label=_("Guardian's consent"), choices=ConsentMethod.choices)
    consent_given_on = DateField(label=_("Consent date"))

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardian"].queryset = child.guardians.all()

    def consent(self) -> dict:
        data = self.cleaned_data
        return {"method": data["consent_method"], "given_on": data["consent_given_on"],
                "guardian_name": data["guardian"].name, "guardian_relation": data["guardian"].relation}


class MoveForm(_ClassChoice, forms.Form):
    klass = forms.ModelChoiceField(label=_("New class"), queryset=InstitutionClass.objects.none())
    on = DateField(label=_("From"))


class WithdrawForm(forms.Form):
    end_date = DateField(label=_("Leaving date"), help_text=_("The first day the child no longer attends."))
    reason = forms.ChoiceField(label=_("Reason for leaving"),
                               choices=[c for c in LeavingReason.choices if c[0] != LeavingReason.CLASS_CHANGE])
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ImportForm(_ClassChoice, forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    klass = forms.ModelChoiceField(
        label=_("Class (for a class list)"), queryset=InstitutionClass.objects.none(), required=False,
        help_text=_("Rows with an empty class column go into this class. Leave empty for a whole-institution "
                    "list with a class on every row."))

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(_("The file is larger than %(mb)d MB.") % {"mb": self.max_bytes // 2**20})
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


class EnrolExistingForm(_ClassChoice, forms.Form):
    """Enrols a child already recorded here (for example, back after leaving)."""

    klass = forms.ModelChoiceField(label=_("Class"), queryset=InstitutionClass.objects.none())
    care_form = forms.ChoiceField(label=_("Care form"), choices=CareForm.choices)
    start_date = DateField(label=_("Start date"), help_text=_("At most 60 days ahead."))


class ExportForm(forms.Form):
    purpose = forms.CharField(label=_("Purpose of the download"), max_length=200,
                              help_text=_("Recorded with the download and printed on the file."))
    format = forms.ChoiceField(label=_("Format"), choices=[("xlsx", "XLSX"), ("csv", "CSV")])


class GuardianRequestForm(forms.Form):
    child = forms.ModelChoiceField(label=_("Child"), queryset=Child.objects.none())
    kind = forms.ChoiceField(label=_("Request"), choices=GuardianRequest.Kind.choices)
    requested_on = DateField(label=_("Received on"))
    requester_name = forms.CharField(label=_("Guardian's name"), max_length=100)
    requester_relation = forms.ChoiceField(label=_("Relation"), choices=Guardian.Relation.choices)
    details = forms.CharField(label=_("What is asked"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = Child.objects.filter(institution=institution, erased_at__isnull=True)


class GuardianRequestAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer given to the guardian"), widget=forms.Textarea(attrs={"rows": 3}))
    name = forms.CharField(label=_("Corrected name"), max_length=100, required=False)
    sex = forms.ChoiceField(label=_("Corrected sex"), choices=[("", "—"), *Sex.choices], required=False)
    date_of_birth = DateField(label=_("Corrected date of birth"), required=False)

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        if kind != GuardianRequest.Kind.CORRECTION:
            for name in ("name", "sex", "date_of_birth"):
                del self.fields[name]
