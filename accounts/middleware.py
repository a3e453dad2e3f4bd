import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import policies

TOUCH_EVERY_SECONDS = 300


def _touch(session) -> None:
    session.set_expiry(settings.OFFICIAL_SESSION_IDLE_SECONDS)
    session["idle_touched"] = int(time.time())


@receiver(user_logged_in)
def start_official_idle_timeout(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session") and policies.is_official_or_admin(user):
        _touch(request.session)


class OfficialSessionTimeoutMiddleware:
    """Officials' sessions end after a short idle time (they can see a whole area's data).

    The timeout starts at login; the expiry is renewed at most every five minutes, so it counts idle
    time without writing the session on every request (that would cost every page a query).
    Institution staff keep the ordinary session length (SESSION_COOKIE_AGE).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and policies.is_official_or_admin(user):
            session = request.session
            if int(time.time()) - session.get("idle_touched", 0) > TOUCH_EVERY_SECONDS:
                _touch(session)
        return self.get_response(request)


# --- Second factor (TOTP) ------------------------------------------------------------------------

# Set at login when the account has a confirmed TOTP device: this session still owes a code.
SECOND_FACTOR_SESSION_KEY = "second_factor_required"

# What a signed-in user who still owes a code (or, where it is required, an enrolment) may reach.
VERIFY_ALLOWED = frozenset({"accounts:verify", "accounts:logout", "set_language", "javascript-catalog", "healthz"})
ENROL_ALLOWED = frozenset({"accounts:security", "accounts:logout", "set_language", "javascript-catalog", "healthz"})


def must_enrol_totp(user) -> bool:
    """With OFFICIALS_REQUIRE_TOTP, officials and administrators (who see whole areas) need a device."""
    return settings.OFFICIALS_REQUIRE_TOTP and policies.is_official_or_admin(user)


@receiver(user_logged_in)
def require_second_factor(sender, request, user, **kwargs):
    # One query per login, so that ordinary requests need none to know whether a code is owed.
    if (request is not None and hasattr(request, "session")
            and TOTPDevice.objects.filter(user=user, confirmed=True).exists()):
        request.session[SECOND_FACTOR_SESSION_KEY] = True


class SecondFactorMiddleware:
    """Until a session has passed the second step, it reaches only the verify page and logout.

    A user with a confirmed TOTP device signs in with the password first (django-axes still throttles
    that step); the session then counts as verified only after django_otp's `login(request, device)`
    on the verify page. Everything else — pages and the session-authenticated API alike — answers
    with a redirect to the verify page (pages) or a 403 JSON error (/api/). With OFFICIALS_REQUIRE_TOTP,
    an official or administrator without a device is sent to the account security page to enrol one.

    Out of scope: API clients that authenticate with a token (no session, so nothing is checked here);
    tokens are issued by administrators and are a credential of their own.
    Must come after django_otp's OTPMiddleware, which gives `request.user.is_verified()`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            owed = self._owed(request, user)
            if owed is not None:
                return self._refuse(request, owed)
        return self.get_response(request)

    def _owed(self, request, user) -> str | None:
        """"verify", "enrol" or None (nothing owed)."""
        if request.session.get(SECOND_FACTOR_SESSION_KEY):
            return None if user.is_verified() else "verify"
        if must_enrol_totp(user) and not user.is_verified():
            # Enrolled from another session after this one signed in: ask for a code, not a new device.
            if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                request.session[SECOND_FACTOR_SESSION_KEY] = True
                return "verify"
            return "enrol"
        return None

    def _refuse(self, request, owed: str):
        try:
            view_name = resolve(request.path_info).view_name
        except Resolver404:
            view_name = None
        if view_name in (VERIFY_ALLOWED if owed == "verify" else ENROL_ALLOWED):
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            if owed == "verify":
                message = gettext("Enter the code from your authenticator app on the sign-in page first.")
            else:
                message = gettext("Set up an authenticator app on the account security page first.")
            return JsonResponse({"error": {"code": "second_factor_required", "message": message}}, status=403)
        target = reverse("accounts:verify" if owed == "verify" else "accounts:security")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)
