from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = _("Capacity metrics and rankings")

    def ready(self):
        from portal.runs import register_sweeper

        from . import receivers  # noqa: F401 — connects the recompute to institutions.signals.figures_changed
        from .retention import snapshot_prune
        from .tasks import snapshot_sweep

        register_sweeper(snapshot_sweep)
        register_sweeper(snapshot_prune)
