from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import AppointmentSlot, Booking, Document, Filing, FilingReturnComment, Holiday, ReceiptCounter


class ReadOnlyWorkflowAdmin(ReadOnlyAdmin):
    """Filings change only through the workflow services (guarded, audited): the admin only reads."""


@admin.register(Filing)
class FilingAdmin(ReadOnlyWorkflowAdmin):
    list_display = ["id", "institution", "kind", "status", "submitted_at", "due_on", "receipt_number"]
    list_filter = ["status", "kind"]
    search_fields = ["institution__name", "receipt_number"]
    list_select_related = ["institution"]


@admin.register(FilingReturnComment)
class FilingReturnCommentAdmin(ReadOnlyWorkflowAdmin):
    list_display = ["filing", "round", "section", "created_at"]


@admin.register(Document)
class DocumentAdmin(ReadOnlyWorkflowAdmin):
    list_display = ["filing", "kind", "original_name", "size", "uploaded_at"]
    list_select_related = ["filing__institution"]


@admin.register(ReceiptCounter)
class ReceiptCounterAdmin(ReadOnlyWorkflowAdmin):
    list_display = ["county", "year", "last_number"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """The State Council's holiday notice, day by day: weekdays off (deadlines skip them) and weekend
    days worked instead (调休: deadlines count them)."""

    list_display = ["date", "name", "kind"]
    list_filter = ["kind"]


@admin.register(AppointmentSlot)
class AppointmentSlotAdmin(admin.ModelAdmin):
    list_display = ["centre", "date", "start_time", "end_time", "purpose", "capacity", "booked_count"]
    list_filter = ["purpose", "centre"]
    readonly_fields = ["booked_count"]


@admin.register(Booking)
class BookingAdmin(ReadOnlyWorkflowAdmin):
    list_display = ["slot", "institution", "filing", "status", "created_at"]
    list_select_related = ["slot__centre", "institution"]
