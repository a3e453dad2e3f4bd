"""Access matrix: staff of another institution and officials of another area get 404 on every page and
endpoint of the filing workflow (never 403, which would leak that the object exists)."""

import pytest
from django.urls import reverse

from filings import services
from filings.models import Booking, Filing

OUTSIDERS = ["other_staff", "other_county_official", "other_city_official", "other_province_official"]


@pytest.fixture
def world(submitted_filing, draft_staff, slot, county_official, institution, staff):
    booking = services.booking_create(slot=slot, actor=draft_staff, filing=submitted_filing)
    document = submitted_filing.documents.first()
    # A filed filing with a receipt, in the same county.
    filed = services.filing_create(institution=institution, kind=Filing.Kind.CANCELLATION, actor=staff,
                                   resettlement_confirmed=True)
    from .conftest import upload_complete_documents

    upload_complete_documents(filed, staff)
    services.filing_submit(filing=filed, actor=staff)
    services.filing_approve(filing=filed, actor=county_official)
    return {"filing": submitted_filing, "document": document, "booking": booking, "filed": filed, "slot": slot}


def _page_requests(w):
    f, d, b, s = w["filing"].pk, w["document"].pk, w["booking"].pk, w["slot"].pk
    return [
        ("get", reverse("filings:detail", args=[f]), {}),
        ("get", reverse("filings:receipt", args=[w["filed"].pk]), {}),
        ("get", reverse("filings:document", args=[d]), {}),
        ("get", reverse("filings:document", args=[d]) + "?inline=1", {}),
        ("post", reverse("filings:edit", args=[f]), {"note": "x"}),
        ("post", reverse("filings:class_change_add", args=[f]), {"action": "add"}),
        ("post", reverse("filings:class_change_remove", args=[f, 0]), {}),
        ("post", reverse("filings:upload", args=[f]), {"kind": "other"}),
        ("post", reverse("filings:document_remove", args=[d]), {}),
        ("post", reverse("filings:submit", args=[f]), {}),
        ("post", reverse("filings:resubmit", args=[f]), {}),
        ("post", reverse("filings:withdraw", args=[f]), {}),
        ("post", reverse("filings:approve", args=[f]), {}),
        ("post", reverse("filings:return", args=[f]), {"comment_fire": "x"}),
        ("post", reverse("filings:reject", args=[f]), {"reason": "x"}),
        ("post", reverse("filings:booking_cancel", args=[b]), {}),
        ("post", reverse("filings:booking_move", args=[b]), {"slot": s}),
    ]


def _api_requests(w):
    f, d, b, s = w["filing"].pk, w["document"].pk, w["booking"].pk, w["slot"].pk
    return [
        ("get", f"/api/v1/filings/{f}/", {}),
        ("patch", f"/api/v1/filings/{f}/", {"note": "x"}),
        ("get", f"/api/v1/filings/{w['filed'].pk}/", {}),
        ("get", f"/api/v1/filings/{f}/documents/", {}),
        ("post", f"/api/v1/filings/{f}/documents/", {"kind": "other"}),
        ("get", f"/api/v1/documents/{d}/download/", {}),
        *[("post", f"/api/v1/filings/{f}/{verb}/", body) for verb, body in [
            ("submit", {}), ("resubmit", {}), ("withdraw", {}), ("approve", {}),
            ("return", {"comments": {"fire": "x"}}), ("reject", {"reason": "x"})]],
        ("post", f"/api/v1/bookings/{b}/cancel/", {}),
        ("post", f"/api/v1/bookings/{b}/move/", {"slot": s}),
    ]


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_get_404_on_every_page(client, world, request, outsider):
    client.force_login(request.getfixturevalue(outsider))
    unexpected = []
    for method, url, data in _page_requests(world):
        response = getattr(client, method)(url, data)
        if response.status_code != 404:
            unexpected.append((method, url, response.status_code))
    assert unexpected == []
    world["filing"].refresh_from_db()
    assert world["filing"].status == Filing.Status.SUBMITTED


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_get_404_on_every_endpoint(api_client, world, request, outsider):
    api_client.force_authenticate(request.getfixturevalue(outsider))
    unexpected = []
    for method, url, data in _api_requests(world):
        response = getattr(api_client, method)(url, data, format="json")
        if response.status_code != 404:
            unexpected.append((method, url, response.status_code))
    assert unexpected == []
    assert Booking.objects.get(pk=world["booking"].pk).status == Booking.Status.BOOKED


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_lists_do_not_show_the_filing(client, api_client, world, request, outsider):
    user = request.getfixturevalue(outsider)
    api_client.force_authenticate(user)
    assert world["filing"].pk not in [f["id"] for f in api_client.get("/api/v1/filings/").json()["results"]]
    assert world["booking"].pk not in [b["id"] for b in api_client.get("/api/v1/bookings/").json()["results"]]
    client.force_login(user)
    name = world["filing"].institution.name
    for page in ("filings:queue", "filings:appointments", "filings:mine"):
        response = client.get(reverse(page) + (f"?date={world['slot'].date:%Y-%m-%d}"
                                               if page == "filings:appointments" else ""))
        assert response.status_code in (200, 404)
        assert name not in response.content.decode()


@pytest.mark.parametrize("insider", ["county_official", "city_official", "province_official", "township_official"])
def test_officials_of_the_area_read_the_filing_and_its_documents(client, world, request, insider):
    client.force_login(request.getfixturevalue(insider))
    assert client.get(reverse("filings:detail", args=[world["filing"].pk])).status_code == 200
    assert client.get(reverse("filings:document", args=[world["document"].pk])).status_code == 200
    assert world["filing"].institution.name in client.get(reverse("filings:queue")).content.decode()


def test_anonymous_users_are_sent_to_sign_in_and_the_api_refuses(client, api_client, world):
    response = client.get(reverse("filings:detail", args=[world["filing"].pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert api_client.get(f"/api/v1/filings/{world['filing'].pk}/").status_code in (401, 403)
    assert client.get(reverse("filings:rejections")).status_code == 200
