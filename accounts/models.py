"""Users and their roles.

A user has one role. Institution staff belong to one institution; an official belongs to one
region, and the region's level makes them a province, city, county or township official; a system
administrator sees everything. What each may see is decided in each model's `visible_to(user)`.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts import policies
from portal.fields import change_feed_index, updated_at_field
from portal.querysets import AreaQuerySet


class UserQuerySet(AreaQuerySet):
    def visible_to(self, user) -> "UserQuerySet":
        """Administrators see all accounts; officials those of their area; staff their colleagues."""
        if not user.is_authenticated:
            return self.none()
        if policies.is_admin(user):
            return self.all()
        if policies.is_official(user):
            return self.filter(Q(region__code__startswith=user.region_id)
                               | Q(institution__region__code__startswith=user.region_id))
        if policies.is_linked_staff(user):
            return self.filter(institution_id=user.institution_id)
        return self.filter(pk=user.pk)


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # A superuser administers: without this its role would be the field's default, "staff".
        extra_fields.setdefault("role", User.Role.SYSTEM_ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    class Role(models.TextChoices):
        INSTITUTION_STAFF = "staff", _("Institution staff")
        OFFICIAL = "official", _("Health commission official")
        SYSTEM_ADMIN = "admin", _("System administrator")

    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.INSTITUTION_STAFF)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="officials", help_text=_("For officials: the area they work for."),
    )
    institution = models.ForeignKey(
        "institutions.Institution", verbose_name=_("institution"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="staff_accounts",
        help_text=_("For institution staff: the institution they work for."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    session_stamp = models.CharField(
        _("session stamp"), max_length=32, blank=True, editable=False,
        help_text=_("Changed when the second factor is turned on or reset by an administrator: every other "
                    "session of the user ends."))
    updated_at = updated_at_field()

    objects = PortalUserManager()

    # Django ends a session when the hash stored in it no longer matches: on a password change, and
    # here also when the stamp changes. An empty stamp gives the same hash as Django's own.
    def _session_hash(self, secret=None) -> str:
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(key_salt, self.password + self.session_stamp, secret=secret, algorithm="sha256").hexdigest()

    def get_session_auth_hash(self) -> str:
        return self._session_hash()

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=fallback_secret)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="official") | Q(region__isnull=False),
                name="official_has_region",
                violation_error_message=_("Region: an official has a region."),
                violation_error_code="official_without_region",
            ),
        ]
        indexes = [change_feed_index("user_updated_idx")]

    @property
    def is_system_admin(self) -> bool:
        return self.is_authenticated and (self.role == self.Role.SYSTEM_ADMIN or self.is_superuser)

    @property
    def is_official(self) -> bool:
        return self.role == self.Role.OFFICIAL and not self.is_superuser

    @property
    def is_institution_staff(self) -> bool:
        return self.role == self.Role.INSTITUTION_STAFF and not self.is_superuser

    @property
    def official_level(self) -> str | None:
        """province, city, county or township: the level of the official's region."""
        return policies.official_level(self)

    @property
    def effective_role(self) -> str:
        """The role access is decided by: a superuser is an administrator whatever its role field says."""
        return self.Role.SYSTEM_ADMIN if self.is_superuser else self.role

    @property
    def role_label(self) -> str:
        if policies.is_official(self):
            return _("%(region)s official") % {"region": self.region.name}
        return self.Role(self.effective_role).label


