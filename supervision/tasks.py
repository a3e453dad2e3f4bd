"""Thin Celery wrappers around supervision's services. They take ids and are safe to repeat."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _


@shared_task(acks_late=True)
def rectifications_escalate() -> int:
    """Daily (beat): escalates rectification orders past their deadline. Safe to repeat."""
    from .services import rectifications_escalate_overdue

    return rectifications_escalate_overdue()


@shared_task(acks_late=True, max_retries=3, default_retry_delay=60)
def send_escalation_notice(*, order_id: int) -> int:
    """E-mails the county's officials that an order is overdue. Returns the number of messages sent; an order
    gone meanwhile sends nothing. A repeat may send a second copy, never a wrong one."""
    from accounts.models import User

    from .models import RectificationOrder

    order = RectificationOrder.objects.select_related("inspection__institution").filter(pk=order_id).first()
    if order is None:
        return 0
    institution = order.inspection.institution
    recipients = list(User.objects.filter(role=User.Role.OFFICIAL, region_id=institution.county_code,
                                          is_active=True).exclude(email="").values_list("email", flat=True))
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Rectification overdue · %(name)s") % {"name": institution.name}
        body = _("The rectification order of %(name)s was due on %(date)s and is not rectified.") % {
            "name": institution.name, "date": order.due_on}
        send_mail(subject, body, None, recipients, fail_silently=False)
    return len(recipients)
