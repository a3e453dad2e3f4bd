"""Account pages: security (TOTP, personal API tokens), provisioning, invitations, API clients."""

from __future__ import annotations

import re
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login

from portal.forms import add_service_errors

from . import policies, services, tokens
from .forms import (
    AccountForm,
    ApiClientForm,
    InvitationAcceptForm,
    InvitationForm,
    PersonalTokenForm,
    RescopeForm,
    TOTPCodeForm,
)
from .middleware import SECOND_FACTOR_SESSION_KEY, must_enrol_totp
from .models import ApiClient, Invitation, PersonalToken, User
from .policies import require
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
    return _security_page(request, device=device, form=form)


def _security_page(request, *, device, form, token_form=None, new_token=None, status=200):
    context = {"device": device, "form": form, "required": must_enrol_totp(request.user),
               "next": request.GET.get("next", ""),
               "token_form": token_form or PersonalTokenForm(), "new_token": new_token,
               "personal_tokens": _personal_tokens(request.user)}
    if device is None:
        pending = services.totp_device_prepare(actor=request.user)
        context.update(qr_svg=mark_safe(qr_svg(pending.config_url)),  # noqa: S308 — our own SVG, no user text in it
                       secret=" ".join(re.findall(".{1,4}", b32encode(pending.bin_key).decode())))
    return render(request, "accounts/security.html", context, status=status)


def _personal_tokens(user) -> list:
    rows = list(PersonalToken.objects.filter(user=user).order_by("-created_at", "-pk")[:100])
    used = tokens.last_used([f"personal:{t.pk}" for t in rows])
    for t in rows:
        t.last_used_at = used.get(f"personal:{t.pk}")
    return rows


