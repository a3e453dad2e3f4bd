"""Snapshot figures computed by hand on small fixtures and compared with what the SQL writes."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrolments.models import Child, Enrolment
from institutions.models import Institution, InstitutionClass
from metrics.compute import SnapshotBusy, snapshot_compute, snapshot_prune
from metrics.models import RegionSnapshot, Snapshot
from regions.models import Region, RegionPopulation
from tests.factories import InstitutionClassFactory, InstitutionFactory, make_credit_code

D = datetime.date(2022, 6, 30)


def _row(snapshot, code):
    return RegionSnapshot.objects.get(snapshot=snapshot, region_id=code)


def _institution(region, *, places=(20,), filed_on=datetime.date(2021, 1, 1), cancelled_on=None,
                 inclusive=False, class_type=InstitutionClass.ClassType.OLDER, **kw):
    status = Institution.Status.CANCELLED if cancelled_on else Institution.Status.FILED
    inst = InstitutionFactory(region_id=region, filed_on=filed_on, cancelled_on=cancelled_on, status=status,
                              is_inclusive=inclusive, inclusive_price=Decimal("1200") if inclusive else None, **kw)
    for n in places:
        InstitutionClassFactory(institution=inst, places=n, class_type=class_type, opened_on=datetime.date(2020, 1, 1))
    return inst


@pytest.mark.django_db
def test_hebei_style_province_totals_give_1_85_per_thousand(regions):
    RegionPopulation.objects.create(region_id="13", year=2020, resident_population=74_610_235, source="census")
    institutions = Institution.objects.bulk_create([
        Institution(name=f"托育园{n}", credit_code=make_credit_code("130102"), legal_form="forprofit",
                    setting_type="standalone", full_day=True, region_id=["130102001", "130104", "130502"][n % 3],
                    address="x", legal_representative="x", person_in_charge="x", person_in_charge_phone="1",
                    status="filed", filed_on=datetime.date(2021, 5, 1))
        for n in range(1273)
    ])
    classes = [InstitutionClass(institution=institutions[n % 1273], name=f"班{n}", class_type="older", places=20,
                                caregivers=3, opened_on=datetime.date(2021, 5, 1)) for n in range(6900)]
    InstitutionClass.objects.bulk_create(classes)

    snapshot = snapshot_compute(date=D)

    hebei = _row(snapshot, "13")
    assert hebei.institutions == 1273
    assert hebei.places == 138_000
    assert hebei.resident_population == 74_610_235
    assert hebei.population_year == 2020
    assert hebei.places_per_1000 == Decimal("1.8496")
    assert round(hebei.places_per_1000, 2) == Decimal("1.85")
    # 4.5 per 1,000 of 74,610,235 = 335,746.06 → 335,747 places needed, 197,747 still missing.
    assert hebei.target_gap == 335_747 - 138_000
    assert hebei.institutions_by_setting["standalone"] == 1273
    assert _row(snapshot, "1301").places + _row(snapshot, "1305").places == 138_000


@pytest.mark.django_db
def test_region_without_population_has_no_rate(regions):
    _institution("130102001", places=(20, 15))
    snapshot = snapshot_compute(date=D)
    county = _row(snapshot, "130102")
    assert county.places == 35
    assert county.resident_population is None
    assert county.places_per_1000 is None
    assert county.target_gap is None
    city = _row(snapshot, "1301")
    assert city.places_per_1000 == Decimal(35 * 1000 / 11_235_086).quantize(Decimal("0.0001"))


@pytest.mark.django_db
def test_institution_cancelled_the_day_before_does_not_count(regions):
    _institution("130102001", places=(20,))
    _institution("130102001", places=(10,), cancelled_on=D - datetime.timedelta(days=1))
    _institution("130102001", places=(5,), cancelled_on=D)  # cancelled on the day: gone by its end
    _institution("130102001", places=(7,), cancelled_on=D + datetime.timedelta(days=1))  # still open on D
    _institution("130102001", places=(9,), filed_on=D + datetime.timedelta(days=1))  # filed after D
    snapshot = snapshot_compute(date=D)
    township = _row(snapshot, "130102001")
    assert township.institutions == 2
    assert township.places == 27


@pytest.mark.django_db
def test_inclusive_share_and_class_type_places(regions):
    _institution("130102", places=(10,), inclusive=True, class_type=InstitutionClass.ClassType.INFANT)
    _institution("130102", places=(15,), class_type=InstitutionClass.ClassType.YOUNGER)
    closed = _institution("130102", places=(20,))
    closed.classes.update(closed_on=D)
    snapshot = snapshot_compute(date=D)
    county = _row(snapshot, "130102")
    assert (county.places, county.places_inclusive, county.places_infant, county.places_younger,
            county.places_older) == (25, 10, 10, 15, 0)
    assert county.inclusive_share == Decimal("0.4000")
    assert county.utilisation == Decimal("0.0000")
    assert county.institutions == 3  # an institution with every class closed still counts as filed


@pytest.mark.django_db
def test_utilisation_counts_children_enrolled_on_the_date(regions):
    inst = _institution("130102", places=(20,))
    klass = inst.classes.get()
    for n, (start, end) in enumerate([(datetime.date(2022, 1, 1), None), (datetime.date(2022, 1, 1), D),
                                      (datetime.date(2022, 1, 1), D + datetime.timedelta(days=1)),
                                      (D + datetime.timedelta(days=1), None)]):
        child = Child.objects.create(institution=inst, date_of_birth=datetime.date(2020, 3, 1), name=f"孩子{n}",
                                     document_hash=f"hash{n}")
        Enrolment.objects.create(child=child, institution=inst, klass=klass, start_date=start, end_date=end,
                                 care_form="full_day", leaving_reason="moved_away" if end else "")
    snapshot = snapshot_compute(date=D)
    county = _row(snapshot, "130102")
    assert county.enrolled == 2
    assert county.utilisation == Decimal("0.1000")


@pytest.mark.django_db
def test_every_region_gets_a_row_with_its_parent(regions):
    snapshot = snapshot_compute(date=D)
    assert snapshot.status == Snapshot.Status.READY
    assert RegionSnapshot.objects.filter(snapshot=snapshot).count() == Region.objects.count()
    township = _row(snapshot, "130102001")
    assert (township.level, township.parent_code, township.places) == ("township", "130102", 0)
    assert _row(snapshot, "13").parent_code == ""


@pytest.mark.django_db
def test_recomputing_a_date_gives_identical_rows_and_one_ready_version(regions, settings):
    _institution("130102001", places=(20, 10), inclusive=True)
    _institution("130502", places=(15,))
    first = snapshot_compute(date=D)
    fields = [f.name for f in RegionSnapshot._meta.fields if f.name not in ("id", "snapshot")]
    before = list(RegionSnapshot.objects.filter(snapshot=first).order_by("region_id").values(*fields))
    second = snapshot_compute(date=D)
    after = list(RegionSnapshot.objects.filter(snapshot=second).order_by("region_id").values(*fields))
    assert before == after
    assert second.version == first.version + 1
    first.refresh_from_db()
    assert first.status == Snapshot.Status.SUPERSEDED
    # Its rows stay for the readers that pinned it, until the grace period is over.
    assert RegionSnapshot.objects.filter(snapshot=first).count() == len(before)
    settings.SNAPSHOT_GRACE_SECONDS = 0
    snapshot_prune()
    assert not RegionSnapshot.objects.filter(snapshot=first).exists()
    assert Snapshot.objects.current(D) == second


@pytest.mark.django_db
def test_places_change_against_the_previous_snapshot(regions):
    _institution("130102", places=(20,), filed_on=datetime.date(2022, 1, 10))
    snapshot_compute(date=datetime.date(2022, 3, 31))
    _institution("130102", places=(15,), filed_on=datetime.date(2022, 5, 1))
    june = snapshot_compute(date=D)
    assert _row(june, "130102").places_change == 15
    assert _row(june, "13").places_change == 15


@pytest.mark.django_db
def test_readers_never_see_a_computing_snapshot(regions):
    _institution("130102", places=(20,))
    ready = snapshot_compute(date=D)
    computing = Snapshot.objects.create(date=D, version=ready.version + 1)
    RegionSnapshot.objects.create(snapshot=computing, region_id="130102", level="county", parent_code="1301",
                                  places=999, target_per_1000=Decimal("4.5"))
    assert Snapshot.objects.current(D) == ready
    assert not RegionSnapshot.objects.ready().filter(places=999).exists()


@pytest.mark.django_db
def test_a_second_computation_of_the_same_date_is_refused_while_one_is_alive(regions):
    Snapshot.objects.create(date=D, version=1, task_id="other-task")
    with pytest.raises(SnapshotBusy):
        snapshot_compute(date=D, task_id="mine")


@pytest.mark.django_db
def test_a_redelivered_task_takes_over_its_own_abandoned_snapshot(regions):
    _institution("130102", places=(20,))
    dead = Snapshot.objects.create(date=D, version=1, task_id="task-1", progress=10)
    RegionSnapshot.objects.create(snapshot=dead, region_id="130102", level="county", parent_code="1301",
                                  places=1, target_per_1000=Decimal("4.5"))
    snapshot = snapshot_compute(date=D, task_id="task-1")
    dead.refresh_from_db()
    assert dead.status == Snapshot.Status.FAILED
    assert not RegionSnapshot.objects.filter(snapshot=dead).exists()
    assert snapshot.status == Snapshot.Status.READY and snapshot.version == 2
    assert _row(snapshot, "130102").places == 20



@pytest.mark.django_db
def test_statement_count_does_not_grow_with_regions(regions):
    _institution("130102", places=(20,))
    snapshot_compute(date=D)
    with CaptureQueriesContext(connection) as few:
        snapshot_compute(date=D)
    Region.objects.bulk_create([Region(code=f"1301{k:02d}", name=f"县{k}", level="county", parent_id="1301")
                                for k in range(50, 99)])
    Region.objects.bulk_create([Region(code=f"130150{k:03d}", name=f"镇{k}", level="township", parent_id="130150")
                                for k in range(1, 200)])
    for k in range(30):
        _institution(f"1301{50 + k:02d}", places=(10,))
    with CaptureQueriesContext(connection) as many:
        snapshot_compute(date=D)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(few.captured_queries) < 25
