from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import DateField


class RecomputeForm(forms.Form):
    date = DateField(label=_("Snapshot date"),
                     help_text=_("The figures are recomputed as they stood at the end of this day."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        self.fields["date"].widget.attrs["max"] = timezone.localdate()
