from django.conf import settings


class OfficialSessionTimeoutMiddleware:
    """Officials' sessions end after a short idle time (they can see a whole area's data).

    Each request by an official renews the expiry, so the timeout counts idle time, not session age.
    Institution staff keep the ordinary session length (SESSION_COOKIE_AGE).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and (user.is_official or user.is_system_admin):
            request.session.set_expiry(settings.OFFICIAL_SESSION_IDLE_SECONDS)
        return self.get_response(request)
