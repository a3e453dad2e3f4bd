from django.contrib import admin

from portal.admin import TabularInline

from .models import GuidanceCentre, Institution, InstitutionClass, MentoringPair, StaffMember


class InstitutionClassInline(TabularInline):
    model = InstitutionClass


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "region", "setting_type", "status", "filed_on"]
    list_filter = ["status", "setting_type", "legal_form", "is_inclusive", "is_demo"]
    search_fields = ["name", "credit_code", "filing_number"]
    raw_id_fields = ["region"]
    inlines = [InstitutionClassInline]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "institution", "role", "qualification_expires_on", "health_certificate_expires_on"]
    raw_id_fields = ["institution"]

    def has_delete_permission(self, request, obj=None):
        # Staff personal data: a member who leaves gets a leaving date through the institution's staff pages
        # (staff_member_update, audited); filings and ratios count staff by date, so no row disappears here.
        return False


admin.site.register(MentoringPair, raw_id_fields=["mentor", "mentee"])
admin.site.register(GuidanceCentre, raw_id_fields=["city"])
