"""Forms of a mentoring pair's page: a visit (the mentor's staff), a goal and the close (the officials)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import DateField

from .models import Goal, Outcome


class VisitForm(forms.Form):
    visited_on = DateField(label=_("Visited on"))
    visitors = forms.CharField(label=_("Who visited"), max_length=200,
                               help_text=_("Names and roles of your staff who went, e.g. 王丽（保健员）."))
    notes = forms.CharField(label=_("What was done"), required=False, max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    changes = forms.CharField(label=_("What changed since the last visit"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()


class GoalForm(forms.Form):
    text = forms.CharField(label=_("Goal"), max_length=300,
                           help_text=_("What the mentee should reach, e.g. 建立晨午检制度并执行."))


class CloseForm(forms.Form):
    ended_on = DateField(label=_("Ended on"))
    result = forms.ChoiceField(label=_("Outcome"), choices=Outcome.Result.choices, widget=forms.RadioSelect)
    summary = forms.CharField(label=_("Summary"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    reached_goals = forms.ModelMultipleChoiceField(label=_("Goals reached"), required=False,
                                                   queryset=Goal.objects.none(),
                                                   widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, pair, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()
        self.fields["reached_goals"].queryset = pair.goals.order_by("pk")
        self.fields["reached_goals"].initial = [g.pk for g in pair.goals.all() if g.reached]
        self.fields["reached_goals"].label_from_instance = lambda g: g.text
