"""The filings demo: every filed demo institution has its approved filing, and the workflow shows every status."""

import io

import pytest
from django.db.models import Count
from django.urls import reverse

from filings import services
from filings.models import AppointmentSlot, Filing, ReceiptCounter
from institutions.models import Institution
from portal.demo import DemoContext
from tests.helpers import seed_demo_steps


@pytest.fixture
def demo(db, private_storage):
    ctx, ctx.filings_seconds = seed_demo_steps("regions.demo", "accounts.demo", "institutions.demo", "filings.demo")
    return ctx


def test_every_filed_demo_institution_has_its_approved_filing_with_the_same_number(demo):
    filed = Institution.objects.filter(is_demo=True, status=Institution.Status.FILED)
    approved = Filing.objects.filter(kind="initial", status="filed", institution__in=filed)
    assert approved.count() == filed.count()
    assert approved.filter(institution__is_synthetic=False).count() == 1273
    pairs = list(approved.values_list("institution__filing_number", "receipt_number"))
    assert len(pairs) == filed.count() and all(a == b for a, b in pairs)
    assert demo.filings_seconds < 30


def test_demo_filings_cover_every_status_and_kind(demo):
    statuses = set(Filing.objects.filter(is_demo=True).values_list("status", flat=True))
    assert statuses >= {"draft", "submitted", "returned", "filed", "rejected", "withdrawn"}
    kinds = set(Filing.objects.filter(is_demo=True).values_list("kind", flat=True))
    assert kinds == {"initial", "change", "cancellation"}
    assert Filing.objects.overdue().filter(is_demo=True).exists()
    assert Filing.objects.filter(status="returned", return_comments__isnull=False).exists()


def test_receipt_counters_continue_after_the_demo_numbers(demo):
    last = ReceiptCounter.objects.get(county_id="130102", year=2022).last_number
    numbers = Filing.objects.filter(receipt_number__startswith="130102-2022-").count()
    assert last == numbers
    assert not Filing.objects.values("receipt_number").exclude(receipt_number="").annotate(n=Count("pk")).filter(
        n__gt=1).exists()


def test_demo_is_idempotent(demo):
    import filings.demo

    before = (Filing.objects.count(), AppointmentSlot.objects.count())
    filings.demo.seed(DemoContext(stdout=io.StringIO()))
    assert (Filing.objects.count(), AppointmentSlot.objects.count()) == before


def test_the_demo_county_official_can_decide_the_demo_queue(demo, client):
    from accounts.models import User

    official = User.objects.get(username="changan")
    client.force_login(official)
    response = client.get(reverse("filings:queue"))
    assert response.status_code == 200 and response.context["page"].paginator.count >= 3
    overdue = Filing.objects.overdue().filter(is_demo=True).first()
    assert client.get(reverse("filings:detail", args=[overdue.pk])).status_code == 200
    filing = services.filing_approve(filing=overdue, actor=official)
    assert filing.receipt_number.startswith("130102-")
    assert Filing.objects.filter(receipt_number=filing.receipt_number).count() == 1

    # The demo's change filing (a new 托小 class and one more caregiver) can be approved from the page:
    # its new class's name was taken by an open class, and the approval answered the raw constraint name.
    change = Filing.objects.get(is_demo=True, kind="change", status="submitted",
                                institution__region__code__startswith="130102")
    new_class = next(c["name"] for c in change.class_changes if c["action"] == "add")
    response = client.post(reverse("filings:approve", args=[change.pk]))
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == "filed" and change.receipt_number
    assert change.institution.classes.filter(name=new_class, closed_on__isnull=True).count() == 1


def test_demo_slots_at_the_shijiazhuang_guidance_centre(demo):
    assert AppointmentSlot.objects.filter(is_demo=True, centre__city_id="1301").count() > 20


def test_demo_skips_without_demo_institutions(db):
    import filings.demo

    filings.demo.seed(DemoContext(stdout=io.StringIO()))
    assert not Filing.objects.exists()
