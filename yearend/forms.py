"""Forms of year-end reporting. The report's form is built from its template's fields (the form is data); the
services check the values again and decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import YearEndField, YearEndTemplate


class ReportValuesForm(forms.Form):
    """One input per field of the template, in its order. Nothing is required on the page: a draft may be
    saved half filled in; submitting checks the required fields (the service says which are missing)."""

    def __init__(self, *args, template: YearEndTemplate, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections: list[tuple[str, list[str]]] = []
        for f in template.fields.all():
            help_text = f.help_text
            if f.required:
                help_text = (f"{help_text} · " if help_text else "") + str(_("required to submit"))
            if f.kind == YearEndField.Kind.INTEGER:
                field = forms.IntegerField(min_value=0, max_value=10**9, required=False)
                field.widget.attrs["inputmode"] = "numeric"
            elif f.kind == YearEndField.Kind.DECIMAL:
                field = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2, required=False)
                field.widget.attrs["inputmode"] = "decimal"
            else:
                field = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
            field.label = f.label
            field.help_text = help_text
            self.fields[f.code] = field
            if self.sections and self.sections[-1][0] == f.section:
                self.sections[-1][1].append(f.code)
            else:
                self.sections.append((f.section, [f.code]))

    def grouped(self):
        """[(section, [bound field, ...])] for the page's fieldsets."""
        return [(section, [self[c] for c in names]) for section, names in self.sections]

    def values(self) -> dict:
        return {k: ("" if v is None else str(v)) for k, v in self.cleaned_data.items()}


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("what to correct"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, required=False)
