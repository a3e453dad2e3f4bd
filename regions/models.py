"""The five-level linkage: province → city → county → township, then institutions.

A region's code is its national statistical division code, and a code's prefix is its parent's
code, so "everything under X" is `code__startswith=X.code` — one indexed range scan, no recursion.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import policies
from portal.fields import updated_at_field

from . import codes


class RegionQuerySet(models.QuerySet):
    def under(self, region: Region | str, *, include_self: bool = True) -> RegionQuerySet:
        """All regions whose code starts with the region's code."""
        code = region if isinstance(region, str) else region.code
        qs = self.filter(code__startswith=code)
        return qs if include_self else qs.exclude(code=code)

    def overseen_by(self, user) -> RegionQuerySet:
        """The regions of the user's area: all for an administrator, the official's region and
        everything under it, none for anyone else."""
        area = policies.area_of(user)
        return self.none() if area is None else self.under(area)

    def visible_to(self, user) -> RegionQuerySet:
        """Division codes, names and census populations are public data: everyone may read them.

        What is scoped is the data *about* a region (institutions, filings, dashboards); each of
        those models decides that in its own `visible_to`.
        """
        return self.all()


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County")
        TOWNSHIP = "township", _("Township")

    code = models.CharField(
        _("division code"), max_length=9, primary_key=True,
        help_text=_("National statistical division code: 2 digits for a province, 4 for a city, "
                    "6 for a county, 9 for a township."),
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    updated_at = updated_at_field()

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["updated_at", "code"], name="region_updated_idx"),
            # LIKE 'prefix%' on PostgreSQL needs a pattern-ops index under a non-C collation.
            models.Index(fields=["code"], name="region_code_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["level", "code"], name="region_level_code_idx"),
            models.Index(fields=["name"], name="region_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(level="province", code__regex=r"^\d{2}$", parent__isnull=True)
                    | Q(level="city", code__regex=r"^\d{4}$", parent__isnull=False)
                    | Q(level="county", code__regex=r"^\d{6}$", parent__isnull=False)
                    | Q(level="township", code__regex=r"^\d{9}$", parent__isnull=False)
                ),
                name="region_code_matches_level",
                violation_error_message=_("Division code: the code's length matches the region's level (2 digits for "
                                          "a province, 4 for a city, 6 for a county, 9 for a township) and every "
                                          "region below a province has a parent."),
                violation_error_code="code_level_mismatch",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def gb_code(self) -> str:
        """The six-digit GB/T 2260 form (130000, 130100) of a province, city or county code."""
        return self.code.ljust(6, "0") if codes.level_of(self.code) != codes.TOWNSHIP else self.code

    def ancestors(self) -> list[Region]:
        """Province down to the parent, in one query."""
        return list(Region.objects.filter(code__in=codes.ancestors_of(self.code)).order_by("code"))

    @property
    def is_functional_area(self) -> bool:
        """Development zones and new areas (经济开发区, 新区) have county-level statistical codes whose
        fifth digit is 7; they are not administrative counties (Hebei: 167 counties + 23 such areas)."""
        return self.level == self.Level.COUNTY and self.code[4] == "7"

    def contains(self, code: str) -> bool:
        return code.startswith(self.code)

    def population_on(self, date: datetime.date) -> RegionPopulation | None:
        """The latest figure of a year on or before the date; None means "not provided", never 0."""
        return self.populations.filter(year__lte=date.year).order_by("-year").first()


class RegionPopulation(models.Model):
    """Resident population (常住人口) of a region for a year, with where the figure comes from."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="populations",
                               verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(_("year"))
    resident_population = models.PositiveBigIntegerField(_("resident population"))
    source = models.CharField(_("source"), max_length=200)
    is_synthetic = models.BooleanField(
        _("synthetic demo figure"), default=False,
        help_text=_("Demo figures invented so that maps have colour; never shown as official."),
    )

    class Meta:
        verbose_name = _("resident population")
        verbose_name_plural = _("resident populations")
        ordering = ["region_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="one_population_per_region_year",
                                    violation_error_message=_("Year: this region already has a resident population "
                                                              "for this year."),
                                    violation_error_code="population_year_taken"),
            models.CheckConstraint(condition=Q(resident_population__gt=0), name="population_positive",
                                   violation_error_message=_("Resident population: the resident population is greater "
                                                             "than zero."),
                                   violation_error_code="population_not_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}: {self.resident_population}"