@login_required
@require_POST
def token_create(request):
    """Makes a personal API token and shows it once, on the security page itself (never stored in the session)."""
    form = PersonalTokenForm(request.POST)
    device = services.totp_device_for(request.user)
    if form.is_valid():
        try:
            _token, raw = services.personal_token_create(actor=request.user, name=form.cleaned_data["name"],
                                                         scopes=form.cleaned_data["scopes"],
                                                         days=form.cleaned_data["days"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _security_page(request, device=device, form=TOTPCodeForm(), new_token=raw)
    return _security_page(request, device=device, form=TOTPCodeForm(), token_form=form, status=400)


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(PersonalToken.objects.filter(user=request.user), pk=pk)
    services.personal_token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token “%(name)s” was revoked: it no longer works.") % {"name": token.name})
    return redirect("accounts:security")


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


# --- Provisioning: accounts one level down ---------------------------------------------------------

def _provisioned_regions(user):
    from regions.models import Region

    if policies.is_admin(user):
        return list(Region.objects.filter(level__in=[Region.Level.PROVINCE, Region.Level.CITY]).order_by("code"))
    return list(Region.objects.filter(parent_id=user.region_id).order_by("code"))


def _county_institutions(user):
    from institutions.models import Institution

    if policies.invites_staff(user):
        return list(Institution.objects.filter(region__code__startswith=user.region_id).order_by("name")[:500])
    return []


def _managed_accounts(user):
    rows = list(User.objects.visible_to(user).exclude(pk=user.pk).select_related("region", "institution")
                .order_by("-is_active", "region_id", "username")[:300])
    return [(account, policies.manages_account(user, account)) for account in rows]


@login_required
@require_http_methods(["GET", "POST"])
def people(request):
    """Accounts of the area one level down: create (with a one-time password link), list, manage."""
    require(policies.provisions_anyone(request.user))
    regions, institutions = _provisioned_regions(request.user), _county_institutions(request.user)
    form = AccountForm(request.POST or None, regions=regions, institutions=institutions)
    created = setup_url = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        role = User.Role.OFFICIAL if data.get("region") else User.Role.INSTITUTION_STAFF
        try:
            created = services.account_create(
                actor=request.user, username=data["username"], role=role, region_id=data.get("region") or None,
                institution_id=int(data["institution"]) if data.get("institution") else None,
                first_name=data["first_name"], last_name=data["last_name"], phone=data["phone"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            setup_url = request.build_absolute_uri(services.password_setup_path(created))
            form = AccountForm(regions=regions, institutions=institutions)
    return render(request, "accounts/people.html", {
        "form": form, "created": created, "setup_url": setup_url, "accounts": _managed_accounts(request.user),
        "invites": policies.invites_staff(request.user)}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def person(request, pk):
    """One account: move it to another region one level down, deactivate or reactivate it."""
    account = get_object_or_404(User.objects.visible_to(request.user).select_related("region", "institution"), pk=pk)
    require(policies.manages_account(request.user, account))
    regions = _provisioned_regions(request.user) if policies.is_official(account) else []
    form = RescopeForm(request.POST if request.POST.get("action") == "rescope" else None, regions=regions,
                       initial={"region": account.region_id})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("deactivate", "reactivate"):
                services.account_set_active(actor=request.user, account=account, active=action == "reactivate")
                messages.success(request, _("The account was deactivated: it can no longer sign in or use its tokens.")
                                 if action == "deactivate" else _("The account was reactivated."))
                return redirect("accounts:person", pk=account.pk)
            if action == "rescope" and regions and form.is_valid():
                services.account_rescope(actor=request.user, account=account, region_id=form.cleaned_data["region"],
                                         institution_id=None)
                messages.success(request, _("The account now works for %(region)s.")
                                 % {"region": form.cleaned_data["region"]})
                return redirect("accounts:person", pk=account.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, "accounts/person.html", {"account": account, "form": form if regions else None},
                  status=400 if form.errors else 200)


# --- Invitations for institution staff --------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def invitations(request):
    """A county's one-time invitation codes for institution staff: make one (shown once), list, withdraw."""
    require(policies.invites_staff(request.user))
    institutions = _county_institutions(request.user)
    form = InvitationForm(request.POST or None, institutions=institutions)
    code = accept_url = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _invitation, code = services.invitation_create(
                actor=request.user, county_code=request.user.region_id,
                institution_id=int(data["institution"]) if data.get("institution") else None,
                note=data["note"], days=data["days"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            from .api import invitation_accept_path

            accept_url = request.build_absolute_uri(invitation_accept_path(code))
            form = InvitationForm(institutions=institutions)
    rows = Invitation.objects.visible_to(request.user).select_related("institution", "accepted_by")[:200]
    return render(request, "accounts/invitations.html", {
        "form": form, "code": code, "accept_url": accept_url, "invitations": rows},
        status=400 if form.errors else 200)


@login_required
@require_POST
def invitation_revoke(request, pk):
    invitation = get_object_or_404(Invitation.objects.visible_to(request.user), pk=pk)
    services.invitation_revoke(actor=request.user, invitation=invitation)
    messages.success(request, _("The invitation was withdrawn."))
    return redirect("accounts:invitations")


@require_http_methods(["GET", "POST"])
def invitation_accept(request, code=""):
    """The invitee's page: with the code (typed, or in the link), create one's staff account and sign in."""
    from django.contrib.auth import login

    form = InvitationAcceptForm(request.POST or None, initial={"code": code})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = services.invitation_accept(code=data["code"], username=data["username"],
                                                 password=data["password1"], first_name=data["first_name"],
                                                 last_name=data["last_name"], phone=data["phone"])
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error({"password": "password1"}.get(field, field) if field in
                               ("code", "username", "password", "first_name", "last_name", "phone") else None, errors)
        else:
            login(request, account, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your staff account is ready."))
            return redirect("institutions:mine")
    return render(request, "accounts/invitation_accept.html", {"form": form},
                  status=400 if form.errors else 200)


# --- API clients (administrators) --------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def clients(request):
    """Other systems' OAuth 2.0 client credentials: register (secret shown once), list with last use, revoke."""
    require(policies.registers_api_clients(request.user))
    form = ApiClientForm(request.POST or None)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created, secret = services.api_client_register(
                actor=request.user, name=data["name"], role=data["role"], scopes=data["scopes"],
                region_id=data["region"] or None, institution_id=data["institution"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            form = ApiClientForm()
    rows = list(ApiClient.objects.select_related("application", "service_account__region")[:200])
    used = tokens.last_used([f"client:{c.pk}" for c in rows])
    for c in rows:
        c.last_used_at = used.get(f"client:{c.pk}")
    return render(request, "accounts/clients.html", {
        "form": form, "created": created, "secret": secret, "clients": rows,
        "token_url": request.build_absolute_uri("/api/v1/oauth/token/")}, status=400 if form.errors else 200)


@login_required
@require_POST
def client_revoke(request, pk):
    require(policies.registers_api_clients(request.user))
    client = get_object_or_404(ApiClient, pk=pk)
    services.api_client_revoke(client=client, actor=request.user)
    messages.success(request, _("The client “%(name)s” was revoked: its tokens no longer work.")
                     % {"name": client.name})
    return redirect("accounts:clients")
