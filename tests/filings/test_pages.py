import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from filings import services
from filings.models import Filing
from institutions.models import Institution
from tests.factories import InstitutionFactory, make_credit_code

from .conftest import PDF, pdf


def test_staff_see_their_filings_and_create_a_draft(client, draft_staff, draft_institution):
    client.force_login(draft_staff)
    assert client.get(reverse("filings:mine")).status_code == 200
    response = client.post(reverse("filings:create"), {"kind": "initial"})
    filing = Filing.objects.get(institution=draft_institution)
    assert response.url == reverse("filings:detail", args=[filing.pk])
    page = client.get(response.url)
    assert page.status_code == 200
    assert "upload-form" in page.content.decode()


def test_staff_upload_a_document_through_the_page(client, draft_staff, draft_filing):
    client.force_login(draft_staff)
    client.post(reverse("filings:upload", args=[draft_filing.pk]), {"kind": "business_licence", "file": pdf()})
    document = draft_filing.documents.get()
    response = client.get(reverse("filings:document", args=[document.pk]) + "?inline=1")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_an_executable_upload_shows_a_clear_error(client, draft_staff, draft_filing):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(draft_staff)
    response = client.post(reverse("filings:upload", args=[draft_filing.pk]),
                           {"kind": "other", "file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00rest")}, follow=True)
    assert not draft_filing.documents.exists()
    assert "x.pdf" in response.content.decode()


def test_county_official_reviews_beside_the_documents_and_approves(client, submitted_filing, county_official):
    client.force_login(county_official)
    page = client.get(reverse("filings:detail", args=[submitted_filing.pk])).content.decode()
    assert 'data-testid="review"' in page and 'data-testid="preview-' in page
    first = submitted_filing.documents.order_by("pk").first()
    page = client.get(reverse("filings:detail", args=[submitted_filing.pk]), {"preview": first.pk}).content.decode()
    assert page.count("<iframe") == 1
    client.post(reverse("filings:approve", args=[submitted_filing.pk]))
    submitted_filing.refresh_from_db()
    assert submitted_filing.status == Filing.Status.FILED
    receipt = client.get(reverse("filings:receipt", args=[submitted_filing.pk])).content.decode()
    assert submitted_filing.receipt_number in receipt and "长安区" in receipt


def test_county_official_returns_with_section_comments_through_the_page(client, submitted_filing, county_official,
                                                                       draft_staff):
    client.force_login(county_official)
    client.post(reverse("filings:return", args=[submitted_filing.pk]), {"comment_premises": "租赁合同不足3年"})
    submitted_filing.refresh_from_db()
    assert submitted_filing.status == Filing.Status.RETURNED
    client.force_login(draft_staff)
    page = client.get(reverse("filings:detail", args=[submitted_filing.pk])).content.decode()
    assert "租赁合同不足3年" in page
    assert "租赁合同不足3年" in client.get(reverse("filings:notifications")).content.decode()


def test_city_official_sees_the_filing_read_only(client, submitted_filing, city_official):
    client.force_login(city_official)
    page = client.get(reverse("filings:detail", args=[submitted_filing.pk])).content.decode()
    assert 'data-testid="review"' not in page
    assert client.post(reverse("filings:approve", args=[submitted_filing.pk])).status_code == 403
    submitted_filing.refresh_from_db()
    assert submitted_filing.status == Filing.Status.SUBMITTED


def test_officials_do_not_see_drafts(client, draft_filing, county_official):
    client.force_login(county_official)
    assert client.get(reverse("filings:detail", args=[draft_filing.pk])).status_code == 404


def test_queue_lists_overdue_first_and_flags_them(client, county_official, regions):
    today = timezone.localdate()
    fresh = _pending_filings(1, region="130102001", due_on=today + datetime.timedelta(days=3))[0]
    late = _pending_filings(1, region="130102002", due_on=today - datetime.timedelta(days=2))[0]
    client.force_login(county_official)
    page = client.get(reverse("filings:queue")).content.decode()
    assert page.index(late.institution.name) < page.index(fresh.institution.name)
    assert page.count('class="badge overdue"') == 1


def test_city_official_sees_overdue_counts_per_county(client, city_official, regions):
    today = timezone.localdate()
    _pending_filings(2, region="130102001", due_on=today - datetime.timedelta(days=1))
    _pending_filings(1, region="130104001", due_on=today + datetime.timedelta(days=1))
    client.force_login(city_official)
    response = client.get(reverse("filings:queue"))
    counts = {c["county"]: (c["pending"], c["overdue"]) for c in response.context["per_county"]}
    assert counts == {"130102": (2, 2), "130104": (1, 0)}


_serial = iter(range(10_000_000, 20_000_000))


