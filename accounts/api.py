"""The accounts API: the caller, personal tokens, API clients, provisioning and invitations.

Accounts are scoped by `User.objects.visible_to` (an account outside the caller's area is a 404); who
may change one is decided by accounts.policies in the services (403 inside the area).
The token endpoint itself is django-oauth-toolkit's (`/api/v1/oauth/token/`), audited here.
"""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from oauth2_provider.views import RevokeTokenView, TokenView
from rest_framework import exceptions, generics, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.schema import ERROR_RESPONSES, READ_ERRORS, WRITE_ERRORS
from portal.api.serializers import validated
from portal.api.throttling import AnonWindowThrottle

from . import policies, services, tokens
from .models import ApiClient, Invitation, PersonalToken, User
from .scopes import SELF_AREA
from .serializers import (
    AccountCreatedSerializer,
    AccountCreateSerializer,
    AccountRescopeSerializer,
    AccountSerializer,
    ApiClientCreatedSerializer,
    ApiClientCreateSerializer,
    ApiClientSerializer,
    CurrentUserSerializer,
    InvitationAcceptedSerializer,
    InvitationAcceptSerializer,
    InvitationCreatedSerializer,
    InvitationCreateSerializer,
    InvitationSerializer,
    PersonalTokenSerializer,
)

TAGS = ["accounts"]


@extend_schema(tags=TAGS, responses={200: CurrentUserSerializer, **ERROR_RESPONSES})
class CurrentUserView(generics.RetrieveAPIView):
    """The signed-in user, their role and the area or institution their access is scoped to.
    Readable with any token."""

    serializer_class = CurrentUserSerializer
    api_area = SELF_AREA

    def get_object(self):
        return self.request.user


# --- The token endpoint (django-oauth-toolkit), audited ----------------------------------------------

