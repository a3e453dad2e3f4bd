"""Complaints (投诉举报) about listed institutions, from anyone, without an account.

A complaint is routed to the county health commission of the institution's county, which answers it
within a deadline in working days. The complainant follows it on a public page with its reference and
a secret token (only a hash of the token is kept). The complainant's contact data lives in its own
table, readable only by the county handling the complaint: city and province officials see the
complaint and its status, never who made it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import policies
from portal.querysets import AreaQuerySet


class ComplaintQuerySet(AreaQuerySet):
    def visible_to(self, user) -> ComplaintQuerySet:
        """The one place where complaint access is decided.

        Administrators: all. Officials: complaints routed to a county in their area (a city sees its
        counties' complaints and their statuses). Institution staff and the public: none (the public
        follows its own complaint by reference and token, `public_lookup`).
        """
        return self.in_area_of(user, "county__code")

    def open_on(self, date: datetime.date) -> ComplaintQuerySet:
        """Received on or before the date and not answered by then: what "open complaints" counts."""
        return self.filter(received_on__lte=date).filter(Q(answered_on__isnull=True) | Q(answered_on__gt=date))

    def overdue(self, on: datetime.date | None = None) -> ComplaintQuerySet:
        on = on or timezone.localdate()
        return self.filter(status=Complaint.Status.RECEIVED, due_on__lt=on)


class Complaint(models.Model):
    class Category(models.TextChoices):
        SAFETY = "safety", _("Safety hazard")
        CARE = "care", _("Quality of care")
        HEALTH = "health", _("Health and hygiene")
        STAFF = "staff", _("Staff conduct")
        FEES = "fees", _("Fees and charges")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, being handled")
        ANSWERED = "answered", _("Answered")

    reference = models.CharField(_("reference number"), max_length=20, unique=True, editable=False)
    token_hash = models.CharField(_("token hash"), max_length=64, editable=False,
                                  help_text=_("SHA-256 of the secret given to the complainant; the secret "
                                              "itself is never stored."))
    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT,
                                    related_name="complaints", verbose_name=_("institution"))
    county = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("county handling it"),
                               help_text=_("The county health commission of the institution's county."))
    category = models.CharField(_("what it is about"), max_length=10, choices=Category.choices)
    description = models.TextField(_("what happened"), max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    due_on = models.DateField(_("answer due on"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("answered by"))
    public_answer = models.TextField(_("answer"), max_length=4000, blank=True,
                                     help_text=_("Shown to the complainant on the lookup page; write no "
                                                 "personal data in it."))
    inspection = models.OneToOneField(
        "supervision.Inspection", on_delete=models.PROTECT, null=True, blank=True, related_name="complaint",
        verbose_name=_("targeted inspection"), help_text=_("The inspection the county opened after this complaint."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_default=Now())

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-pk"]
        indexes = [
            # The county's queue (open first, by deadline) and the figures' "open on a date".
            models.Index(fields=["county", "status", "due_on"], name="complaint_queue_idx"),
            models.Index(fields=["county"], name="complaint_county_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["received_on", "answered_on"], name="complaint_open_idx"),
            models.Index(fields=["institution", "received_on"], name="complaint_institution_idx"),
            models.Index(fields=["updated_at", "id"], name="complaint_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="received") | (Q(answered_on__isnull=False) & ~Q(public_answer="")),
                name="complaint_answered_has_answer",
                violation_error_message=_("Answer: an answered complaint has its answer and date."),
                violation_error_code="answered_without_answer"),
        ]

    def __str__(self) -> str:
        return self.reference

    # Audit rows name the county, never the institution: the institution's staff read their
    # institution's history, and must not learn who complained or that the complaint is theirs to see.
    @property
    def audit_region_code(self) -> str:
        return self.county_id

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.RECEIVED and self.due_on < timezone.localdate()


class ComplainantContactQuerySet(models.QuerySet):
    def visible_to(self, user) -> ComplainantContactQuerySet:
        """Only the officials of the county handling the complaint: not its city or province, not
        another county, not an administrator browsing the portal."""
        if policies.is_reviewer(user):
            return self.filter(complaint__county_id=user.region_id)
        return self.none()


class ComplainantContact(models.Model):
    """How to reach the complainant, if they gave it: kept apart so that no list or export of
    complaints can carry it by accident."""

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="contact",
                                     primary_key=True, verbose_name=_("complaint"))
    name = models.CharField(_("your name"), max_length=100, blank=True)
    phone = models.CharField(_("your phone"), max_length=20, blank=True)
    email = models.EmailField(_("your email"), blank=True)

    objects = ComplainantContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("complainant's contact")
        verbose_name_plural = _("complainants' contacts")

    def __str__(self) -> str:
        return self.complaint.reference

    @property
    def audit_region_code(self) -> str:
        return self.complaint.county_id
