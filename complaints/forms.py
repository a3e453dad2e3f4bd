from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Complaint


class ComplaintForm(forms.Form):
    category = forms.ChoiceField(label=_("What it is about"), choices=Complaint.Category.choices)
    description = forms.CharField(label=_("What happened"), max_length=2000, widget=forms.Textarea(attrs={"rows": 6}),
                                  help_text=_("When and what you saw. Do not write children's identity numbers."))
    name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Your phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("Your email"), required=False,
                             help_text=_("Optional. Only the county health commission handling the complaint sees "
                                         "how to reach you."))
    # A field people never see (hidden by the stylesheet, skipped by screen readers): robots fill it in.
    website = forms.CharField(label=_("Leave this empty"), required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))

    def is_robot(self) -> bool:
        return bool(self.data.get("website"))


class LookupForm(forms.Form):
    reference = forms.CharField(label=_("Reference number"), max_length=20)
    token = forms.CharField(label=_("Secret code"), max_length=20)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}),
                             help_text=_("The complainant reads this on the lookup page; write no personal data."))


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All")), *Complaint.Status.choices])
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
