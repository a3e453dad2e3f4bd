"""Chinese names for what Django's admin shows of two third-party apps.

django-axes (login lockout) marks its names for translation but ships no Chinese catalogue: its
message ids are listed here so that makemessages keeps them in the project catalogue (locale/),
where they are translated. django-otp's TOTP device (and django-celery-beat's task name) names its
fields without marking them for translation at all, so `name_third_party_models()` (called when the
portal app is ready) gives them translatable names, as it does the two apps' section titles. Only
the names change, not what migrations see (Django keeps the original arguments for those).
"""

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

AXES_MESSAGES = [
    gettext_noop("Access Attempt"), gettext_noop("Access lock out"), gettext_noop("Attempt Remaining"),
    gettext_noop("Attempt Time"), gettext_noop("Clean up expired attempts"), gettext_noop("Expires At"),
    gettext_noop("Failed Logins"), gettext_noop("Form Data"), gettext_noop("GET Data"), gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"), gettext_noop("Locked Out"), gettext_noop("Logout Time"), gettext_noop("Meta Data"),
    gettext_noop("Not set"), gettext_noop("POST Data"), gettext_noop("Path"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."), gettext_noop("User Agent"),
    gettext_noop("access attempt expiration"), gettext_noop("access attempt expirations"),
    gettext_noop("access attempt"), gettext_noop("access attempts"), gettext_noop("access failure"),
    gettext_noop("access failures"), gettext_noop("access log"), gettext_noop("access logs"),
    gettext_noop("Account locked: too many login attempts. Contact an admin to unlock your account."),
    gettext_noop("Account locked: too many login attempts. Please try again later."),
]

# Django 5.2's admin index labels its tables for screen readers with ids its Chinese catalogue lacks.
DJANGO_ADMIN_MESSAGES = [gettext_noop("Model name"), gettext_noop("Add link"), gettext_noop("Change or view list link")]

TOTP_DEVICE_FIELDS = {
    "user": _("user"), "name": _("device name"), "confirmed": _("confirmed"),
    "throttling_failure_timestamp": _("last throttled failure at"),
    "throttling_failure_count": _("failures in a row"), "created_at": _("created at"),
    "last_used_at": _("last used at"), "key": _("secret key"), "step": _("time step (seconds)"),
    "t0": _("start time (t0)"), "digits": _("digits"), "tolerance": _("tolerance (steps)"),
    "drift": _("clock drift (steps)"), "last_t": _("last time step used"),
}


OAUTH_MODELS = {
    "AccessToken": (_("access token"), _("access tokens")), "Application": (_("API client"), _("API clients")),
    "Grant": (_("authorisation grant"), _("authorisation grants")), "IDToken": (_("ID token"), _("ID tokens")),
    "RefreshToken": (_("refresh token"), _("refresh tokens")),
    "DeviceGrant": (_("device grant"), _("device grants")),
}


def name_third_party_models() -> None:
    # django-oauth-toolkit (API tokens): the admin's section and list names.
    oauth = apps.get_app_config("oauth2_provider")
    oauth.verbose_name = _("API access (OAuth 2.0)")
    for model_name, (singular, plural) in OAUTH_MODELS.items():
        model = oauth.get_model(model_name)
        model._meta.verbose_name, model._meta.verbose_name_plural = singular, plural

    beat = apps.get_app_config("django_celery_beat")
    beat.get_model("PeriodicTask")._meta.get_field("task").verbose_name = _("task name")
    # Columns the scheduler's admin shows from properties, named after the properties themselves.
    beat.get_model("PeriodicTask").scheduler.fget.short_description = _("scheduler")
    beat.get_model("CrontabSchedule").human_readable.fget.short_description = _("in words")

    apps.get_app_config("axes").verbose_name = _("Login lockout")
    totp = apps.get_app_config("otp_totp")
    totp.verbose_name = _("Two-factor authentication")
    device = totp.get_model("TOTPDevice")
    device._meta.verbose_name = _("authenticator app (TOTP)")
    device._meta.verbose_name_plural = _("authenticator apps (TOTP)")
    for name, label in TOTP_DEVICE_FIELDS.items():
        device._meta.get_field(name).verbose_name = label
