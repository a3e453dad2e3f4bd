"""Who may open which dashboard, report and export: an area outside the user's own is a 404."""

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/dashboards/{code}/",
    "/dashboards/{code}/planner/",
    "/dashboards/{code}/report/",
    "/dashboards/{code}/report.pdf",
    "/dashboards/{code}/export/regions.csv",
    "/dashboards/{code}/export/regions.xlsx",
    "/dashboards/{code}/export/pilots.csv",
    "/dashboards/{code}/export/composition.xlsx",
    "/dashboards/{code}/export/ranking.xlsx",
    "/dashboards/{code}/export/trend.csv",
    "/dashboards/{code}/export/planner.xlsx",
    "/dashboards/{code}/export/all.xlsx",
]


def statuses(client, user, *urls) -> list[int]:
    """The status codes `user` is answered for `urls`, signed in."""
    client.force_login(user)
    return [client.get(url).status_code for url in urls]


@pytest.mark.parametrize("page", PAGES)
def test_city_official_cannot_open_other_city_dashboard_or_export(client, city_official, hebei_snapshot, page):
    # 1301 Shijiazhuang: not Xingtai nor its county
    assert statuses(client, city_official, page.format(code="1305"), page.format(code="130502")) == [404, 404]


@pytest.mark.parametrize("page", PAGES)
def test_city_official_opens_own_city_and_its_counties(client, city_official, hebei_snapshot, page):
    client.force_login(city_official)
    # (The city has no ranking of its counties in the fixture: that export comes with headers only.)
    assert client.get(page.format(code="1301")).status_code == 200
    assert client.get("/dashboards/130102/").status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_county_official_cannot_open_province_or_city(client, county_official, hebei_snapshot, page):
    # 130102: not its province, its city or the neighbouring county
    pages = [page.format(code=code) for code in ("13", "1301", "130104")]
    assert statuses(client, county_official, *pages) == [404] * 3


def test_other_province_official_cannot_open_hebei(client, other_province_official, hebei_snapshot):
    assert statuses(client, other_province_official, "/dashboards/13/", "/dashboards/14/") == [404, 200]


def test_dashboard_home_is_the_officials_own_region(client, county_official, hebei_snapshot):
    client.force_login(county_official)
    response = client.get("/dashboards/")
    assert response.status_code == 200
    assert response.context["area"].code == "130102"


def test_province_official_drills_down_to_a_county(client, province_official, hebei_snapshot):
    client.force_login(province_official)
    response = client.get("/dashboards/130104/")
    assert response.status_code == 200
    crumbs = response.context["crumbs"]
    assert [(c["name"], c["url"]) for c in crumbs] == [("河北省", "/dashboards/13/"), ("石家庄市", "/dashboards/1301/")]


def test_breadcrumbs_above_the_officials_area_are_not_links(client, city_official, hebei_snapshot):
    client.force_login(city_official)
    crumbs = client.get("/dashboards/130102/").context["crumbs"]
    assert crumbs == [{"name": "河北省", "url": None}, {"name": "石家庄市", "url": "/dashboards/1301/"}]


def test_institution_staff_have_no_dashboard(client, staff, hebei_snapshot):
    pages = ["/dashboards/", "/dashboards/130102/", "/dashboards/130102/export/regions.csv"]
    assert statuses(client, staff, *pages) == [404] * 3


def test_anonymous_is_sent_to_sign_in(client, hebei_snapshot):
    response = client.get("/dashboards/13/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.get("/dashboards/13/report.pdf").status_code == 302


def test_administrator_sees_every_region_and_chooses_a_province(client, admin_user, hebei_snapshot):
    client.force_login(admin_user)
    choose = client.get("/dashboards/")
    assert choose.status_code == 200
    assert "/dashboards/13/" in choose.content.decode() and "/dashboards/14/" in choose.content.decode()
    assert client.get("/dashboards/14/").status_code == 200
    assert client.get("/dashboards/1305/export/regions.csv").status_code == 200


def test_unknown_region_is_404(client, admin_user, hebei_snapshot):
    assert statuses(client, admin_user, "/dashboards/99/", "/dashboards/13/export/secrets.csv") == [404, 404]


def test_officials_home_and_navigation_link_to_their_dashboard(client, city_official, staff):
    client.force_login(city_official)
    html = client.get("/").content.decode()
    assert 'data-testid="dashboard-card"' in html and 'href="/dashboards/"' in html
    client.force_login(staff)
    assert 'href="/dashboards/"' not in client.get("/").content.decode()


def test_dashboard_date_field_shows_the_date_of_the_figures_in_every_language(client, province_official,
                                                                             hebei_snapshot):
    """The field was empty when no date was asked for (an unbound form), so the page never said in its own
    control which day it showed; the value is ISO, which a date input accepts in Chinese as in English."""
    snap, _rows = hebei_snapshot
    client.force_login(province_official)
    for language in ("zh-hans", "en"):
        page = client.get("/dashboards/13/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert f'<input type="date" name="date" value="{snap.date.isoformat()}"' in page
        asked = client.get("/dashboards/13/?date=2022-01-05&ranking=half", HTTP_ACCEPT_LANGUAGE=language)
        assert '<input type="date" name="date" value="2022-01-05"' in asked.content.decode()
