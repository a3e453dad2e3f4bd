"""Failed logins and refused object access are security events: they go to the audit log."""

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from .services import audit_record


@receiver(user_login_failed)
def record_failed_login(sender, credentials, request=None, **kwargs):
    audit_record(actor=None, action="auth.login_failed", target_type="user",
                 target_id=str(credentials.get("username", ""))[:64])
