"""The figures of demonstration-city creation, set-based: a fixed number of queries whatever the number of
cities, criteria or years.

- a creation's score / maximum (the sum of its criteria's scores and points), criteria met / criteria (met: the
  score reaches the standard's `met_percent` of the criterion's points), criteria with evidence / criteria;
- the year's ranking of a province's cities: scored creations only, by score as a share of the maximum (versions
  of the standard may differ in points), ties sharing a rank;
- `pack_figures`: the same figures in the shape the annual assessment pack reads.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Rank
from django.utils.translation import gettext as _

from regions import codes

from .models import Creation, CreationEvidence

_POINTS = DecimalField(max_digits=7, decimal_places=1)
_SHARE = DecimalField(max_digits=9, decimal_places=6)


def with_figures(queryset):
    """Creations annotated with `score`, `max_score`, `criteria`, `criteria_met`, `criteria_evidenced` and
    `share` (score ÷ maximum, None while unscored): one query for any number of creations."""
    threshold = ExpressionWrapper(F("entries__criterion__max_points") * F("standard__met_percent") / Value(100),
                                  output_field=_POINTS)
    evidenced = (CreationEvidence.objects.filter(creation=OuterRef("pk")).order_by().values("creation")
                 .annotate(n=Count("criterion", distinct=True)).values("n"))
    return queryset.annotate(
        score=Coalesce(Sum("entries__points"), Value(Decimal(0)), output_field=_POINTS),
        max_score=Coalesce(Sum("entries__criterion__max_points"), Value(Decimal(0)), output_field=_POINTS),
        criteria=Count("entries"),
        criteria_scored=Count("entries", filter=Q(entries__points__isnull=False)),
        criteria_met=Count("entries", filter=Q(entries__points__gte=threshold)),
        criteria_evidenced=Coalesce(Subquery(evidenced, output_field=IntegerField()), Value(0)),
    )


def rankings(*, years, province: str):
    """The scored creations of the province's cities in each of `years`, best first within a year, with `rank`
    and `ranked` (how many cities were ranked that year). A queryset: filter its rows afterwards (a city sees its
    own) and the ranks stay those of the whole province."""
    scored = with_figures(Creation.objects.filter(year__in=list(years), status=Creation.Status.SCORED,
                                                  city__code__startswith=province))
    share = ExpressionWrapper(F("total_points") / F("max_score"), output_field=_SHARE)
    return (scored.annotate(share=share)
            .annotate(rank=Window(Rank(), partition_by=[F("year")], order_by=[F("share").desc()]),
                      ranked=Window(Count("pk"), partition_by=[F("year")]))
            .select_related("city").order_by("-year", "rank", "city_id"))


def ranking(*, year: int, province: str):
    """The year's ranking of the province's cities (see `rankings`)."""
    return rankings(years=[year], province=province)


def ranking_for(*, years, user, province: str) -> list:
    """The rankings of `years` as `user` may see them: every city for the province's officials (and
    administrators), the city's own rows for a city. Two queries."""
    visible = set(Creation.objects.visible_to(user).filter(year__in=list(years)).values_list("pk", flat=True))
    return [row for row in rankings(years=years, province=province) if row.pk in visible]


def pack_figures(*, year: int, city_codes: list[str]) -> dict[str, list[dict]]:
    """For each city code, its demonstration-city creation figures of `year` for the annual assessment pack:
    score / maximum score, criteria met / criteria, criteria with evidence / criteria, and, once scored, rank /
    cities ranked in its province. A city without a creation that year gets an empty list. Labels and notes in
    the active language. The caller decides who may read them (no scoping here). Three queries at most per
    province, whatever the number of cities."""
    out: dict[str, list[dict]] = {code: [] for code in city_codes}
    if not city_codes:
        return out
    creations = with_figures(Creation.objects.filter(year=year, city_id__in=city_codes)).select_related("standard")
    ranks: dict[str, tuple[int, int]] = {}
    for province in sorted({codes.province_of(c) for c in city_codes if codes.province_of(c)}):
        for row in ranking(year=year, province=province):
            ranks[row.city_id] = (row.rank, row.ranked)
    for creation in creations:
        status = creation.get_status_display()
        standard = _("%(name)s, version %(version)d") % {"name": creation.standard.name,
                                                          "version": creation.standard.version}
        if creation.standard.is_working_definition:
            standard = _("%(standard)s (a working definition)") % {"standard": standard}
        scored = creation.status == Creation.Status.SCORED
        score_note = status if scored else _("%(status)s: scores given so far") % {"status": status}
        rows = [
            {"label": _("Demonstration-city creation score"), "numerator": creation.score,
             "denominator": creation.max_score, "note": f"{score_note} · {standard}"},
            {"label": _("Creation criteria met"), "numerator": creation.criteria_met,
             "denominator": creation.criteria,
             "note": _("met: a score of at least %(percent)d%% of the criterion's points") % {
                 "percent": creation.standard.met_percent}},
            {"label": _("Creation criteria with evidence"), "numerator": creation.criteria_evidenced,
             "denominator": creation.criteria, "note": status},
        ]
        if creation.city_id in ranks:
            rank, ranked = ranks[creation.city_id]
            rows.append({"label": _("Creation rank among the province's cities"), "numerator": rank,
                         "denominator": ranked, "note": _("scored creations of %(year)d, by share of the maximum "
                                                          "score") % {"year": year}})
        out[creation.city_id] = rows
    return out
