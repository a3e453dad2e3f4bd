"""Querysets that mean the same in every app."""

from __future__ import annotations

from django.db import models

from accounts import policies


class AreaQuerySet(models.QuerySet):
    """Rows that lie in a region (a region-code field): "the user's area" filters them one way, here."""

    def in_area_of(self, user, field: str = "region__code") -> AreaQuerySet:
        """Rows whose `field` is in the user's area (`policies.area_of`): all for an administrator, the
        official's region and everything under it, none for anyone else."""
        area = policies.area_of(user)
        if area is None:
            return self.none()
        # No prefix filter for the whole country: `LIKE '%'` would cost a scan and drop null codes.
        return self.filter(**{f"{field}__startswith": area}) if area else self.all()
