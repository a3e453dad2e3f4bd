from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class YearEndConfig(AppConfig):
    name = "yearend"
    verbose_name = _("Year-end reports and the annual assessment")
