"""Training panels other pages include: the dashboard's area panel and the institution's own panel."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils import timezone

from regions.models import Region

from .. import selectors

register = template.Library()


def _definitions() -> dict:
    return {"valid_years": settings.TRAINING_CERTIFICATE_VALID_YEARS,
            "expiring_days": settings.TRAINING_EXPIRING_WITHIN_DAYS}


@register.inclusion_tag("training/_dashboard_panel.html")
def training_dashboard_panel(region, child_rows=None):
    """Trained caregivers of the dashboard's region and of its child regions (the dashboard's own rows, which
    carry their regions' names): one query."""
    today = timezone.localdate()
    names = {region.code: region.name}
    for row in child_rows or []:
        names[row.region_id] = row.region.name
    if child_rows is None:
        names.update(Region.objects.filter(parent_id=region.code).values_list("code", "name"))
    figures = selectors.region_figures(codes=list(names), on=today, names=names)
    return {"total": figures[0], "children": figures[1:], "today": today, "region_code": region.code}


@register.inclusion_tag("training/_institution_panel.html", takes_context=True)
def training_institution_panel(context, institution):
    """The institution's trained caregivers and its certificates expiring soon, for its own staff."""
    today = timezone.localdate()
    return {"figure": selectors.institution_figure(institution, today),
            "expiring": list(selectors.expiring_certificates(institution_id=institution.pk, on=today)[:50]),
            "show_link": True, "user": context.get("user"), **_definitions()}
