"""The append-only audit log: who did what to which object, when, with the values before and after.

On PostgreSQL a trigger refuses UPDATE and DELETE on the table (see migration 0002), so the log
cannot be edited through the application or the admin, only read.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from accounts import policies
from portal.querysets import AreaQuerySet

from .actions import action_label
from .events import PREFIX_LENGTHS, feed_index_condition


class AuditEntryQuerySet(AreaQuerySet):
    def for_target(self, target_type: str, target_id) -> "AuditEntryQuerySet":
        return self.filter(target_type=target_type, target_id=str(target_id))

    def visible_to(self, user) -> "AuditEntryQuerySet":
        """Administrators see everything; officials the entries of their area; staff their institution's."""
        if policies.is_linked_staff(user):
            return self.filter(institution_id=user.institution_id)
        return self.in_area_of(user, "region_code")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True,
                                   help_text=_("Kept so the entry still reads right if the user is renamed."))
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("object type"), max_length=64)
    target_id = models.CharField(_("object id"), max_length=64)
    region_code = models.CharField(_("region code"), max_length=9, blank=True)
    institution_id = models.BigIntegerField(_("institution"), null=True, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "at"], name="audit_target_idx"),
            models.Index(fields=["region_code"], name="audit_region_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["institution_id", "at"], name="audit_institution_idx"),
            # The events feed (audit/events.py): public actions only, ordered by id within an area, so
            # that a page of any official's, institution's or administrator's feed is one range scan.
            *[models.Index(Substr("region_code", 1, n), "id", name=f"audit_feed_prefix{n}_idx",
                           condition=feed_index_condition()) for n in PREFIX_LENGTHS],
            models.Index(fields=["region_code", "id"], name="audit_feed_region_idx", condition=feed_index_condition()),
            models.Index(fields=["institution_id", "id"], name="audit_feed_institution_idx",
                         condition=feed_index_condition()),
            models.Index(fields=["id"], name="audit_feed_all_idx", condition=feed_index_condition()),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label or '-'} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise RuntimeError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit entries are append-only.")

    @property
    def action_label(self) -> str:
        """What the action is called on history pages and in the admin (audit.actions)."""
        return action_label(self.action)
