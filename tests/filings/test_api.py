import pytest
from django.utils import timezone

from filings import services
from filings.models import Filing

from .conftest import EXE, lease_end, pdf


@pytest.fixture
def staff_api(api_client, draft_staff):
    api_client.force_authenticate(draft_staff)
    return api_client


def _upload_all(client, filing_id):
    for kind in ["business_licence", "premises", "staff_certificates", "health_evaluation", "fire_safety",
                 "commitment"]:
        data = {"kind": kind, "file": pdf(f"{kind}.pdf")}
        if kind == "premises":
            data["lease_ends_on"] = lease_end().isoformat()
        if kind == "health_evaluation":
            data["rated_pass"] = "true"
        response = client.post(f"/api/v1/filings/{filing_id}/documents/", data, format="multipart")
        assert response.status_code == 201, response.json()


def test_the_whole_workflow_through_the_api(staff_api, api_client, draft_staff, county_official):
    created = staff_api.post("/api/v1/filings/", {"kind": "initial"}, format="json")
    assert created.status_code == 201, created.json()
    filing_id = created.json()["id"]
    incomplete = staff_api.post(f"/api/v1/filings/{filing_id}/submit/")
    assert incomplete.status_code == 400
    assert "documents" in incomplete.json()["error"]["fields"]
    _upload_all(staff_api, filing_id)
    submitted = staff_api.post(f"/api/v1/filings/{filing_id}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert submitted.json()["due_on"]

    api_client.force_authenticate(county_official)
    returned = api_client.post(f"/api/v1/filings/{filing_id}/return/", {"comments": {"health": "报告日期不清"}},
                               format="json")
    assert returned.status_code == 200
    assert returned.json()["return_comments"][0]["section"] == "health"

    api_client.force_authenticate(draft_staff)
    assert api_client.get("/api/v1/notifications/").json()["results"][0]["event"] == "returned"
    assert api_client.post(f"/api/v1/filings/{filing_id}/resubmit/").json()["status"] == "resubmitted"

    api_client.force_authenticate(county_official)
    approved = api_client.post(f"/api/v1/filings/{filing_id}/approve/")
    assert approved.status_code == 200
    assert approved.json()["receipt_number"] == f"130102-{timezone.localdate().year}-0001"
    again = api_client.post(f"/api/v1/filings/{filing_id}/approve/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"


def test_an_executable_upload_is_a_400_naming_the_file_field(staff_api, draft_filing):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = staff_api.post(f"/api/v1/filings/{draft_filing.pk}/documents/",
                              {"kind": "other", "file": SimpleUploadedFile("setup.pdf", EXE)}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]


def test_documents_download_to_those_who_may_see_the_filing(api_client, submitted_filing, county_official,
                                                           other_county_official):
    document = submitted_filing.documents.first()
    api_client.force_authenticate(county_official)
    response = api_client.get(f"/api/v1/documents/{document.pk}/download/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    api_client.force_authenticate(other_county_official)
    assert api_client.get(f"/api/v1/documents/{document.pk}/download/").status_code == 404


def test_reject_needs_a_reason(api_client, submitted_filing, county_official):
    api_client.force_authenticate(county_official)
    assert api_client.post(f"/api/v1/filings/{submitted_filing.pk}/reject/", {}, format="json").status_code == 400
    response = api_client.post(f"/api/v1/filings/{submitted_filing.pk}/reject/", {"reason": "不符合设置标准"},
                               format="json")
    assert response.json()["status"] == "rejected"


def test_staff_edit_a_change_filing_draft(api_client, institution, staff):
    api_client.force_authenticate(staff)
    created = api_client.post("/api/v1/filings/", {"kind": "change", "particulars": {"address": "新地址1号"}},
                              format="json").json()
    response = api_client.patch(f"/api/v1/filings/{created['id']}/",
                                {"particulars": {"address": "新地址2号"}, "note": "搬迁"}, format="json")
    assert response.status_code == 200
    assert response.json()["changes"]["particulars"] == {"address": "新地址2号"}
    bad = api_client.patch(f"/api/v1/filings/{created['id']}/", {"particulars": {"region": "130104"}}, format="json")
    assert bad.status_code == 400


def test_officials_cannot_create_filings(api_client, county_official):
    api_client.force_authenticate(county_official)
    assert api_client.post("/api/v1/filings/", {"kind": "initial"}, format="json").status_code == 403


def test_filter_overdue(api_client, submitted_filing, county_official):
    api_client.force_authenticate(county_official)
    Filing.objects.filter(pk=submitted_filing.pk).update(due_on=timezone.localdate().replace(year=2020))
    assert [f["id"] for f in api_client.get("/api/v1/filings/?overdue=true").json()["results"]] == [submitted_filing.pk]
    assert api_client.get("/api/v1/filings/?overdue=false").json()["results"] == []


def test_booking_the_last_place_twice_is_a_409(api_client, slot, draft_staff, staff, other_staff):
    for user in (draft_staff, staff):
        api_client.force_authenticate(user)
        assert api_client.post("/api/v1/bookings/", {"slot": slot.pk}, format="json").status_code == 201
    api_client.force_authenticate(other_staff)
    assert api_client.post("/api/v1/bookings/", {"slot": slot.pk}, format="json").status_code == 409


def test_move_and_cancel_a_booking(api_client, slot, centre, draft_staff):
    import datetime

    from filings.models import AppointmentSlot

    other = AppointmentSlot.objects.create(centre=centre, date=slot.date, start_time=datetime.time(13),
                                           end_time=datetime.time(14), capacity=1, purpose="consultation")
    api_client.force_authenticate(draft_staff)
    booking = api_client.post("/api/v1/bookings/", {"slot": slot.pk}, format="json").json()
    moved = api_client.post(f"/api/v1/bookings/{booking['id']}/move/", {"slot": other.pk}, format="json").json()
    assert moved["slot"]["id"] == other.pk
    cancelled = api_client.post(f"/api/v1/bookings/{moved['id']}/cancel/").json()
    assert cancelled["status"] == "cancelled"
    slots = api_client.get("/api/v1/appointment-slots/").json()["results"]
    assert {s["id"]: s["places_left"] for s in slots} == {slot.pk: 2, other.pk: 1}


def test_filing_list_has_a_fixed_number_of_queries(api_client, county_official, regions,
                                                   django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .test_pages import _pending_filings

    api_client.force_authenticate(county_official)
    _pending_filings(5, region="130102001", due_on=timezone.localdate())
    with CaptureQueriesContext(connection) as few:
        api_client.get("/api/v1/filings/")
    _pending_filings(60, region="130102002", due_on=timezone.localdate())
    with CaptureQueriesContext(connection) as many:
        assert len(api_client.get("/api/v1/filings/").json()["results"]) == 50
    assert len(many) == len(few)


def test_mark_a_notification_read(api_client, submitted_filing, county_official, draft_staff):
    services.filing_return(filing=submitted_filing, actor=county_official, comments={"food": "x"})
    api_client.force_authenticate(draft_staff)
    n = api_client.get("/api/v1/notifications/").json()["results"][0]
    assert api_client.post(f"/api/v1/notifications/{n['id']}/read/").json()["read_at"]
    api_client.force_authenticate(county_official)
    assert api_client.post(f"/api/v1/notifications/{n['id']}/read/").status_code == 404


def test_city_official_publishes_a_slot_and_another_city_cannot(api_client, centre, city_official,
                                                               other_city_official):
    import datetime

    body = {"centre": centre.pk, "date": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
            "start_time": "09:00", "end_time": "10:00", "capacity": 3, "purpose": "training"}
    api_client.force_authenticate(other_city_official)
    assert api_client.post("/api/v1/appointment-slots/", body, format="json").status_code == 403
    api_client.force_authenticate(city_official)
    created = api_client.post("/api/v1/appointment-slots/", body, format="json")
    assert created.status_code == 201 and created.json()["places_left"] == 3
    past = {**body, "date": "2020-01-06"}
    assert api_client.post("/api/v1/appointment-slots/", past, format="json").status_code == 400