@method_decorator(transaction.atomic, name="post")
class AuditedTokenView(TokenView):
    """OAuth 2.0 token endpoint (client credentials): each token handed out is audited in the same
    transaction as its row."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            import json

            from oauth2_provider.models import AccessToken

            body = json.loads(response.content)
            token = (AccessToken.objects.select_related("application__portal_client")
                     .filter(token_checksum=tokens.checksum(body.get("access_token", ""))).first())
            client = getattr(getattr(token, "application", None), "portal_client", None)
            if client is not None:
                services.api_client_token_issued(client=client, scope=token.scope, expires=token.expires)
        return response


@method_decorator(transaction.atomic, name="post")
class PortalRevokeTokenView(RevokeTokenView):
    """RFC 7009 revocation: a client revokes one of its own tokens (with its credentials); audited when a
    token of the client was revoked."""

    def post(self, request, *args, **kwargs):
        from oauth2_provider.models import AccessToken

        raw = request.POST.get("token", "")
        before = (AccessToken.objects.select_related("application__portal_client")
                  .filter(token_checksum=tokens.checksum(raw)).first()) if raw else None
        response = super().post(request, *args, **kwargs)
        client = getattr(getattr(before, "application", None), "portal_client", None)
        if response.status_code == 200 and client is not None \
                and not AccessToken.objects.filter(pk=before.pk).exists():
            services.api_client_token_revoked(client=client, token_id=before.pk)
        return response


# --- Personal tokens ----------------------------------------------------------------------------------

def _with_last_used(objects, kind: str):
    used = tokens.last_used([f"{kind}:{o.pk}" for o in objects])
    for o in objects:
        o.last_used_at = used.get(f"{kind}:{o.pk}")
    return objects


@extend_schema(tags=TAGS, responses={200: PersonalTokenSerializer(many=True), **ERROR_RESPONSES})
class PersonalTokenListView(generics.ListAPIView):
    """The caller's own personal tokens (never the tokens themselves), with when each was last used.
    Tokens are made on the security page in the browser (`/accounts/security/`)."""

    serializer_class = PersonalTokenSerializer
    pagination_class = None
    queryset = PersonalToken.objects.none()  # for the schema; get_queryset scopes it
    api_area = SELF_AREA

    def get_queryset(self):
        return PersonalToken.objects.filter(user=self.request.user).order_by("-created_at", "-pk")

    def list(self, request, *args, **kwargs):
        rows = _with_last_used(list(self.get_queryset()), "personal")
        return Response(self.get_serializer(rows, many=True).data)


@extend_schema(tags=TAGS, request=None, responses={200: PersonalTokenSerializer, **READ_ERRORS})
class PersonalTokenRevokeView(APIView):
    """Revokes one of the caller's personal tokens at once (administrators: anyone's). Safe to repeat."""

    def post(self, request, pk):
        queryset = PersonalToken.objects.all() if policies.is_admin(request.user) else \
            PersonalToken.objects.filter(user=request.user)
        token = get_object_or_404(queryset.select_related("user"), pk=pk)
        token = services.personal_token_revoke(token=token, actor=request.user)
        return Response(PersonalTokenSerializer(_with_last_used([token], "personal")[0]).data)


# --- API clients (administrators) ------------------------------------------------------------------

def _admins_only(request):
    if not policies.registers_api_clients(request.user):
        raise exceptions.PermissionDenied(_("Only administrators manage API clients."))


@extend_schema_view(
    get=extend_schema(tags=TAGS, responses={200: ApiClientSerializer(many=True), **ERROR_RESPONSES}),
    post=extend_schema(tags=TAGS, request=ApiClientCreateSerializer,
                       responses={201: ApiClientCreatedSerializer, **WRITE_ERRORS}),
)
class ApiClientListView(generics.ListAPIView):
    """Other systems registered for OAuth 2.0 client credentials (administrators only). Registering one
    creates its service account with the given role and region; the secret is returned once."""

    serializer_class = ApiClientSerializer

    def get_queryset(self):
        return ApiClient.objects.select_related("application", "service_account__region",
                                                "service_account__institution").order_by("-created_at", "-pk")

    def list(self, request, *args, **kwargs):
        _admins_only(request)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(_with_last_used(page, "client"), many=True).data)

    def post(self, request):
        _admins_only(request)
        v = validated(ApiClientCreateSerializer, request)
        client, secret = services.api_client_register(
            actor=request.user, name=v["name"], role=v["role"], scopes=v["scope"],
            region_id=v.get("region") or None, institution_id=v.get("institution"))
        client.client_secret = secret
        client.last_used_at = None
        return Response(ApiClientCreatedSerializer(client).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, request=None, responses={200: ApiClientSerializer, **READ_ERRORS})
class ApiClientRevokeView(APIView):
    """Revokes a client: its tokens stop at once and its service account is deactivated. Safe to repeat."""

    def post(self, request, pk):
        _admins_only(request)
        client = get_object_or_404(ApiClient.objects.select_related("application", "service_account"), pk=pk)
        client = services.api_client_revoke(client=client, actor=request.user)
        return Response(ApiClientSerializer(_with_last_used([client], "client")[0]).data)


# --- Provisioning ---------------------------------------------------------------------------------

def _accounts(user):
    return User.objects.visible_to(user).select_related("region", "institution", "api_client")


@extend_schema_view(
    get=extend_schema(tags=TAGS, responses={200: AccountSerializer(many=True), **ERROR_RESPONSES}),
    post=extend_schema(tags=TAGS, request=AccountCreateSerializer,
                       responses={201: AccountCreatedSerializer, **WRITE_ERRORS}),
)
class AccountListView(generics.ListAPIView):
    """Accounts in the caller's area. Creating one: administrators any; officials those of the regions one
    level below their own; a county the staff of its institutions. The response carries a one-time link
    for the owner to choose a password (no e-mail is sent)."""

    serializer_class = AccountSerializer
    queryset = User.objects.none()  # for the schema; get_queryset scopes it

    def get_queryset(self):
        if policies.is_institution_staff(self.request.user):
            return User.objects.none()
        return _accounts(self.request.user).order_by("username")

    def post(self, request):
        v = validated(AccountCreateSerializer, request)
        account = services.account_create(
            actor=request.user, username=v["username"], role=v["role"], region_id=v.get("region") or None,
            institution_id=v.get("institution"), first_name=v.get("first_name", ""),
            last_name=v.get("last_name", ""), email=v.get("email", ""), phone=v.get("phone", ""))
        account.password_setup_url = request.build_absolute_uri(services.password_setup_path(account))
        return Response(AccountCreatedSerializer(account).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(tags=TAGS, responses={200: AccountSerializer, **READ_ERRORS}),
    patch=extend_schema(tags=TAGS, request=AccountRescopeSerializer,
                        responses={200: AccountSerializer, **WRITE_ERRORS}),
)
class AccountDetailView(generics.RetrieveAPIView):
    """One account of the caller's area; PATCH re-scopes it (region, institution; role for administrators)."""

    serializer_class = AccountSerializer

    def get_queryset(self):
        return _accounts(self.request.user)

    def patch(self, request, pk):
        account = self.get_object()
        v = validated(AccountRescopeSerializer, request)
        account = services.account_rescope(
            actor=request.user, account=account, role=v.get("role"),
            region_id=v.get("region", account.region_id), institution_id=v.get("institution", account.institution_id))
        return Response(AccountSerializer(account).data)


