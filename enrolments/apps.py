from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrolmentsConfig(AppConfig):
    name = "enrolments"
    verbose_name = _("Enrolment records")

    def ready(self):
        from portal.runs import register_sweeper

        from .tasks import import_sweep

        register_sweeper(import_sweep)
