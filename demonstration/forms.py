"""Forms of demonstration-city creation pages: each feeds one service call."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("evidence file"), help_text=_("PDF, JPEG or PNG."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("city's note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("What the evidence shows, for the province's reviewers."))


class ScoreForm(forms.Form):
    points = forms.DecimalField(label=_("score"), min_value=0, max_digits=5, decimal_places=1)
    comment = forms.CharField(label=_("province's comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, max_points=None, **kwargs):
        super().__init__(*args, **kwargs)
        if max_points is not None:
            self.fields["points"].max_value = max_points
            self.fields["points"].widget.attrs.update({"max": str(max_points), "step": "0.1", "min": "0"})
            self.fields["points"].help_text = _("0 to %(max)s points.") % {"max": max_points}


class SubmitForm(forms.Form):
    note = forms.CharField(label=_("note to the province"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("what evidence is missing"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))
