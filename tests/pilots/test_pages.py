"""The pilots page: officials see their area's pilots and reporting rates, in a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilots.services import pilot_designate, pilot_mark_completed
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def _pilots(n, region, actor):
    return [pilot_designate(institution=InstitutionFactory(region_id=region), year=2022,
                            designated_on=datetime.date(2022, 3, 1), actor=actor) for _ in range(n)]


def test_city_official_sees_own_pilots_and_totals(client, regions, province_official, city_official):
    mine = _pilots(2, "130102", province_official)
    _pilots(1, "130502", province_official)
    pilot_mark_completed(pilot=mine[0], completed_on=datetime.date(2022, 6, 1), actor=city_official)
    client.force_login(city_official)
    response = client.get("/pilots/")
    assert response.status_code == 200
    assert [p.pk for p in response.context["pilots"]] == [mine[1].pk, mine[0].pk]  # open first
    assert response.context["totals"] == {"designated": 2, "completed": 1}


def test_staff_may_not_open_the_pilots_page(client, staff):
    client.force_login(staff)
    assert client.get("/pilots/").status_code == 403


def test_pilots_page_queries_do_not_grow(client, regions, province_official):
    _pilots(5, "130102", province_official)
    client.force_login(province_official)
    with CaptureQueriesContext(connection) as few:
        client.get("/pilots/")
    _pilots(55, "130502", province_official)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/pilots/")
    assert len(response.context["pilots"]) == 50
    assert len(many.captured_queries) == len(few.captured_queries)
