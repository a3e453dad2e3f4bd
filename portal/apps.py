from django.apps import AppConfig
from django.db.backends.signals import connection_created


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Tuoyu"

    def ready(self):
        from portal.api import cache
        from portal.third_party_names import name_third_party_models

        name_third_party_models()

        # Every connection reports its writes, so cached API reads are dropped when their data changes.
        connection_created.connect(cache.install, dispatch_uid="portal.api.cache.install")
        # The application role (DATABASE_APP_ROLE) gets its privileges on every table after each migrate.
        from django.db.models.signals import post_migrate

        from portal.roles import grant_after_migrate

        post_migrate.connect(grant_after_migrate, sender=self, dispatch_uid="portal.roles.grant_after_migrate")
