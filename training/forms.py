"""Forms of the training pages: a course (city officials), a registration (institution staff), attendance."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from institutions.models import GuidanceCentre, StaffMember
from portal.forms import DateField

from .models import Course


class CourseForm(forms.Form):
    """A course a city official publishes at one of the city's guidance centres."""

    centre = forms.ModelChoiceField(label=_("Guidance centre"), queryset=GuidanceCentre.objects.none())
    kind = forms.ChoiceField(label=_("Kind of training"), choices=Course.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_on = DateField(label=_("Starts on"))
    ends_on = DateField(label=_("Ends on"))
    hours = forms.IntegerField(label=_("Hours"), min_value=1, max_value=500)
    capacity = forms.IntegerField(label=pgettext_lazy("training", "Places"), min_value=1, max_value=500)

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres
        only = list(centres[:2])
        if len(only) == 1:
            self.fields["centre"].initial = only[0].pk


class RegistrationForm(forms.Form):
    staff_member = forms.ModelChoiceField(label=_("Staff member"), queryset=StaffMember.objects.none(),
                                          help_text=_("Your institution's staff who are not registered yet."))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_member"].queryset = members
        self.fields["staff_member"].label_from_instance = lambda m: f"{m.name}（{m.get_role_display()}）"


class AttendanceForm(forms.Form):
    attended = forms.TypedChoiceField(label=_("Attendance"), coerce=lambda v: v == "yes",
                                      choices=[("yes", _("Attended")), ("no", _("Absent"))])
    hours = forms.IntegerField(label=_("Hours attended"), min_value=1, max_value=500, required=False)
