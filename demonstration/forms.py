"""Forms of demonstration-city creation pages: each feeds one service call."""

from __future__ import annotations

from decimal import Decimal

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


class StandardVersionForm(forms.Form):
    """The head of a new version of the creation standard; its criteria are `CriterionRowFormSet`."""

    name = forms.CharField(label=_("name"), max_length=200)
    edition = forms.CharField(label=_("edition"), max_length=100, required=False)
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    met_percent = forms.IntegerField(label=_("criterion met from (per cent of its points)"), min_value=1,
                                     max_value=100)
    is_working_definition = forms.BooleanField(label=_("working definition"), required=False)


class CriterionRowForm(forms.Form):
    group = forms.CharField(widget=forms.HiddenInput, max_length=20)
    code = forms.CharField(label=_("code"), max_length=20)
    text = forms.CharField(label=_("criterion"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    max_points = forms.DecimalField(label=_("maximum points"), min_value=Decimal("0.1"), max_digits=5,
                                    decimal_places=1)
    evidence_required = forms.CharField(label=_("evidence asked for"), max_length=300)


class BaseCriterionRowFormSet(forms.BaseFormSet):
    def kept(self) -> list[dict]:
        return [form.cleaned_data for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")]

    def clean(self):
        if any(self.errors):
            return
        if not self.kept():
            raise forms.ValidationError(_("A standard needs at least one criterion."))


# The latest version's criteria, each editable or removable; new criteria are added through the API.
CriterionRowFormSet = forms.formset_factory(CriterionRowForm, formset=BaseCriterionRowFormSet, extra=0,
                                            can_delete=True, max_num=200, validate_max=True)
