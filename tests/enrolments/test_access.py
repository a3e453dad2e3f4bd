"""Who reaches which enrolment page: staff pages are the institution's own; officials' pages show their area;
everyone else gets a 404 (never a 403 that leaks existence); the public is sent to sign in."""

import pytest
from django.urls import reverse

from enrolments import services
from enrolments.models import ImportJob


@pytest.fixture
def objects(register, older_class, staff, today, institution):
    child = register("李小明", 26)
    e = services.enrolment_create(child=child, klass=older_class, care_form="full_day", start_date=today,
                                  actor=staff)
    job = ImportJob.objects.create(institution=institution, filename="a.csv")
    return {"child": child.pk, "enrolment": e.pk, "job": job.pk}


def _staff_urls(o):
    return [reverse("enrolments:classes"), reverse("enrolments:enrol"), reverse("enrolments:due"),
            reverse("enrolments:export"), reverse("enrolments:import"), reverse("enrolments:reports"),
            reverse("enrolments:import_template", args=["xlsx"]),
            reverse("enrolments:child", args=[o["child"]]), reverse("enrolments:enrol_existing", args=[o["child"]]),
            reverse("enrolments:move", args=[o["enrolment"]]), reverse("enrolments:withdraw", args=[o["enrolment"]]),
            reverse("enrolments:import_job", args=[o["job"]]), reverse("enrolments:import_progress", args=[o["job"]])]


def test_own_staff_reach_every_staff_page(client, staff, objects):
    client.force_login(staff)
    for url in _staff_urls(objects):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["county_official", "city_official", "province_official", "township_official"])
def test_officials_get_404_on_staff_pages(client, objects, who, request):
    client.force_login(request.getfixturevalue(who))
    for url in _staff_urls(objects):
        assert client.get(url).status_code == 404, url


def test_staff_of_another_institution_get_404_on_this_institutions_records(client, other_staff, objects):
    client.force_login(other_staff)
    for url in _staff_urls(objects)[7:]:
        assert client.get(url).status_code == 404, url


def test_staff_get_404_on_officials_pages(client, staff):
    client.force_login(staff)
    for name in ("enrolments:occupancy", "enrolments:reporting"):
        assert client.get(reverse(name)).status_code == 404


def test_the_public_is_sent_to_sign_in(client, objects):
    for url in [*_staff_urls(objects), reverse("enrolments:occupancy"), reverse("enrolments:reporting")]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_other_countys_official_sees_nothing_of_this_county(client, objects, other_county_official, institution):
    client.force_login(other_county_official)
    for name in ("enrolments:occupancy", "enrolments:reporting"):
        assert institution.name not in client.get(reverse(name)).content.decode()
