import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

TOUCH_EVERY_SECONDS = 300


def _is_official(user) -> bool:
    return user.is_authenticated and (user.is_official or user.is_system_admin)


def _touch(session) -> None:
    session.set_expiry(settings.OFFICIAL_SESSION_IDLE_SECONDS)
    session["idle_touched"] = int(time.time())


@receiver(user_logged_in)
def start_official_idle_timeout(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session") and _is_official(user):
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
        if user is not None and _is_official(user):
            session = request.session
            if int(time.time()) - session.get("idle_touched", 0) > TOUCH_EVERY_SECONDS:
                _touch(session)
        return self.get_response(request)
