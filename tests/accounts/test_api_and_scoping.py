import pytest
from django.urls import reverse

from accounts.models import User
from institutions.models import Institution
from tests.factories import api_token

pytestmark = pytest.mark.django_db


def test_me_requires_authentication(api_client):
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_me_with_a_token_names_role_and_scope(api_client, county_official):
    token = api_token(county_official)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = api_client.get("/api/v1/me/").json()
    assert body["role"] == "official"
    assert body["region"] == "130102"
    assert body["region_level"] == "county"


def test_wrong_token_is_401(api_client, regions):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-real-token")
    assert api_client.get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("township_official", {"长安区阳光托育园"}),
        ("county_official", {"长安区阳光托育园"}),
        ("city_official", {"长安区阳光托育园"}),
        ("other_county_official", set()),
        ("other_city_official", {"襄都区小星星托育园"}),
        ("province_official", {"长安区阳光托育园", "襄都区小星星托育园"}),
        ("other_province_official", set()),
        ("staff", {"长安区阳光托育园"}),
        ("other_staff", {"襄都区小星星托育园"}),
        ("admin_user", {"长安区阳光托育园", "襄都区小星星托育园"}),
    ],
)
def test_each_actor_sees_only_their_area(request, institution, other_institution, actor, expected):
    user = request.getfixturevalue(actor)
    assert set(Institution.objects.visible_to(user).values_list("name", flat=True)) == expected


def test_anonymous_sees_no_institution_through_the_scoped_queryset(institution):
    from django.contrib.auth.models import AnonymousUser

    assert not Institution.objects.visible_to(AnonymousUser()).exists()


def test_official_without_region_cannot_exist(regions):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        User.objects.create(username="lost", role=User.Role.OFFICIAL)


@pytest.mark.parametrize("actor", ["staff", "county_official", "province_official", "admin_user"])
def test_each_role_has_its_home_page(client, request, actor):
    user = request.getfixturevalue(actor)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b'data-testid="home-heading"' in response.content


def test_failed_logins_are_throttled_per_account_and_logged(client, staff, settings):
    from audit.models import AuditEntry

    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": staff.username, "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": staff.username, "password": "correct-horse-42"})
    assert response.status_code == 429  # locked out even with the right password
    assert AuditEntry.objects.filter(action="auth.login_failed", target_id=staff.username).count() >= 3


def test_correct_login_signs_in(client, staff):
    response = client.post(reverse("accounts:login"), {"username": staff.username, "password": "correct-horse-42"})
    assert response.status_code == 302
    assert client.get("/api/v1/me/").json()["username"] == staff.username


def test_official_sessions_expire_after_idle_time_staff_sessions_do_not(client, county_official, staff, settings):
    client.force_login(county_official)
    client.get("/")
    assert client.session.get_expiry_age() == settings.OFFICIAL_SESSION_IDLE_SECONDS
    client.logout()
    client.force_login(staff)
    client.get("/")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