def _pending_filings(n: int, *, region: str, due_on: datetime.date) -> list[Filing]:
    institutions = Institution.objects.bulk_create([
        InstitutionFactory.build(region_id=region, status=Institution.Status.DRAFT, filed_on=None,
                                 credit_code=make_credit_code(region[:6], next(_serial)),
                                 name=f"排队托育园{i}-{region}")
        for i in range(n)])
    if not all(i.pk for i in institutions):
        institutions = list(Institution.objects.filter(name__startswith="排队托育园", region_id=region))
    now = timezone.now()
    Filing.objects.bulk_create([
        Filing(institution=i, kind=Filing.Kind.INITIAL, status=Filing.Status.SUBMITTED, submitted_at=now,
               first_submitted_at=now, due_on=due_on) for i in institutions])
    return list(Filing.objects.filter(institution__in=institutions).select_related("institution"))


@pytest.mark.parametrize("official", ["county_official", "city_official"])
def test_queue_has_a_fixed_number_of_queries(client, request, official, regions):
    user = request.getfixturevalue(official)
    client.force_login(user)
    today = timezone.localdate()
    _pending_filings(5, region="130102001", due_on=today)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("filings:queue")).status_code == 200
    _pending_filings(495, region="130102002", due_on=today - datetime.timedelta(days=1))
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("filings:queue"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 500
    assert len(many) == len(few), [q["sql"] for q in many]


def test_review_page_has_a_fixed_number_of_queries(client, submitted_filing, county_official, draft_staff):
    client.force_login(county_official)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("filings:detail", args=[submitted_filing.pk]))
    services.filing_return(filing=submitted_filing, actor=county_official, comments={"fire": "a", "food": "b"})
    for i in range(10):
        services.document_upload(filing=submitted_filing, actor=draft_staff, kind="other", file=pdf(f"o{i}.pdf"))
    services.filing_resubmit(filing=submitted_filing, actor=draft_staff)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("filings:detail", args=[submitted_filing.pk]))
    assert len(many) == len(few)


def test_officials_see_the_days_appointments(client, slot, draft_staff, draft_filing, city_official):
    services.booking_create(slot=slot, actor=draft_staff, filing=draft_filing)
    client.force_login(city_official)
    page = client.get(reverse("filings:appointments") + f"?date={slot.date:%Y-%m-%d}").content.decode()
    assert draft_filing.institution.name in page


def test_staff_book_cancel_and_move_through_the_page(client, slot, centre, draft_staff):
    from filings.models import AppointmentSlot, Booking

    other = AppointmentSlot.objects.create(centre=centre, date=slot.date, start_time=datetime.time(15),
                                           end_time=datetime.time(16), capacity=1, purpose=slot.purpose)
    client.force_login(draft_staff)
    client.post(reverse("filings:book"), {"slot": slot.pk})
    booking = Booking.objects.get(status="booked")
    client.post(reverse("filings:booking_move", args=[booking.pk]), {"slot": other.pk})
    moved = Booking.objects.get(status="booked")
    assert moved.slot == other
    client.post(reverse("filings:booking_cancel", args=[moved.pk]))
    assert not Booking.objects.filter(status="booked").exists()


def test_rejections_are_public(client, submitted_filing, county_official):
    services.filing_reject(filing=submitted_filing, actor=county_official, reason="消防不合格且无法整改")
    page = client.get(reverse("filings:rejections")).content.decode()
    assert "消防不合格且无法整改" in page and submitted_filing.institution.name in page


def test_staff_edit_a_change_filing_through_the_page(client, institution, staff):
    filing = services.filing_create(institution=institution, kind=Filing.Kind.CHANGE, actor=staff)
    client.force_login(staff)
    client.post(reverse("filings:edit", args=[filing.pk]), {"address": "长安区新址9号", "meals_served": "true",
                                                             "note": "搬迁"})
    filing.refresh_from_db()
    assert filing.particulars == {"address": "长安区新址9号", "meals_served": True}
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert '<option value="true" selected>' in page
    client.post(reverse("filings:class_change_add", args=[filing.pk]),
                {"action": "add", "name": "乳儿一班", "class_type": "infant", "places": "12", "caregivers": "4"},
                follow=True)
    filing.refresh_from_db()
    assert filing.class_changes == []  # 12 infants exceed the cap of 10: refused with the rule named
    client.post(reverse("filings:class_change_add", args=[filing.pk]),
                {"action": "add", "name": "乳儿一班", "class_type": "infant", "places": "9", "caregivers": "3"})
    filing.refresh_from_db()
    assert filing.class_changes == [{"action": "add", "name": "乳儿一班", "class_type": "infant", "places": 9,
                                     "caregivers": 3}]
    assert "food_licence" in services.required_document_kinds(filing)
