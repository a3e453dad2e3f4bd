"""Display filters for dashboard figures; rounding happens only here (and in exports)."""

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .. import tables

register = template.Library()


@register.filter
def num(value):
    return tables.fmt(value, tables.INT)


@register.filter
def signed(value):
    return tables.fmt(value, tables.SIGNED)


@register.filter
def rate(value):
    return tables.fmt(value, tables.RATE)


@register.filter
def pct(ratio):
    """A stored ratio (0.523) shown as 52.3%."""
    return tables.fmt(tables.percent(ratio), tables.PCT)


@register.simple_tag
def bar_width(rate_value, target):
    return tables.rate_bar(rate_value, target)


NOT_PROVIDED_KEYS = {"places_per_1000", "resident_population", "target_gap"}


@register.simple_tag
def table_body(table, links=False, bars=False, target=None, date_q="", total_code=None):
    """The <tbody> rows of a dashboard table, built in Python: the same markup a template loop would make,
    at a fraction of the cost (a province page has several hundred cells)."""
    # The message ids stand outside the f-strings: makemessages cannot see a gettext call inside one.
    not_provided_label, no_rows_label = _("not provided"), _("No rows.")
    not_provided = f'<span class="muted not-provided">{escape(not_provided_label)}</span>'
    area_url = reverse("dashboards:area")  # "/dashboards/"; a region's page is area_url + code + "/"
    out = []
    for code, cells in table.records():
        total = ' data-total="1" class="total-row"' if code == total_code else ""
        parts = [f'<tr data-code="{escape(code)}"{total}>']
        for cell in cells:
            key = cell.column.key
            if key == "region":
                text = escape(cell.text)
                inner = f'<a href="{area_url}{escape(code)}/{escape(date_q)}">{text}</a>' if links and code else text
                parts.append(f'<th scope="row" data-sort="{text}">{inner}</th>')
            elif cell.value is None:
                parts.append(f'<td class="num" data-sort="" data-key="{key}">'
                             f'{not_provided if key in NOT_PROVIDED_KEYS and code else "—"}</td>')
            else:
                css = ' class="num"' if cell.column.numeric else ""
                parts.append(f'<td{css} data-sort="{escape(cell.sort)}" data-key="{key}">{escape(cell.text)}</td>')
            if bars and key == "places_per_1000":
                bar = ""
                if cell.value is not None:
                    width = tables.rate_bar(cell.value, target)
                    bar = (f'<div class="bar" role="img" aria-label="{width}%">'
                           f'<span style="width: {width}%"></span></div>')
                parts.append(f'<td class="bar-cell">{bar}</td>')
        parts.append("</tr>")
        out.append("".join(parts))
    if not out:
        out.append(f'<tr><td colspan="{len(table.columns)}" class="muted">{escape(no_rows_label)}</td></tr>')
    return mark_safe("\n".join(out))  # noqa: S308 — every value above is escaped
