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
    notifications = Notification.objects.filter(pk__in=notification_ids).select_related(
        "user", "institution", "filing__institution")
    with translation.override(settings.LANGUAGE_CODE):
        for n in notifications:
            if not n.user.email:
                continue
            institution = n.filing.institution if n.filing_id else n.institution
            subject = f"{n.get_event_display()} · {institution.name}" if institution else str(n.get_event_display())
            see = (_("See the filing: %(path)s") % {"path": reverse("filings:detail", args=[n.filing_id])}
                   if n.filing_id else _("See: %(path)s") % {"path": n.link} if n.link else "")
            body = "\n\n".join(filter(None, [str(n.get_event_display()), n.message, see]))
            send_mail(subject, body, None, [n.user.email], fail_silently=False)
            sent += 1
    return sent
