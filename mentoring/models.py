"""What a mentoring pair (帮扶结对, `institutions.MentoringPair`) works towards and how it went: the goals the
area's officials set, the visits the mentor institution's staff record, and the outcome at its end.

The pair itself, with its start and end dates, stays in the registry (supervision reads it to keep an
inspector away from an institution's partners); this app holds what the pair does. A pair has ended when
its `ended_on` is set, which `mentoring.services.pair_close` does together with writing its outcome.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from institutions.models import MentoringPair

MAX_GOALS = 8


class PairScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """As the pair: both institutions' staff, the officials of either institution's area, administrators."""
        return self.filter(pair__in=MentoringPair.objects.visible_to(user))


class Goal(models.Model):
    """One thing the mentee should reach with the mentor's help (set by the area's officials)."""

    pair = models.ForeignKey(MentoringPair, on_delete=models.CASCADE, related_name="goals",
                             verbose_name=_("mentoring pair"))
    text = models.CharField(_("goal"), max_length=300)
    reached = models.BooleanField(_("reached"), default=False)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               null=True, blank=True, verbose_name=_("set by"))
    created_at = models.DateTimeField(_("set at"), auto_now_add=True)

    objects = PairScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentoring goal")
        verbose_name_plural = _("mentoring goals")
        ordering = ["pair", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(text__regex=r"\S"), name="mentoring_goal_has_text",
                                   violation_error_message=_("Goal: say what the mentee should reach."),
                                   violation_error_code="goal_empty"),
        ]
        indexes = [models.Index(fields=["pair", "reached"], name="mentoring_goal_pair_idx")]

    def __str__(self) -> str:
        return self.text


class Visit(models.Model):
    """A visit of the mentor institution to the mentee (入园指导), recorded by the mentor's staff."""

    pair = models.ForeignKey(MentoringPair, on_delete=models.CASCADE, related_name="visits",
                             verbose_name=_("mentoring pair"))
    visited_on = models.DateField(_("visited on"))
    visitors = models.CharField(_("who visited"), max_length=200,
                                help_text=_("Names and roles of the mentor's staff who went."))
    notes = models.TextField(_("what was done"), max_length=4000, blank=True)
    changes = models.TextField(_("what changed since the last visit"), max_length=4000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True, verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = PairScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentoring visit")
        verbose_name_plural = _("mentoring visits")
        ordering = ["-visited_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(visitors__regex=r"\S"), name="mentoring_visit_has_visitors",
                                   violation_error_message=_("Who visited: name the staff who went."),
                                   violation_error_code="visit_no_visitors"),
        ]
        indexes = [
            models.Index(fields=["pair", "visited_on"], name="mentoring_visit_pair_idx"),
            models.Index(fields=["visited_on"], name="mentoring_visit_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pair} {self.visited_on}"


class Outcome(models.Model):
    """How a pair ended: recorded with its end date (the pair's `ended_on`) by the area's officials."""

    class Result(models.TextChoices):
        IMPROVED = "improved", _("Improved")
        PARTLY = "partly", _("Partly improved")
        NOT_IMPROVED = "not_improved", _("Not improved")

    pair = models.OneToOneField(MentoringPair, on_delete=models.CASCADE, related_name="outcome",
                                verbose_name=_("mentoring pair"))
    result = models.CharField(_("outcome"), max_length=20, choices=Result.choices)
    summary = models.TextField(_("summary"), max_length=4000)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  null=True, blank=True, verbose_name=_("closed by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = PairScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentoring outcome")
        verbose_name_plural = _("mentoring outcomes")
        constraints = [
            models.CheckConstraint(condition=Q(result__in=["improved", "partly", "not_improved"]),
                                   name="mentoring_outcome_known",
                                   violation_error_message=_("Outcome: choose improved, partly improved or "
                                                             "not improved."),
                                   violation_error_code="outcome_unknown"),
            models.CheckConstraint(condition=Q(summary__regex=r"\S"), name="mentoring_outcome_has_summary",
                                   violation_error_message=_("Summary: say in a few sentences how the pair "
                                                             "went."),
                                   violation_error_code="outcome_no_summary"),
        ]
        indexes = [models.Index(fields=["result"], name="mentoring_outcome_result_idx")]

    def __str__(self) -> str:
        return f"{self.pair}: {self.get_result_display()}"
