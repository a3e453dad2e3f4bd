"""The optional TOTP second factor: enrolment, the second sign-in step, removal, throttling, audit."""

from __future__ import annotations

import datetime
import re
import time
from base64 import b32encode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from tests.factories import UserFactory, api_token

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-42"  # tests.factories.UserFactory


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the user's app would show now (or `steps_ahead` periods later: a code is accepted once)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def forget_failures(device: TOTPDevice) -> None:
    """As if the back-off delay had passed."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(hours=1))


@pytest.fixture
def device(county_official):
    return TOTPDevice.objects.create(user=county_official, name="authenticator", confirmed=True)


def password_login(client, user, next_url: str = ""):
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": user.username, "password": PASSWORD, "next": next_url})


def verified(client, user, device):
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def actions(user) -> list[str]:
    return list(AuditEntry.objects.filter(actor=user, action__startswith="auth.totp").order_by("pk")
                .values_list("action", flat=True))


# --- Enrolment -------------------------------------------------------------------------------------

def test_official_enrols_after_a_wrong_code_then_a_right_one(client, county_official, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the back-off has its own test
    client.force_login(county_official)
    page = client.get(reverse("accounts:security"))
    assert page.status_code == 200
    html = page.content.decode()
    # The QR code is inline SVG, and the page runs no script but the portal's own static files (CSP).
    assert "<svg" in html and not re.findall(r'<script(?![^>]*\bsrc="/static/)', html)
    assert "账号安全" in html and "两步登录未开启" in html, "Simplified Chinese is the default language"
    pending = TOTPDevice.objects.get(user=county_official)
    assert not pending.confirmed
    secret = b32encode(pending.bin_key).decode()
    assert secret[:4] in html

    again = client.get(reverse("accounts:security"))
    assert TOTPDevice.objects.filter(user=county_official).count() == 1, "a reload keeps the scanned secret"
    assert secret[:4] in again.content.decode()

    refused = client.post(reverse("accounts:security"), {"action": "confirm", "code": wrong(code_for(pending))})
    assert refused.status_code == 200
    assert refused["Content-Language"] == "zh-hans"
    assert "验证码无效。请输入应用当前显示的验证码。" in refused.content.decode()
    assert not TOTPDevice.objects.get(pk=pending.pk).confirmed

    done = client.post(reverse("accounts:security"), {"action": "confirm", "code": code_for(pending)})
    assert done.status_code == 302
    assert TOTPDevice.objects.get(pk=pending.pk).confirmed
    assert actions(county_official) == ["auth.totp_enrolled"]
    entry = AuditEntry.objects.get(action="auth.totp_enrolled")
    assert entry.region_code == "130102"
    # The enrolling session proved it holds the device: it keeps working.
    assert client.get(reverse("home")).status_code == 200


def test_enrolling_ends_every_other_session_of_the_user(client, county_official, settings):
    """Another session signed in with the password alone (someone else's, perhaps) ends at once: it must
    sign in again, this time with a code. The enrolling session stays."""
    from django.test import Client

    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    elsewhere = Client()
    elsewhere.force_login(county_official)
    assert elsewhere.get(reverse("filings:queue")).status_code == 200
    client.force_login(county_official)
    client.get(reverse("accounts:security"))
    pending = TOTPDevice.objects.get(user=county_official)
    confirmed = client.post(reverse("accounts:security"), {"action": "confirm", "code": code_for(pending)})
    assert confirmed.status_code == 302
    assert client.get(reverse("filings:queue")).status_code == 200
    response = elsewhere.get(reverse("filings:queue"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_sessions_signed_in_before_the_change_keep_working_without_it(client, county_official):
    """An empty stamp gives Django's own session hash: no one is signed out by the upgrade."""
    from django.contrib.auth.base_user import AbstractBaseUser

    assert county_official.session_stamp == ""
    assert county_official.get_session_auth_hash() == AbstractBaseUser.get_session_auth_hash(county_official)


def test_institution_staff_may_enrol_too(client, staff):
    client.force_login(staff)
    pending = TOTPDevice.objects.filter(user=staff)
    assert client.get(reverse("accounts:security")).status_code == 200
    response = client.post(reverse("accounts:security"), {"action": "confirm", "code": code_for(pending.get())})
    assert response.status_code == 302
    assert pending.get().confirmed


def test_code_must_be_six_digits(client, county_official):
    client.force_login(county_official)
    response = client.post(reverse("accounts:security"), {"action": "confirm", "code": "12ab"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not TOTPDevice.objects.filter(user=county_official, confirmed=True).exists()


def test_security_page_needs_a_signed_in_user(client):
    response = client.get(reverse("accounts:security"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- Sign-in ---------------------------------------------------------------------------------------

def test_user_without_a_device_signs_in_with_the_password_only(client, staff):
    response = password_login(client, staff)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.get("/api/v1/me/").status_code == 200


def test_user_with_a_device_enters_a_code_after_the_password(client, county_official, device):
    response = password_login(client, county_official, next_url="/filings/queue/")
    assert response.status_code == 302
    assert response["Location"] == "/filings/queue/"
    blocked = client.get("/filings/queue/")
    assert blocked.status_code == 302
    assert blocked["Location"].startswith(reverse("accounts:verify"))
    form = client.get(blocked["Location"])
    assert form.status_code == 200
    assert form.context["next"] == "/filings/queue/"

    done = client.post(reverse("accounts:verify"), {"code": code_for(device), "next": "/filings/queue/"})
    assert done.status_code == 302
    assert done["Location"] == "/filings/queue/"
    assert client.get("/filings/queue/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    assert actions(county_official) == []


def test_a_code_counts_only_once(client, county_official, device):
    code = code_for(device)
    client.force_login(county_official)
    assert client.post(reverse("accounts:verify"), {"code": code}).status_code == 302

    other = type(client)()
    other.force_login(county_official)
    forget_failures(device)
    replay = other.post(reverse("accounts:verify"), {"code": code})
    assert replay.status_code == 200
    assert other.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("url", ["/", "/filings/queue/", "/institutions/", "/accounts/security/", "/admin/",
                                 "/no-such-page/"])
def test_unverified_session_reaches_only_the_verify_page(client, county_official, device, url):
    client.force_login(county_official)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:verify"))


def test_unverified_session_cannot_write_either(client, county_official, device):
    client.force_login(county_official)
    response = client.post(reverse("accounts:security"), {"action": "remove", "code": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:verify")
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_unverified_session_gets_403_json_from_the_api(client, county_official, device, method):
    client.force_login(county_official)
    response = getattr(client, method)("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "second_factor_required"


def test_token_clients_are_not_asked_for_a_code(api_client, county_official, device):
    token = api_token(county_official)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api_client.get("/api/v1/me/").status_code == 200


def test_unverified_session_may_sign_out(client, county_official, device):
    client.force_login(county_official)
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 200


def test_wrong_code_is_refused_and_audited(client, county_official, device):
    client.force_login(county_official)
    response = client.post(reverse("accounts:verify"), {"code": wrong(code_for(device))})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert client.get(reverse("home")).status_code == 302
    entry = AuditEntry.objects.get(action="auth.totp_failed")
    assert entry.actor == county_official
    assert entry.after == {"reason": "wrong_code", "failures": 1}


def test_repeated_wrong_codes_are_throttled(client, county_official, device):
    client.force_login(county_official)
    for _ in range(3):
        forget_failures(device)
        client.post(reverse("accounts:verify"), {"code": wrong(code_for(device))})
    # Three failures in a row: the next attempt must wait 4 s, even with the right code.
    response = client.post(reverse("accounts:verify"), {"code": code_for(device)})
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert "验证码错误次数过多。请在" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    assert actions(county_official) == ["auth.totp_failed"] * 4
    assert AuditEntry.objects.filter(action="auth.totp_failed").order_by("pk").last().after["reason"] == "throttled"

    forget_failures(device)
    assert client.post(reverse("accounts:verify"), {"code": code_for(device, steps_ahead=1)}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_failed_passwords_are_still_throttled_by_axes(client, county_official, device, settings):
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": county_official.username, "password": "wrong-one-1"})
    password_login(client, county_official)
    assert "_auth_user_id" not in client.session


def test_verify_page_without_a_device_goes_home(client, staff):
    client.force_login(staff)
    response = client.get(reverse("accounts:verify"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_device_removed_in_another_session_ends_the_second_step(client, county_official, device):
    client.force_login(county_official)
    device.delete()
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("accounts:verify"))
    assert client.get(response["Location"])["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_verify_page_ignores_a_next_url_on_another_site(client, county_official, device):
    client.force_login(county_official)
    response = client.post(reverse("accounts:verify"), {"code": code_for(device), "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


# --- Removal -------------------------------------------------------------------------------------

def test_removal_needs_a_current_code(client, county_official, device):
    verified(client, county_official, device)
    page = client.get(reverse("accounts:security"))
    assert page.status_code == 200
    assert page.context["device"] == device

    refused = client.post(reverse("accounts:security"), {"action": "remove", "code": wrong(code_for(device))})
    assert refused.status_code == 200
    assert TOTPDevice.objects.filter(pk=device.pk).exists()

    forget_failures(device)
    removed = client.post(reverse("accounts:security"), {"action": "remove", "code": code_for(device)})
    assert removed.status_code == 302
    assert not TOTPDevice.objects.filter(user=county_official).exists()
    assert actions(county_official) == ["auth.totp_failed", "auth.totp_removed"]
    assert client.get(reverse("home")).status_code == 200

    client.logout()
    assert password_login(client, county_official).status_code == 302
    assert client.get(reverse("home")).status_code == 200, "no second step once the device is gone"


# --- Required for officials -----------------------------------------------------------------------

def test_required_setting_sends_officials_without_a_device_to_enrol(client, county_official, settings):
    settings.OFFICIALS_REQUIRE_TOTP = True
    client.force_login(county_official)
    response = client.get("/filings/queue/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:security"))
    assert client.get("/api/v1/me/").status_code == 403

    page = client.get(response["Location"])
    assert page.status_code == 200 and page.context["required"]
    pending = TOTPDevice.objects.get(user=county_official)
    done = client.post(reverse("accounts:security"),
                       {"action": "confirm", "code": code_for(pending), "next": "/filings/queue/"})
    assert done.status_code == 302
    assert done["Location"] == "/filings/queue/"
    assert client.get("/filings/queue/").status_code == 200


def test_required_setting_leaves_institution_staff_alone(client, staff, settings):
    settings.OFFICIALS_REQUIRE_TOTP = True
    client.force_login(staff)
    assert client.get(reverse("home")).status_code == 200


def test_required_setting_asks_for_a_code_when_enrolled_from_another_session(client, county_official, settings):
    settings.OFFICIALS_REQUIRE_TOTP = True
    client.force_login(county_official)
    TOTPDevice.objects.create(user=county_official, name="authenticator", confirmed=True)
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("accounts:verify"))


def test_each_user_has_their_own_device(client, county_official, device):
    other = UserFactory(role="official", region_id="130104")
    client.force_login(other)
    assert client.get(reverse("home")).status_code == 200
    assert client.post(reverse("accounts:verify"), {"code": code_for(device)}).status_code == 302
    assert not AuditEntry.objects.filter(action="auth.totp_failed").exists()


def test_second_factor_costs_a_verified_page_at_most_one_query(client, county_official, device):
    other = UserFactory(role="official", region_id="130102")
    plain = type(client)()
    plain.force_login(other)
    plain.get(reverse("home"))
    with CaptureQueriesContext(connection) as without_device:
        assert plain.get(reverse("home")).status_code == 200

    verified(client, county_official, device)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as with_device:
        assert client.get(reverse("home")).status_code == 200
    # django_otp loads the session's device once per request; nothing else is added.
    print(f"home page queries: {len(without_device)} password only, {len(with_device)} with a verified device")
    assert len(with_device) - len(without_device) <= 1, [q["sql"] for q in with_device]


def test_administrator_removes_a_lost_device_in_the_admin_and_it_is_audited(client, admin_user, county_official,
                                                                            device):
    from django.test import Client

    owner_session = Client()
    owner_session.force_login(county_official)  # e.g. a session on the lost phone
    client.force_login(admin_user)
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200
    assert device.key not in page.content.decode(), "the admin never shows the secret"
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403

    response = client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    entry = AuditEntry.objects.get(action="auth.totp_removed")
    assert entry.actor == admin_user
    assert entry.target_id == str(county_official.pk)
    assert entry.after["by_administrator"] is True
    assert owner_session.get(reverse("home")).status_code in (200, 302)
    assert "_auth_user_id" not in owner_session.session  # the owner's sessions ended with the device
