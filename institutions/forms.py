"""Forms of the registry pages. They validate; the services write (views pass `cleaned_data` on)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import DateField, ModelForm
from regions.models import Region

from .models import GuidanceCentre, Institution, InstitutionClass, StaffCertificate, StaffMember
from .services import CLASS_FIELDS, DRAFT_FIELDS, STAFF_FIELDS


class RegionCodeField(forms.ModelChoiceField):
    """A county or township chosen by its division code (a select of 2,000+ townships helps no one)."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Region.objects.filter(level__in=[Region.Level.COUNTY, Region.Level.TOWNSHIP]),
            widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 9, "autocomplete": "off"}),
            error_messages={"invalid_choice": _("No county or township has this division code.")},
            **kwargs,
        )


class InstitutionForm(ModelForm):
    """Registration and draft edits: every particular except status, dates and filing number."""

    region = RegionCodeField(
        label=_("county or township (division code)"),
        help_text=_("6 digits for a county, 9 for a township, e.g. 130102 or 130102001."))

    class Meta(ModelForm.Meta):
        model = Institution
        fields = list(DRAFT_FIELDS)
        widgets = {"address": forms.TextInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["name", "credit_code", "legal_form", "setting_type", "region", "address",
                           "full_day", "half_day", "hourly", "temporary", "legal_representative",
                           "legal_representative_phone", "person_in_charge", "person_in_charge_phone",
                           "meals_served", "medical_integration", "is_inclusive", "inclusive_price"])


class InstitutionClassForm(ModelForm):
    """A class's caps and ratios are checked by the model's clean() with the class and rule named."""

    class Meta(ModelForm.Meta):
        model = InstitutionClass
        fields = CLASS_FIELDS

    def __init__(self, *args, institution: Institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.institution = institution


class StaffMemberForm(ModelForm):
    identity_number = forms.CharField(
        label=_("resident identity number"), max_length=18, required=False,
        help_text=_("Kept only as a code that finds the same person at another institution; the number itself "
                    "is not stored."))

    class Meta(ModelForm.Meta):
        model = StaffMember
        fields = STAFF_FIELDS

    def __init__(self, *args, institution: Institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.institution = institution
        if self.instance.identity_masked:
            self.fields["identity_number"].help_text = _("Recorded: %(masked)s. Leave empty to keep it.") % {
                "masked": self.instance.identity_masked}


class StaffCertificateForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = StaffCertificate
        fields = ["kind", "number", "issued_on", "expires_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Training certificates are issued by the guidance centre that ran the course, not typed in here.
        self.fields["kind"].choices = [c for c in self.fields["kind"].choices
                                       if c[0] in StaffCertificate.KEPT_BY_INSTITUTION]


SERVICE_FORM_CHOICES = [
    ("", _("any service form")),
    ("full_day", _("full-day")),
    ("half_day", _("half-day")),
    ("hourly", _("hourly")),
    ("temporary", _("temporary")),
]
INCLUSIVE_CHOICES = [("", _("inclusive or not")), ("yes", _("inclusive (普惠)")), ("no", _("not inclusive"))]


class RegisterFilterForm(forms.Form):
    """Filters shared by the official list and the public register (all optional, GET)."""

    region = forms.CharField(label=_("region"), required=False, max_length=9)
    code = forms.CharField(label=_("or a division code"), required=False, max_length=9,
                           help_text=_("Any province, city, county or township code, e.g. 130102001."))
    q = forms.CharField(label=_("name"), required=False, max_length=100)
    setting_type = forms.ChoiceField(label=_("setting type"), required=False,
                                     choices=[("", _("any setting type")), *Institution.SettingType.choices])
    service_form = forms.ChoiceField(label=_("service form"), required=False, choices=SERVICE_FORM_CHOICES)
    inclusive = forms.ChoiceField(label=_("inclusive"), required=False, choices=INCLUSIVE_CHOICES)

    def _clean_code(self, name):
        code = self.cleaned_data[name].strip()
        if code and not code.isdigit():
            raise forms.ValidationError(_("A division code has digits only."))
        return code

    def clean_region(self):
        return self._clean_code("region")

    def clean_code(self):
        return self._clean_code("code")

    def region_code(self) -> str:
        """The typed code wins over the select."""
        if not self.is_valid():
            return ""
        return self.cleaned_data.get("code") or self.cleaned_data.get("region") or ""

    def apply(self, queryset):
        """Filters a queryset of institutions; invalid filters are ignored (the form shows why)."""
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if self.region_code():
            queryset = queryset.under(self.region_code())
        if data.get("q"):
            queryset = queryset.filter(name__icontains=data["q"].strip())
        if data.get("setting_type"):
            queryset = queryset.filter(setting_type=data["setting_type"])
        if data.get("service_form"):
            queryset = queryset.filter(**{data["service_form"]: True})
        if data.get("inclusive") == "yes":
            queryset = queryset.filter(is_inclusive=True)
        elif data.get("inclusive") == "no":
            queryset = queryset.filter(is_inclusive=False)
        return queryset


class OfficialFilterForm(RegisterFilterForm):
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=[("", _("any status")), *Institution.Status.choices])

    def apply(self, queryset):
        queryset = super().apply(queryset)
        if self.is_valid() and self.cleaned_data.get("status"):
            queryset = queryset.filter(status=self.cleaned_data["status"])
        return queryset


class MentoringPairForm(forms.Form):
    mentor = forms.ModelChoiceField(label=_("Mentor (experienced institution)"), queryset=Institution.objects.none())
    mentee = forms.ModelChoiceField(label=_("Mentee (institution to support)"), queryset=Institution.objects.none())
    started_on = DateField(label=_("Started on"))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("mentor", "mentee"):
            self.fields[name].queryset = institutions
            self.fields[name].label_from_instance = lambda i: f"{i.name}（{i.region.name}）"
        self.fields["started_on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        if data.get("mentor") and data.get("mentor") == data.get("mentee"):
            self.add_error("mentee", _("An institution cannot mentor itself."))
        return data


class SuspendForm(forms.Form):
    suspended_on = DateField(label=_("Suspended from"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suspended_on"].initial = timezone.localdate()


class GuidanceCentreForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = GuidanceCentre
        fields = ["city", "name", "host", "address", "phone"]

    def __init__(self, *args, cities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = cities