class _AccountActiveView(APIView):
    active = False

    def post(self, request, pk):
        account = get_object_or_404(_accounts(request.user), pk=pk)
        account = services.account_set_active(actor=request.user, account=account, active=self.active)
        return Response(AccountSerializer(account).data)


@extend_schema(tags=TAGS, request=None, responses={200: AccountSerializer, **READ_ERRORS})
class AccountDeactivateView(_AccountActiveView):
    """Deactivates an account: it cannot sign in, its sessions and tokens stop at once. Safe to repeat."""

    active = False


@extend_schema(tags=TAGS, request=None, responses={200: AccountSerializer, **READ_ERRORS})
class AccountReactivateView(_AccountActiveView):
    """Reactivates a deactivated account. Safe to repeat."""

    active = True


# --- Invitations ----------------------------------------------------------------------------------

@extend_schema_view(
    get=extend_schema(tags=TAGS, responses={200: InvitationSerializer(many=True), **ERROR_RESPONSES}),
    post=extend_schema(tags=TAGS, request=InvitationCreateSerializer,
                       responses={201: InvitationCreatedSerializer, **WRITE_ERRORS}),
)
class InvitationListView(generics.ListAPIView):
    """One-time codes a county hands to institution staff. The code is returned once, with the page where
    the invitee uses it; only a hash is kept."""

    serializer_class = InvitationSerializer

    def get_queryset(self):
        return Invitation.objects.visible_to(self.request.user).select_related("institution")

    def post(self, request):
        v = validated(InvitationCreateSerializer, request)
        invitation, code = services.invitation_create(
            actor=request.user, county_code=v["region"], institution_id=v.get("institution"),
            note=v.get("note", ""), days=v.get("days"))
        invitation.code = code
        invitation.accept_url = request.build_absolute_uri(invitation_accept_path(code))
        return Response(InvitationCreatedSerializer(invitation).data, status=status.HTTP_201_CREATED)


def invitation_accept_path(code: str) -> str:
    from django.urls import reverse

    return reverse("accounts:invitation_accept", kwargs={"code": code})


@extend_schema(tags=TAGS, request=None, responses={200: InvitationSerializer, **READ_ERRORS})
class InvitationRevokeView(APIView):
    """Withdraws an open invitation. Safe to repeat."""

    def post(self, request, pk):
        invitation = get_object_or_404(Invitation.objects.visible_to(request.user), pk=pk)
        invitation = services.invitation_revoke(actor=request.user, invitation=invitation)
        return Response(InvitationSerializer(invitation).data)


class InvitationAcceptThrottle(AnonWindowThrottle):
    """Guessing codes is hopeless at 100 bits, and slower still at this rate per address."""

    scope = "invitation"

    def get_rate(self):
        return self.THROTTLE_RATES.get(self.scope, "20/min")

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


@extend_schema(tags=TAGS, auth=[], request=InvitationAcceptSerializer,
               responses={201: InvitationAcceptedSerializer, 400: WRITE_ERRORS[400],
                          429: OpenApiResponse(description="Too many attempts from this address.")})
class InvitationAcceptView(APIView):
    """Uses a one-time invitation code to create one's staff account (no sign-in needed). With
    `token_scope`, the answer also carries a personal token of the new account, shown once."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [InvitationAcceptThrottle]
    api_area = SELF_AREA

    def post(self, request):
        v = validated(InvitationAcceptSerializer, request)
        with transaction.atomic():
            account = services.invitation_accept(
                code=v["code"], username=v["username"], password=v["password"],
                first_name=v.get("first_name", ""), last_name=v.get("last_name", ""), phone=v.get("phone", ""))
            raw = None
            if v.get("token_scope"):
                _token, raw = services.personal_token_create(
                    actor=account, name=_("Created with the invitation"), scopes=v["token_scope"],
                    days=v.get("token_days") or 30)
        return Response({"account": AccountSerializer(account).data, "token": raw}, status=status.HTTP_201_CREATED)
