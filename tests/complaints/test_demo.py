"""The demo holds a few complaints (one answered, one overdue) and one double registration across two counties."""

import io

import pytest

from complaints.models import Complaint
from institutions.staff_registry import double_registrations
from portal.demo import DemoContext


@pytest.mark.django_db
def test_demo_complaints_and_double_registration():
    import accounts.demo
    import complaints.demo
    import institutions.demo
    import regions.demo
    from accounts.models import User

    ctx = DemoContext(stdout=io.StringIO())
    for step in (regions.demo, accounts.demo, institutions.demo, complaints.demo):
        step.seed(ctx)
    assert Complaint.objects.count() == 4
    assert Complaint.objects.filter(status="answered").count() == 1
    assert Complaint.objects.overdue().exists()
    assert Complaint.objects.filter(contact__isnull=False).count() == 3
    changan = User.objects.get(username="changan")
    groups = double_registrations(user=changan)
    assert len(groups) == 1 and groups[0].counties == ["130102", "130502"]
    complaints.demo.seed(ctx)  # idempotent
    assert Complaint.objects.count() == 4
