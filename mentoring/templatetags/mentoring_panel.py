"""The officials' dashboard panel of mentoring pairs and 医育结合 institutions: `{% mentoring_panel area snapshot %}`.

One statement for every region of the area (`mentoring.selectors.region_figures`), on the snapshot's day
(today when no snapshot is shown). Kept in its own tag and template so the dashboard view needs no change.
"""

from django import template
from django.utils import timezone

from ..selectors import region_figures

register = template.Library()


@register.inclusion_tag("mentoring/_dashboard_panel.html", takes_context=True)
def mentoring_panel(context, area, snapshot=None):
    on = snapshot.date if snapshot is not None else timezone.localdate()
    figures = region_figures(area_code=area.code, on=on)
    return {"area": area, "on": on, "rows": figures["rows"], "total": figures["total"],
            "date_q": context.get("date_q", ""), "request": context.get("request")}
