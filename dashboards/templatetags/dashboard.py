"""Display filters for dashboard figures; rounding happens only here (and in exports)."""

from django import template

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


@register.filter
def cell(value, column):
    return tables.fmt(value, column.kind)


@register.filter
def sort_value(value):
    """The value a sortable column sorts by: numbers as they are, blanks last."""
    return "" if value is None else value


@register.simple_tag
def bar_width(rate_value, target):
    return tables.rate_bar(rate_value, target)
