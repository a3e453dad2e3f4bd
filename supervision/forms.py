"""Forms of supervision's pages. They validate input; the services decide and write."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from institutions.models import Institution
from portal.forms import DateField
from regions.models import Region

from .models import Checklist, ChecklistItem, Inspection, Inspector, ItemRecord


class ChecklistChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} v{obj.version}"


def latest_checklists():
    return Checklist.objects.latest_versions().order_by("code")


class ChecklistVersionForm(forms.Form):
    """The head of a new checklist version; its items are `ChecklistItemFormSet`."""

    name = forms.CharField(label=_("name"), max_length=200)
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_working_definition = forms.BooleanField(
        label=_("working definition"), required=False,
        help_text=Checklist._meta.get_field("is_working_definition").help_text)


class ChecklistItemForm(forms.ModelForm):
    """One item row; the model's own field rules (lengths, risk choices) give the per-field errors."""

    class Meta:
        model = ChecklistItem
        fields = ["code", "area", "text", "risk", "immediate_risk", "basis"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}
        # "area" alone is a region elsewhere in the portal; here it is the part of the checklist.
        labels = {"area": pgettext_lazy("checklist item", "area")}


class BaseChecklistItemFormSet(forms.BaseFormSet):
    def clean(self):
        # Duplicates are named even beside other rows' errors, so one round of corrections fixes them all.
        seen: dict[str, int] = {}
        kept = 0
        for n, form in enumerate(self.forms, start=1):
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or (form.empty_permitted and not form.has_changed()):
                continue
            kept += 1
            code = data.get("code")
            if code is None:
                continue
            if code in seen:
                form.add_error("code", _("Item %(n)d has this code too.") % {"n": seen[code]})
            seen.setdefault(code, n)
        if not kept:
            raise forms.ValidationError(_("A checklist needs at least one item."))

    def items(self) -> list[dict]:
        """The kept rows in order, in the shape `checklist_create_version` takes."""
        return [{k: v for k, v in form.cleaned_data.items() if k != "DELETE"} for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")]


# Two empty rows for new items; a row left empty is ignored, a row ticked "remove" is left out.
ChecklistItemFormSet = forms.formset_factory(ChecklistItemForm, formset=BaseChecklistItemFormSet, extra=2,
                                             can_delete=True, max_num=200, validate_max=True)


class RoundForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    region = forms.ModelChoiceField(label=_("area"), queryset=Region.objects.none(), to_field_name="code")
    checklist = ChecklistChoice(label=_("checklist"), queryset=Checklist.objects.none())
    share_percent = forms.IntegerField(label=_("share of institutions (%)"), min_value=1, max_value=100, initial=10)
    risk_weighted = forms.BooleanField(label=_("weighted by risk"), required=False,
                                       help_text=_("Past findings, complaints and new filings raise the chance "
                                                   "of being drawn (weights: a working definition)."))
    inspectors_per_inspection = forms.IntegerField(label=_("inspectors per inspection"), min_value=1, max_value=5,
                                                   initial=2)
    due_on = DateField(label=_("inspections due by"))
    seed = forms.IntegerField(label=_("seed"), required=False, min_value=0, max_value=2**63 - 1,
                              help_text=_("Leave empty for a random seed; it is recorded either way."))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["checklist"].queryset = latest_checklists()
        self.fields["due_on"].initial = timezone.localdate() + datetime.timedelta(days=30)


class ItemForm(forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=ItemRecord.Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photo = forms.FileField(label=_("photo"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png",
                                                                   "capture": "environment"}))


class SignOffForm(forms.Form):
    mode = forms.ChoiceField(label=_("mode"), choices=Inspection.Mode.choices)
    summary = forms.CharField(label=_("summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("what was done"), widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=_("evidence (photo or PDF)"), required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept: rectified")), ("reopen", _("Reopen"))],
                                 widget=forms.RadioSelect, label=_("decision"))
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PoolUsersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.region_id})"


class AssignForm(forms.Form):
    inspectors = PoolUsersField(label=_("inspectors"), queryset=User.objects.none(),
                                widget=forms.CheckboxSelectMultiple)
    mode = forms.ChoiceField(label=_("mode"), choices=Inspection.Mode.choices)

    def __init__(self, *args, pool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].queryset = pool


class TargetedForm(forms.Form):
    source = forms.ChoiceField(label=_("reason"), choices=Inspection.Source.choices)
    source_reference = forms.CharField(label=_("reference"), required=False, max_length=40)
    reason = forms.CharField(label=_("reason in words"), widget=forms.Textarea(attrs={"rows": 3}))
    checklist = ChecklistChoice(label=_("checklist"), queryset=Checklist.objects.none())
    inspectors = PoolUsersField(label=_("inspectors"), queryset=User.objects.none(), required=False,
                                widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, pool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checklist"].queryset = latest_checklists()
        self.fields["inspectors"].queryset = pool


class SuspensionNoticeForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ObjectionForm(forms.Form):
    objection = forms.CharField(label=_("objection"), widget=forms.Textarea(attrs={"rows": 3}))


class SuspensionDecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("decision"), widget=forms.RadioSelect,
                                 choices=[("suspend", _("Suspend the institution")),
                                          ("withdraw", _("Withdraw the notice"))])
    note = forms.CharField(label=_("decision note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class OfficialChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.get_full_name() or obj.username} · {obj.region.name}"


class InstitutionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class InspectorForm(forms.Form):
    user = OfficialChoice(label=_("official"), queryset=User.objects.none())
    affiliation = InstitutionChoice(label=_("affiliated institution"), queryset=Institution.objects.none(),
                                    required=False, help_text=Inspector._meta.get_field("affiliation").help_text)

    def __init__(self, *args, officials, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = officials
        self.fields["affiliation"].queryset = institutions
