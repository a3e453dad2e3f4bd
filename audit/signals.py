"""Failed logins and refused object access are security events: they go to the audit log."""

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from .services import audit_record


@receiver(user_login_failed)
def record_failed_login(sender, credentials, request=None, **kwargs):
    audit_record(actor=None, action="auth.login_failed", target_type="user",
                 target_id=str(credentials.get("username", ""))[:64])


ADMIN_ACTIONS = {1: "admin.add", 2: "admin.change", 3: "admin.delete"}


def _admin_fields(entry) -> list[str]:
    """The fields an admin change touched, from Django's change message (names only, never values)."""
    import json

    try:
        message = json.loads(entry.change_message or "[]")
    except ValueError:
        return []
    return sorted({field for part in message if isinstance(part, dict)
                   for detail in part.values() if isinstance(detail, dict)
                   for field in detail.get("fields", [])})


def record_admin_action(sender, instance, created, **kwargs):
    """Level-3 controls ask that administrators' actions are audited: every write through the admin site
    (Django's LogEntry, written in the admin's transaction) leaves an audit row with the object's type and
    id and the names of the fields changed — never the object's text, which may name a child."""
    if not created or instance.action_flag not in ADMIN_ACTIONS:
        return
    content_type = instance.content_type
    audit_record(actor=instance.user, action=ADMIN_ACTIONS[instance.action_flag],
                 target_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
                 target_id=str(instance.object_id or "")[:64], after={"fields": _admin_fields(instance)})


def connect_admin_log() -> None:
    from django.contrib.admin.models import LogEntry
    from django.db.models.signals import post_save

    post_save.connect(record_admin_action, sender=LogEntry, dispatch_uid="audit_admin_log")
