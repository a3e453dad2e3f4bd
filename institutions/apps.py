from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "institutions"
    verbose_name = _("Institution registry")

    def ready(self):
        from portal.runs import register_sweeper

        from .onboarding import onboarding_sweep

        register_sweeper(onboarding_sweep)
