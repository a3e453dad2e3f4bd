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
