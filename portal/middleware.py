from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header: scripts only from our own origin.

    API documentation pages (Swagger UI) need an inline bootstrap script from drf-spectacular's
    sidecar, so they are the one place the policy is relaxed, and only for that path.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            policy = settings.CONTENT_SECURITY_POLICY
            if request.path.startswith(("/api/v1/docs/", "/api/v1/redoc/")):
                policy = policy.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
                # ReDoc runs its search index in a worker it creates from a blob: URL.
                policy += "; worker-src 'self' blob:"
            response["Content-Security-Policy"] = policy
        return response


class ChineseFirstMiddleware:
    """Pages open in Simplified Chinese unless the user chose another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an English-language
    browser in a county office would get English pages nobody asked for. The choice is the user's
    (the language cookie set by the switch). API clients keep content negotiation by header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
