from django.db import connection
from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import policies


@require_GET
def home(request):
    """The home page of each role: the public see the register, signed-in users their workspace."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "portal/home_public.html")
    if policies.is_admin(user):
        return render(request, "portal/home_admin.html")
    if policies.is_official(user):
        return render(request, "portal/home_official.html", {"region": user.region,
                                                              "ancestors": user.region.ancestors()})
    if policies.is_institution_staff(user):
        institution = user.institution if policies.is_linked_staff(user) else None
        return render(request, "portal/home_staff.html", {"institution": institution})
    return redirect("accounts:login")


TEXT_SIZE_COOKIE = "text_size"  # read by portal.context_processors


@require_POST
def text_size(request):
    """The larger-text mode (适老化): the choice is kept in a cookie for a year, so it holds before
    signing in and on a shared office computer it is the browser's, like the language. Changes nothing
    stored; back to the page the switch was on."""
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.POST.get("size") == "large":
        response.set_cookie(TEXT_SIZE_COOKIE, "large", max_age=365 * 24 * 3600, samesite="Lax",
                            secure=request.is_secure())
    else:
        response.delete_cookie(TEXT_SIZE_COOKIE, samesite="Lax")
    return response


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (Django's admin): the portal's mark."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


@never_cache
@require_GET
def healthz(request):
    """Liveness and database reachability, for load balancers and compose health checks: 503 with
    Retry-After while the database is unreachable (portal.health), and how many task calls wait in the
    outbox (a number that grows while the broker is away)."""
    from portal.dispatch import outbox_pending

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "outbox_pending": outbox_pending()})


@require_GET
def constant_json(request):
    """The load benchmark's reference: a bare Django endpoint returning constant JSON (DEBUG only)."""
    return JsonResponse({"status": "ok", "places": 138000})


def _api_error(request, status: int, code: str, message: str):
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def handler404(request, exception=None):
    """API paths answer in the API's error format; pages get the portal's 404 page."""
    if request.path.startswith("/api/"):
        return _api_error(request, 404, "not_found", "Not found.")
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request):
    from portal.health import current_exception_is_database_unavailable, unavailable_response

    if current_exception_is_database_unavailable():  # raised before the view (session, user): still a 503
        return unavailable_response(request)
    if request.path.startswith("/api/"):
        return _api_error(request, 500, "server_error", "Server error; it has been logged.")
    from django.views.defaults import server_error

    return server_error(request)


def handler400(request, exception=None):
    if request.path.startswith("/api/"):
        return _api_error(request, 400, "bad_request", "Bad request.")
    from django.views.defaults import bad_request

    return bad_request(request, exception)


def handler403(request, exception=None):
    """A refusal about an object outside the caller's area is answered as not found (see accounts.policies)."""
    if exception is not None and policies.denial_status(exception) == 404:
        return handler404(request, exception)
    if request.path.startswith("/api/"):
        return _api_error(request, 403, "permission_denied", "You do not have permission to do this.")
    from django.views.defaults import permission_denied

    return permission_denied(request, exception)
