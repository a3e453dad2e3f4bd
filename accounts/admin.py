from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "get_full_name", "role", "region", "institution", "is_active"]
    list_filter = ["role", "is_active", "region__level"]
    raw_id_fields = ["region", "institution"]
    fieldsets = (*BaseUserAdmin.fieldsets,
                 (_("Role and scope"), {"fields": ("role", "region", "institution", "phone")}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, (_("Role and scope"), {"fields": ("role", "region", "institution")}))
