"""Notifications of the institution's staff (about their filings, and supervision after filing), and the e-mail
sent for them on commit."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from portal.dispatch import dispatch_on_commit

from ..models import Filing, Notification
from ..tasks import send_filing_notifications


def notify_staff(filing: Filing, event: str, message: str = "") -> None:
    """A notification for each active staff account of the filing's institution; the e-mail goes on commit."""
    notify_institution_staff(institution_id=filing.institution_id, event=event, message=message, filing=filing)


def notify_institution_staff(*, institution_id: int, event: str, message: str = "", filing: Filing | None = None,
                             link: str = "") -> list[int]:
    """A notification for each active staff account of the institution, written in the caller's transaction;
    the e-mail is an outbox row in the same transaction, so a rollback takes both away. Returns the ids."""
    recipients = User.objects.filter(institution_id=institution_id, role=User.Role.INSTITUTION_STAFF,
                                     is_active=True)
    created = Notification.objects.bulk_create(
        [Notification(user=u, institution_id=institution_id, filing=filing, link=link, event=event,
                      message=message) for u in recipients])
    ids = [n.pk for n in created if n.pk]
    if not ids and created:  # backends that do not return primary keys from bulk_create
        ids = list(Notification.objects.filter(institution_id=institution_id, event=event, read_at__isnull=True)
                   .values_list("pk", flat=True))
    if ids:
        dispatch_on_commit(send_filing_notifications, notification_ids=ids)
    return ids


@transaction.atomic
def notification_mark_read(*, notification: Notification, actor) -> Notification:
    """Marks one of the actor's notifications read. A repeat changes nothing (no audit: not a record change)."""
    if notification.user_id != actor.pk:
        raise PermissionDenied
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    notification.refresh_from_db()
    return notification
