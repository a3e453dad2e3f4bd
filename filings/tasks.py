"""Thin Celery wrappers around filing side effects. They take ids and are safe to repeat."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


@shared_task(acks_late=True, max_retries=3, default_retry_delay=60)
def send_filing_notifications(*, notification_ids: list[int]) -> int:
    """E-mails each notification to its user (those with an address). Returns the number sent.

    Idempotent enough for a retry: notifications already gone are skipped; a repeat may send a
    second copy of the same message, never a wrong one.
    """
    from .models import Notification

    sent = 0
    notifications = Notification.objects.filter(pk__in=notification_ids).select_related("user", "filing__institution")
    with translation.override(settings.LANGUAGE_CODE):
        for n in notifications:
            if not n.user.email:
                continue
            subject = f"{n.get_event_display()} · {n.filing.institution.name}"
            body = "\n\n".join(filter(None, [
                str(n.get_event_display()), n.message,
                _("See the filing: %(path)s") % {"path": reverse("filings:detail", args=[n.filing_id])},
            ]))
            send_mail(subject, body, None, [n.user.email], fail_silently=False)
            sent += 1
    return sent
