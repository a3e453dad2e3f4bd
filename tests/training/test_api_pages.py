"""The training API and pages: the same services, the area rules, personal data only where it is needed."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import StaffMemberFactory, api_token
from training.models import Course

from .conftest import make_course

pytestmark = pytest.mark.django_db


def _bearer(client, user):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(user)}")
    return client


def test_api_register_full_course_attendance_certificate_and_figures(api_client, centre, institution, staff,
                                                                     city_official, county_official):
    course = make_course(centre, capacity=1)
    members = StaffMemberFactory.create_batch(2, institution=institution)
    staff_api = _bearer(api_client, staff)
    answer = staff_api.post("/api/v1/training/registrations/", {"course": course.pk, "staff_member": members[0].pk},
                            format="json")
    assert answer.status_code == 201, answer.content
    registration = answer.json()["id"]
    full = staff_api.post("/api/v1/training/registrations/", {"course": course.pk, "staff_member": members[1].pk},
                          format="json")
    assert full.status_code == 409 and full.json()["error"]["code"] == "conflict"
    today = timezone.localdate()
    Course.objects.filter(pk=course.pk).update(starts_on=today - datetime.timedelta(days=2),
                                               ends_on=today - datetime.timedelta(days=1))
    city_api = _bearer(type(api_client)(), city_official)
    assert city_api.post(f"/api/v1/training/registrations/{registration}/attendance/",
                         {"attended": True, "hours": course.hours}, format="json").status_code == 200
    issued = city_api.post(f"/api/v1/training/registrations/{registration}/certificate/", format="json")
    assert issued.status_code == 201 and issued.json()["number"].startswith("PX1301-")
    figures = city_api.get("/api/v1/training/figures/").json()
    assert figures["rows"][0]["key"] == "1301" and figures["rows"][0]["trained"] == 1
    assert figures["rows"][0]["caregivers"] == 2
    # The county follows the figures but does not see the registrations (staff names).
    county_api = _bearer(type(api_client)(), county_official)
    assert county_api.get("/api/v1/training/registrations/").json()["count"] == 0
    assert county_api.get("/api/v1/training/figures/institutions/?region=130102").json()["rows"][0]["trained"] == 1
    assert county_api.get("/api/v1/training/figures/?region=1305").status_code == 404


def test_pages_show_the_journey_in_chinese(centre, institution, staff, city_official):
    course = make_course(centre)
    member = StaffMemberFactory(institution=institution, name="王保育")
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(staff)
    page = c.get(f"/training/courses/{course.pk}/")
    assert page.status_code == 200 and "为工作人员报名" in page.content.decode()
    c.post(f"/training/courses/{course.pk}/register/", {"staff_member": member.pk})
    course.refresh_from_db()
    assert course.registered_count == 1
    official = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    official.force_login(city_official)
    home = official.get("/training/")
    assert home.status_code == 200 and "保育人员培训" in home.content.decode()
    assert "王保育" in official.get(f"/training/courses/{course.pk}/").content.decode()


def test_official_page_queries_do_not_grow_with_courses(centre, city_official, django_assert_max_num_queries):
    c = Client()
    c.force_login(city_official)
    for _ in range(2):
        make_course(centre)
    with django_assert_max_num_queries(12) as few:
        c.get("/training/")
    for _ in range(10):
        make_course(centre)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert c.get("/training/").status_code == 200
