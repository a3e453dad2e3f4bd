from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .services import FIRST_YEAR, MAX_POPULATION
from .uploads import MAX_UPLOAD_BYTES


class PopulationForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR)
    resident_population = forms.IntegerField(label=_("Resident population"), min_value=1, max_value=MAX_POPULATION)
    source = forms.CharField(label=_("Source"), max_length=200,
                             help_text=_("Where the figure comes from, for example the census communiqué or the "
                                         "statistical yearbook."))


class PopulationUploadForm(forms.Form):
    file = forms.FileField(label=_("Table (CSV or XLSX)"))
    dry_run = forms.BooleanField(label=_("Only check the table; save nothing"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per request, in the user's language (a module-level `%` would fix one language).
        self.fields["file"].help_text = gettext(
            "Columns code, resident_population, year and source, with a header row (区划代码, 常住人口, 年份, 来源 "
            "work too). At most %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
