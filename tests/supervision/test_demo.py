"""The supervision demo: a year of rounds whose draws replay, findings, rectification, verifications, and
work waiting for the demo accounts; idempotent."""

import io
import time

import pytest

from portal.demo import DemoContext
from supervision import services
from supervision.models import Draw, Inspection, InspectionRound, RectificationOrder
from tests.helpers import seed_demo_steps


@pytest.fixture
def demo(db, private_storage):
    ctx, _seconds = seed_demo_steps("regions.demo", "accounts.demo", "institutions.demo", "filings.demo")
    started = time.monotonic()
    import supervision.demo

    supervision.demo.seed(ctx)
    ctx.supervision_seconds = time.monotonic() - started
    return ctx


def test_the_demo_has_a_year_of_rounds_findings_and_rectification(demo):
    assert InspectionRound.objects.filter(region__level="city").count() == 22  # 11 cities × spring and autumn
    assert all(services.draw_replay(d) for d in Draw.objects.all())
    random = Inspection.objects.filter(kind="random", signed_off_at__isnull=False)
    assert random.count() > 200
    assert random.filter(result="findings").exists() and random.filter(result="compliant").exists()
    orders = RectificationOrder.objects.all()
    assert orders.filter(status="accepted").exists() and orders.overdue().filter(escalated_at__isnull=False).exists()
    from django.db.models import F

    verifications = Inspection.objects.filter(kind="verification")
    assert verifications.filter(inspected_on__lte=F("due_on")).exists()
    assert verifications.filter(inspected_on__gt=F("due_on")).exists()  # some late
    # Work waiting for the demo accounts.
    assert Inspection.objects.open().filter(inspectors__username__startswith="changan-inspector").exists()
    assert RectificationOrder.objects.filter(status="open", inspection__institution__staff_accounts__username="benyi"
                                             ).exists()
    assert demo.supervision_seconds < 60


def test_the_supervision_demo_is_idempotent(demo):
    import supervision.demo

    before = (InspectionRound.objects.count(), Inspection.objects.count(), RectificationOrder.objects.count())
    supervision.demo.seed(DemoContext(stdout=io.StringIO()))
    assert (InspectionRound.objects.count(), Inspection.objects.count(), RectificationOrder.objects.count()) == before
