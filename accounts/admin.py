from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "region", "institution", "is_active"]
    list_filter = ["role", "is_active", "region__level"]
    raw_id_fields = ["region", "institution"]
    fieldsets = (*BaseUserAdmin.fieldsets,
                 (_("Role and scope"), {"fields": ("role", "region", "institution", "phone")}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, (_("Role and scope"), {"fields": ("role", "region", "institution")}))
    # Switching an account off ends its sessions and tokens: that is account_set_active's work, done by
    # the two actions below, never by ticking the box in the form.
    readonly_fields = ["is_active"]
    actions = ["deactivate", "reactivate"]

    @admin.action(description=_("Deactivate the selected accounts (sessions and tokens end)"))
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, False)

    @admin.action(description=_("Reactivate the selected accounts"))
    def reactivate(self, request, queryset):
        self._set_active(request, queryset, True)

    def _set_active(self, request, queryset, active: bool):
        for account in queryset:
            services.account_set_active(actor=request.user, account=account, active=active)

    @admin.display(description=_("full name"))
    def full_name(self, user):
        return user.get_full_name()

    def has_delete_permission(self, request, obj=None):
        # An account is switched off through account_set_active (sessions and tokens end, audited), never
        # deleted: the audit log and the records it signed name it.
        return False


class AuditedTOTPDeviceAdmin(TOTPDeviceAdmin):
    """Administrators may remove a user's authenticator app (a lost phone), audited, and nothing else.

    Devices are enrolled by their owners on the account security page; secrets stay there
    (OTP_ADMIN_HIDE_SENSITIVE_DATA hides keys and QR codes here).
    """

    search_help_text = _("Search by the user's username or e-mail address")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.totp_device_reset(device=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for device in queryset.select_related("user"):
            services.totp_device_reset(device=device, actor=request.user)


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, AuditedTOTPDeviceAdmin)
