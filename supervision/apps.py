from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision after filing")

    def ready(self):
        from . import receivers  # noqa: F401 — opens a verification when filings sends filing_approved
