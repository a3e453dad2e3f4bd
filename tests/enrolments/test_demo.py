import io
import random

from enrolments import demo
from enrolments.models import Child, Enrolment, age_in_months
from institutions.models import Institution, class_rules
from portal.demo import DemoContext
from tests.factories import InstitutionClassFactory, InstitutionFactory


def test_demo_fills_about_half_the_places_with_valid_children_and_is_idempotent(regions, today):
    inst = InstitutionFactory(region_id="130102001", is_demo=True, name=demo.BENYI_NAME)
    other = InstitutionFactory(region_id="130502", is_demo=True)
    for t, places in (("infant", 10), ("younger", 15), ("older", 20), ("mixed", 18)):
        InstitutionClassFactory(institution=other, class_type=t, places=places, caregivers=6)
    InstitutionClassFactory(institution=inst, name="豆豆一班", class_type="older", places=20, caregivers=3)
    InstitutionClassFactory(institution=inst, name="豆豆二班", class_type="older", places=20, caregivers=3)
    ctx = DemoContext(stdout=io.StringIO(), rng=random.Random(1))
    demo.seed(ctx)
    assert Enrolment.objects.active_on(today).filter(institution=inst).count() == 40  # the Doudou classes are full
    for e in Enrolment.objects.select_related("child", "klass"):
        rule = class_rules()[e.klass.class_type]
        assert rule.min_age_months <= age_in_months(e.child.date_of_birth, e.start_date) < rule.max_age_months
        assert e.child.document_masked[:4] == e.institution.region_id[:4]
    before = Child.objects.count()
    demo.seed(ctx)
    assert Child.objects.count() == before
    # Benyi's report of the latest ended period is still to be sent: its staff has it to do.
    from enrolments.models import EnrolmentReport
    from enrolments.services import recent_periods, reporting_setting

    latest_start, _end = recent_periods(reporting_setting("13"), today, 1)[0]
    assert not EnrolmentReport.objects.filter(institution=inst, period_start=latest_start).exists()


def test_demo_skips_without_demo_institutions(regions):
    Institution.objects.all().delete()
    demo.seed(DemoContext(stdout=io.StringIO()))
    assert not Child.objects.exists()


def test_demo_children_of_2021_22_have_aged_out_and_never_overfill_a_class(regions, today):
    import datetime

    from django.db.models import Q

    old = InstitutionFactory(region_id="130502", is_demo=True, filed_on=datetime.date(2020, 5, 1))
    classes = [InstitutionClassFactory(institution=old, class_type=t, places=places, caregivers=6,
                                       opened_on=datetime.date(2020, 5, 1))
               for t, places in (("infant", 10), ("younger", 15), ("older", 20))]
    demo.seed(DemoContext(stdout=io.StringIO(), rng=random.Random(2)))
    past = Enrolment.objects.filter(end_date__isnull=False).select_related("child", "klass")
    assert past.exists() and all(e.leaving_reason == "aged_out" and e.end_date < today for e in past)
    for e in past:
        rule = class_rules()[e.klass.class_type]
        assert rule.min_age_months <= age_in_months(e.child.date_of_birth, e.start_date) < rule.max_age_months
    for day in (datetime.date(2021, 6, 30), datetime.date(2022, 3, 31), datetime.date(2022, 6, 30), today):
        for k in classes:
            present = Enrolment.objects.filter(klass=k, start_date__lte=day).filter(
                Q(end_date__isnull=True) | Q(end_date__gt=day)).count()
            assert present <= k.places
    assert Enrolment.objects.filter(start_date__lte=datetime.date(2022, 6, 30), end_date__gt=datetime.date(2022, 6, 30)
                                    ).exists()