class ApiClient(models.Model):
    """Another system (a province's information system, a statistics bureau) calling the API with OAuth 2.0
    client credentials. An administrator registers it; it acts as its own service account, whose role and
    region bound everything it may see and do, narrowed further by the scopes it was given."""

    application = models.OneToOneField("oauth2_provider.Application", verbose_name=_("OAuth application"),
                                       on_delete=models.CASCADE, related_name="portal_client")
    name = models.CharField(_("name"), max_length=100)
    service_account = models.OneToOneField(
        User, verbose_name=_("service account"), on_delete=models.PROTECT, related_name="api_client",
        help_text=_("The account the client acts as: its role and region decide what the client may reach."))
    scope = models.CharField(_("scopes"), max_length=500,
                             help_text=_("Space-separated scopes the client may ask for, e.g. metrics:read."))
    created_by = models.ForeignKey(User, verbose_name=_("registered by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    updated_at = updated_at_field()

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["-created_at", "-pk"]
        indexes = [change_feed_index("api_client_updated_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return self.service_account.region_id or ""


class PersonalToken(models.Model):
    """A token a person makes for their own scripts on the security page: expiring, scoped, revocable.

    The token itself is a django-oauth-toolkit access token (stored as its checksum only); this row keeps
    what the owner sees about it after the token is gone: its name, scopes, dates and a short hint."""

    user = models.ForeignKey(User, verbose_name=_("owner"), on_delete=models.CASCADE,
                             related_name="personal_tokens")
    name = models.CharField(_("name"), max_length=80, help_text=_("What the token is for, e.g. “monthly export”."))
    access_token = models.OneToOneField("oauth2_provider.AccessToken", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="personal_token")
    scope = models.CharField(_("scopes"), max_length=500)
    hint = models.CharField(_("starts with"), max_length=12, editable=False,
                            help_text=_("The first characters of the token, to tell tokens apart."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal API token")
        verbose_name_plural = _("personal API tokens")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "created_at"], name="personal_token_user_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return self.user.region_id or ""

    @property
    def audit_institution_id(self):
        return self.user.institution_id

    def is_active(self, now=None) -> bool:
        from django.utils import timezone

        return self.revoked_at is None and self.expires_at > (now or timezone.now())


class TokenUse(models.Model):
    """When a client or personal token was last used, written at most once a minute per token.

    Its own table outside the `accounts_` prefix on purpose: the API cache drops every cached token
    lookup when an accounts table is written (portal/api/cache.py), and a use is not a change."""

    subject = models.CharField(max_length=40, unique=True)  # "client:<id>" or "personal:<id>"
    last_used_at = models.DateTimeField()

    class Meta:
        db_table = "api_token_use"
        verbose_name = _("token use")

    def __str__(self) -> str:
        return f"{self.subject} {self.last_used_at:%Y-%m-%d %H:%M}"


class InvitationQuerySet(AreaQuerySet):
    def visible_to(self, user) -> "InvitationQuerySet":
        """Administrators see every invitation; officials those of their area."""
        return self.in_area_of(user)


class Invitation(models.Model):
    """A one-time code a county hands to an institution's staff (on paper, by phone, in a chat): whoever
    holds it creates their own staff account, of the named institution or to register a new one in the
    county. No mail server is needed. Only the code's SHA-256 is stored; it is shown once."""

    code_checksum = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("starts with"), max_length=12, editable=False)
    region = models.ForeignKey("regions.Region", verbose_name=_("county"), on_delete=models.PROTECT,
                               related_name="+")
    institution = models.ForeignKey("institutions.Institution", verbose_name=_("institution"), null=True,
                                    blank=True, on_delete=models.CASCADE, related_name="invitations",
                                    help_text=_("Leave empty for someone who will register a new institution."))
    note = models.CharField(_("for whom"), max_length=100, blank=True,
                            help_text=_("A name or note to recognise the invitation by; not shown to the invitee."))
    created_by = models.ForeignKey(User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(User, verbose_name=_("accepted by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    updated_at = updated_at_field()

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["region", "created_at"], name="invitation_region_idx"),
                   change_feed_index("invitation_updated_idx")]

    def __str__(self) -> str:
        return f"{self.hint}…"

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    @property
    def audit_institution_id(self):
        return self.institution_id

    @property
    def status(self) -> str:
        from django.utils import timezone

        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        return "expired" if self.expires_at <= timezone.now() else "open"
