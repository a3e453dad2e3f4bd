from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        from django.contrib import admin

        from . import signals
        from .admin import audited_delete_selected

        signals.connect_admin_log()
        # Replaces Django's site-wide action of the same name, whose bulk deletions escape the audit.
        admin.site.add_action(audited_delete_selected, "delete_selected")
