"""The register's disclosure of inspections (一公开), as a tag the institutions app's public page loads,
so the registry does not import supervision."""

from __future__ import annotations

from django import template

from ..selectors import public_inspections

register = template.Library()


@register.inclusion_tag("supervision/_disclosure.html")
def inspection_disclosure(institution) -> dict:
    """The last five years of an institution's signed-off inspections: no person, no photo. Two queries."""
    return public_inspections(institution)
