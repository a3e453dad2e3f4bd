"""Every ranking of a period end at once (ranking_compute_all): the statements do not grow with the number of
ranking regions, and the rankings are those of one ranking_compute per region."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEntry
from metrics.compute import snapshot_compute
from metrics.models import RankingEntry, RankingRun, RankingWeights
from metrics.rankings import ranking_compute, ranking_compute_all
from pilots.models import ProgressReport, ProgressReportTemplate, ReportingObligation
from regions.models import Region, RegionPopulation
from tests.factories import InstitutionClassFactory, InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db

Q1, Q2 = datetime.date(2022, 1, 1), datetime.date(2022, 4, 1)


def _city(province: str, number: int, counties: int = 2) -> None:
    city = f"{province}{number:02d}"
    Region.objects.create(code=city, name=f"市{city}", level="city", parent_id=province)
    for k in range(1, counties + 1):
        county = f"{city}{2 * k:02d}"
        Region.objects.create(code=county, name=f"区{county}", level="county", parent_id=city)
        RegionPopulation.objects.create(region_id=county, year=2020, resident_population=300_000 + 1000 * k,
                                        source="census")
        inst = InstitutionFactory(region_id=county, filed_on=datetime.date(2021, 12, 1 + k))
        InstitutionClassFactory(institution=inst, places=8 + (3 * k + number) % 12, opened_on=datetime.date(2020, 1, 1))
        if k == 1:
            later = InstitutionFactory(region_id=county, filed_on=datetime.date(2022, 5, 1))
            InstitutionClassFactory(institution=later, places=3 + 2 * number, opened_on=datetime.date(2020, 1, 1))


def _reports(province: str) -> None:
    """Weekly progress reports of every county of the province, one week in three missed, one in four late."""
    template = ProgressReportTemplate.objects.create(region_id=province, code="weekly", name="周报",
                                                     frequency=ProgressReportTemplate.Frequency.WEEKLY)
    reporter = UserFactory(username=f"reporter{province}")
    for n, county in enumerate(Region.objects.filter(level="county", code__startswith=province).order_by("code")):
        ReportingObligation.objects.create(template=template, region=county, starts_on=datetime.date(2022, 1, 1))
        for week in range(13):
            monday = datetime.date(2022, 4, 4) + datetime.timedelta(weeks=week)
            if (week + n) % 3:
                ProgressReport.objects.create(template=template, region=county, date=monday, submitted_by=reporter,
                                              on_time=(week + n) % 4 != 0)


def _snapshots() -> None:
    snapshot_compute(date=datetime.date(2022, 3, 31))
    snapshot_compute(date=datetime.date(2022, 6, 30))


def _publish(**filters) -> None:
    RankingRun.objects.filter(**filters).update(status=RankingRun.Status.PUBLISHED, published_at=timezone.now())




def _phases() -> list[int]:
    """Statements of one ranking_compute_all for each state a period's rankings can be in: none yet, drafts
    (recomputed in place), published (a new version, with the prior version's ranks)."""
    counts = []
    for _phase in range(3):
        with CaptureQueriesContext(connection) as captured:
            ranking_compute_all(period_kind="quarter", period_start=Q2, period_end=datetime.date(2022, 6, 30))
        counts.append(len(captured.captured_queries))
        if len(counts) == 2:
            _publish(period_start=Q2)
    return counts


def test_statements_do_not_grow_with_the_number_of_ranking_regions():
    Region.objects.create(code="13", name="河北省", level="province")
    _city("13", 1)
    _reports("13")
    _snapshots()
    ranking_compute_all(period_kind="quarter", period_start=Q1, period_end=datetime.date(2022, 3, 31))
    _publish(period_start=Q1)
    two = _phases()
    assert RankingRun.objects.filter(period_start=Q2, version=2).count() == 2  # the province and its city

    RankingEntry.objects.all().delete()
    RankingRun.objects.all().delete()
    for number in range(2, 9):
        _city("13", number, counties=3)
    Region.objects.create(code="14", name="山西省", level="province")
    for number in range(1, 5):
        _city("14", number)
    _reports("14")
    _snapshots()
    ranking_compute_all(period_kind="quarter", period_start=Q1, period_end=datetime.date(2022, 3, 31))
    _publish(period_start=Q1)
    many = _phases()
    assert RankingRun.objects.filter(period_start=Q2, version=2).count() == 2 + 8 + 4
    assert many == two, (two, many)
    assert max(many) <= 20


@pytest.fixture
def ranked_period(regions, province_official):
    """Hebei and Shanxi with figures, reports and own weights; Q1 published; Q2 published for Hebei, a
    draft over a published version for Shijiazhuang, a first draft for the others."""
    for number in (2, 3):
        _city("14", number)
    for county, places in (("130102", 20), ("130104", 12), ("130502", 17), ("140105", 8)):
        InstitutionClassFactory(institution=InstitutionFactory(region_id=county, filed_on=datetime.date(2021, 6, 1)),
                                places=places, opened_on=datetime.date(2020, 1, 1))
    _reports("13")
    _reports("14")
    _snapshots()
    RankingWeights.objects.create(region_id="14", weights={"report_timeliness": 50, "places_growth": 50})
    ranking_compute_all(period_kind="quarter", period_start=Q1, period_end=datetime.date(2022, 3, 31))
    _publish(period_start=Q1)
    ranking_compute_all(period_kind="quarter", period_start=Q2, period_end=datetime.date(2022, 6, 30))
    _publish(period_start=Q2, scope_id__in=["13", "1301"])
    RankingWeights.objects.create(region_id="1301", weights={"places_per_1000": 100})
    ranking_compute_all(period_kind="quarter", period_start=Q2, period_end=datetime.date(2022, 6, 30))
    _publish(period_start=Q2, scope_id="13", status=RankingRun.Status.DRAFT)
    return regions


def _rolled_back(compute) -> dict:
    """What `compute` writes for Q2 (runs, entries, audit rows; not their ids), then undone."""
    with transaction.atomic():
        before = set(AuditEntry.objects.values_list("pk", flat=True))
        compute()
        runs = RankingRun.objects.filter(period_kind="quarter", period_start=Q2)
        entries = RankingEntry.objects.filter(run__in=runs).values_list(
            "run__scope_id", "run__version", "region_id", "rank", "score", "breakdown", "previous_rank", "move",
            "prior_version_rank", "prior_version_score")
        audits = (AuditEntry.objects.filter(action="ranking.compute").exclude(pk__in=before)
                  .values_list("region_code", "target_type", "actor_label", "after"))
        result = {"runs": sorted(runs.values_list("scope_id", "version", "status", "weights", "snapshot_id")),
                  "entries": sorted(entries, key=lambda e: e[:3]),
                  "audits": sorted(audits, key=lambda a: (a[0], a[3]["version"]))}
        transaction.set_rollback(True)
    return result


def test_all_rankings_at_once_equal_one_ranking_per_region(ranked_period, monkeypatch):
    from bench.rankings import reference_compute_all

    scopes = [r for r in Region.objects.filter(level__in=["province", "city"]).order_by("code")
              if Region.objects.filter(parent_id=r.code).exists()]
    together = _rolled_back(lambda: ranking_compute_all(period_kind="quarter", period_start=Q2,
                                                        period_end=datetime.date(2022, 6, 30)))
    one_by_one = _rolled_back(lambda: [ranking_compute(scope=s, period_kind="quarter", period_start=Q2)
                                       for s in scopes])
    reference = _rolled_back(lambda: reference_compute_all(period_kind="quarter", period_start=Q2,
                                                           period_end=datetime.date(2022, 6, 30)))
    # Past a few scopes the inputs read every ranked level instead of naming the scopes: the same rankings.
    monkeypatch.setattr("metrics.ranking_inputs.FEW_SCOPES", 1)
    monkeypatch.setattr("pilots.reporting.FEW_AREAS", 1)
    unnamed = _rolled_back(lambda: ranking_compute_all(period_kind="quarter", period_start=Q2,
                                                       period_end=datetime.date(2022, 6, 30)))
    assert together == one_by_one == reference == unnamed
    entries = together["entries"]
    assert len(together["runs"]) == len(scopes) + 3 and len(together["audits"]) == len(scopes)
    # The run exercised every input: moves against Q1, prior versions, reports and filings.
    assert any(e[6] is not None and e[7] for e in entries)
    assert any(e[8] is not None for e in entries if e[0] == "13" and e[1] == 3)
    assert any(e[8] is not None for e in entries if e[0] == "1301" and e[1] == 2)
    assert any(e[5]["report_timeliness"]["value"] not in (None, "1.0000") for e in entries
               if "report_timeliness" in e[5])


@pytest.mark.django_db(transaction=True)
def test_the_beat_entry_runs_in_its_own_transaction(regions):
    """The period-end task calls ranking_compute_all outside any transaction: it opens its own (the runs it
    locks for update need one)."""
    assert ranking_compute_all(period_kind="quarter", period_start=Q2, period_end=datetime.date(2022, 6, 30)) == 5
    assert RankingRun.objects.filter(period_start=Q2).count() == 5
