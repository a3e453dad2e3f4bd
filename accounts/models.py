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


class UserQuerySet(models.QuerySet):
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
    pass


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
            ),
        ]

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
    def role_label(self) -> str:
        if policies.is_official(self):
            return _("%(region)s official") % {"region": self.region.name}
        return self.get_role_display()
