"""Account security pages: enrol or remove a TOTP device, and the second sign-in step."""

from __future__ import annotations

import re
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login

from . import services
from .forms import TOTPCodeForm
from .middleware import SECOND_FACTOR_SESSION_KEY, must_enrol_totp
from .services import CodeCheck


def qr_svg(data: str) -> str:
    """The QR code of `data` as inline SVG markup, drawn server-side (the CSP allows no inline scripts)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, border=2)
    svg = image.to_string(encoding="unicode")
    # Scale with the page instead of the fixed millimetre size qrcode writes.
    return re.sub(r'width="[^"]*" height="[^"]*"', 'width="100%" height="100%" role="img" aria-hidden="true"',
                  svg, count=1)


def _code_error(form: TOTPCodeForm, check: CodeCheck) -> None:
    if check.throttled:
        local = timezone.localtime(check.locked_until)
        form.add_error("code", _("Too many wrong codes. Try again after %(time)s.")
                       % {"time": formats.time_format(local, "H:i:s")})
    else:
        form.add_error("code", _("This code is not valid. Enter the code your app shows now."))


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
@require_http_methods(["GET", "POST"])
def security(request):
    """Account security: the second factor's state, enrolment with a QR code, removal with a code."""
    device = services.totp_device_for(request.user)
    form = TOTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if device is not None and request.POST.get("action") == "remove":
            check = services.totp_device_remove(device=device, token=code, actor=request.user)
            if check.accepted:
                request.session.pop(DEVICE_ID_SESSION_KEY, None)
                request.session.pop(SECOND_FACTOR_SESSION_KEY, None)
                messages.success(request, _("The authenticator app was removed. You sign in with your password only."))
                return redirect("accounts:security")
            _code_error(form, check)
        elif device is None and request.POST.get("action") == "confirm":
            pending = services.totp_device_prepare(actor=request.user)
            check = services.totp_device_confirm(device=pending, token=code, actor=request.user)
            if check.accepted:
                pending.refresh_from_db()
                # Every other session of this user has just ended; this one proved it holds the device
                # and stays signed in. Later sign-ins ask for a code.
                update_session_auth_hash(request, request.user)
                otp_login(request, pending)
                request.session[SECOND_FACTOR_SESSION_KEY] = True
                messages.success(request, _("Two-step sign-in is on. From now on you also enter a code "
                                            "when you sign in."))
                return redirect(_next_url(request) if must_enrol_totp(request.user) else "accounts:security")
            _code_error(form, check)
    context = {"device": device, "form": form, "required": must_enrol_totp(request.user),
               "next": request.GET.get("next", "")}
    if device is None:
        pending = services.totp_device_prepare(actor=request.user)
        context.update(qr_svg=mark_safe(qr_svg(pending.config_url)),  # noqa: S308 — our own SVG, no user text in it
                       secret=" ".join(re.findall(".{1,4}", b32encode(pending.bin_key).decode())))
    return render(request, "accounts/security.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second sign-in step: a code from the user's authenticator app makes the session verified."""
    device = services.totp_device_for(request.user)
    if device is None:
        # Removed from another session since this one signed in: nothing left to ask for.
        request.session.pop(SECOND_FACTOR_SESSION_KEY, None)
        return redirect(_next_url(request))
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = TOTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = services.totp_device_verify(device=device, token=form.cleaned_data["code"], actor=request.user)
        if check.accepted:
            otp_login(request, device)
            return redirect(_next_url(request))
        _code_error(form, check)
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})
