"""Supervision after filing (事中事后监管): checklists, inspectors, inspection rounds and their random
draws (双随机), inspections (random, targeted, post-filing verification), rectification orders, the
non-compliance notice of a verification, and suspension notices with a period to object.

Checklists are data: a new version is a new Checklist row, and every inspection points at the version
it used, so editing a checklist never changes an inspection already recorded.
Statuses move only through the guarded service functions in `supervision/services/`.
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
from audit.targets import InstitutionTarget, PartTarget, RegionTarget
from portal import querysets as portal_querysets
from portal.uploads import CONTENT_TYPES, private_storage_name


class Risk(models.TextChoices):
    HIGH = "high", _("High risk")
    MEDIUM = "medium", _("Medium risk")
    LOW = "low", _("Low risk")


RISK_ORDER = [Risk.HIGH, Risk.MEDIUM, Risk.LOW]


# --- Checklists -----------------------------------------------------------------------------------

class ChecklistQuerySet(models.QuerySet):
    def visible_to(self, user) -> ChecklistQuerySet:
        """Checklists are the standard institutions are held to: every signed-in user reads them."""
        return self.all() if user.is_authenticated else self.none()

    def latest_versions(self) -> ChecklistQuerySet:
        """The newest version of each checklist code."""
        newer = Checklist.objects.filter(code=models.OuterRef("code"), version__gt=models.OuterRef("version"))
        return self.exclude(models.Exists(newer))


class Checklist(models.Model):
    code = models.SlugField(_("code"), max_length=50)
    version = models.PositiveSmallIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    is_working_definition = models.BooleanField(
        _("working definition"), default=False,
        help_text=_("The portal's own reading of the rules, where no official checklist was published."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ChecklistQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="checklist_code_version_unique",
                                               violation_error_message=_("Version: this checklist already has this "
                                                                         "version."),
                                               violation_error_code="checklist_version_taken")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="items",
                                  verbose_name=_("checklist"))
    code = models.CharField(_("code"), max_length=20)
    area = models.CharField(_("area"), max_length=100)
    text = models.CharField(_("requirement"), max_length=300)
    basis = models.CharField(_("basis"), max_length=200, blank=True,
                             help_text=_("The rule the item comes from, or “working definition”."))
    risk = models.CharField(_("risk weight"), max_length=6, choices=Risk.choices)
    immediate_risk = models.BooleanField(
        _("immediate risk"), default=False,
        help_text=_("A finding here puts children in danger now: it can lead to suspension."))
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["checklist_id", "order"]
        constraints = [models.UniqueConstraint(fields=["checklist", "code"], name="checklist_item_code_unique",
                                               violation_error_message=_("Code: another item of this checklist "
                                                                         "already has this code."),
                                               violation_error_code="checklist_item_code_taken")]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


# --- Inspectors -----------------------------------------------------------------------------------

class AreaQuerySet(portal_querysets.AreaQuerySet):
    def visible_to(self, user):
        """Rows of an area (its `region`): its officials and those above, and administrators."""
        return self.in_area_of(user)


class InspectorQuerySet(AreaQuerySet):
    def active(self) -> InspectorQuerySet:
        return self.filter(is_active=True)


class Inspector(RegionTarget, models.Model):
    """An official registered in an area's pool of inspectors (执法检查人员名录库).

    The affiliation is where the inspector works or worked (an institution, for an expert seconded
    from one): the draw never sends an inspector to that institution or to its mentoring partners.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inspector",
                                verbose_name=_("account"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("pool area"))
    affiliation = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("affiliated institution"),
                                    help_text=_("An institution the inspector works for or with: never drawn "
                                                "to inspect it or its mentoring partners."))
    is_active = models.BooleanField(_("in the pool"), default=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                      related_name="+")
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_default=Now())

    objects = InspectorQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspector")
        verbose_name_plural = _("inspectors")
        ordering = ["region_id", "user_id"]
        indexes = [models.Index(fields=["region"], name="inspector_region_idx", opclasses=["varchar_pattern_ops"]),
                   models.Index(fields=["updated_at", "id"], name="inspector_updated_idx")]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


# --- Rounds and draws -----------------------------------------------------------------------------



class InspectionRound(RegionTarget, models.Model):
    """A round of random inspections (双随机) planned by a city or county for its area."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DRAWN = "drawn", _("Drawn")
        STARTED = "started", _("Inspections assigned")

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("area"))
    name = models.CharField(_("name"), max_length=200)
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("checklist"))
    share_percent = models.PositiveSmallIntegerField(
        _("share of institutions (%)"), help_text=_("The share of the area's filed institutions to inspect."))
    risk_weighted = models.BooleanField(
        _("weighted by risk"), default=False,
        help_text=_("Institutions with past findings, complaints or a recent filing are more likely to be drawn."))
    inspectors_per_inspection = models.PositiveSmallIntegerField(_("inspectors per inspection"), default=2)
    due_on = models.DateField(_("inspections due by"))
    seed = models.BigIntegerField(_("seed"), help_text=_("Recorded so that anyone can re-run the draw."))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_default=Now())

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["region"], name="round_region_idx", opclasses=["varchar_pattern_ops"]),
                   models.Index(fields=["updated_at", "id"], name="round_updated_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(share_percent__gte=1, share_percent__lte=100),
                                   name="round_share_between_1_and_100",
                                   violation_error_message=_("Share: between 1 and 100 per cent."),
                                   violation_error_code="share_out_of_range"),
            models.CheckConstraint(condition=Q(inspectors_per_inspection__gte=1, inspectors_per_inspection__lte=5),
                                   name="round_inspectors_1_to_5",
                                   violation_error_message=_("Inspectors per inspection: 1 to 5."),
                                   violation_error_code="inspectors_out_of_range"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def current_draw(self) -> Draw | None:
        return self.draws.filter(is_current=True).first()


class Draw(models.Model):
    """One run of a round's draw: the seed and the inputs it was computed from, and what came out.

    `supervision.draw.draw(seed, inputs)` is a pure function, so the recorded pair reproduces `result`
    for anyone; a change of inputs makes a new Draw (the old one stays, no longer current)."""

    round = models.ForeignKey(InspectionRound, on_delete=models.PROTECT, related_name="draws",
                              verbose_name=_("inspection round"))
    number = models.PositiveSmallIntegerField(_("draw number"))
    seed = models.BigIntegerField(_("seed"))
    inputs = models.JSONField(_("inputs"))
    inputs_hash = models.CharField(_("SHA-256 of the inputs"), max_length=64)
    result = models.JSONField(_("result"))
    is_current = models.BooleanField(_("current"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("drawn"), auto_now_add=True)

    class Meta:
        verbose_name = _("draw")
        verbose_name_plural = _("draws")
        ordering = ["round_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="draw_number_unique",
                                    violation_error_message=_("Draw number: this round already has a draw with this "
                                                              "number."),
                                    violation_error_code="draw_number_taken"),
            models.UniqueConstraint(fields=["round"], condition=Q(is_current=True), name="draw_one_current",
                                    violation_error_message=_("Inspection round: this round already has a current "
                                                              "draw."),
                                    violation_error_code="draw_current_taken"),
        ]

    def __str__(self) -> str:
        return f"{self.round} #{self.number}"

    @property
    def audit_region_code(self) -> str:
        return self.round.region_id


# --- Inspections ----------------------------------------------------------------------------------

class InspectionQuerySet(portal_querysets.AreaQuerySet):
    def visible_to(self, user) -> InspectionQuerySet:
        """Officials: inspections of institutions in their area, and those they are assigned to (a city's
        round sends inspectors across counties). Staff: their institution's, once signed off."""
        if not user.is_authenticated:
            return self.none()
        if policies.is_admin(user):
            return self.all()
        if policies.is_official(user):
            return self.filter(Q(institution__region__code__startswith=user.region_id)
                               | Q(pk__in=Inspection.inspectors.through.objects.filter(user_id=user.pk)
                                   .values("inspection_id")))
        if policies.is_linked_staff(user):
            return self.filter(institution_id=user.institution_id, signed_off_at__isnull=False)
        return self.none()

    def open(self) -> InspectionQuerySet:
        return self.filter(status=Inspection.Status.ASSIGNED)

    def overdue(self, on: datetime.date | None = None) -> InspectionQuerySet:
        return self.open().filter(due_on__lt=on or timezone.localdate())

    def disclosed(self, on: datetime.date | None = None) -> InspectionQuerySet:
        """What the public register shows (一公开): signed-off inspections of the last N years."""
        on = on or timezone.localdate()
        years = settings.SUPERVISION_DISCLOSURE_YEARS
        since = on.replace(year=on.year - years) if not (on.month == 2 and on.day == 29) else \
            on.replace(year=on.year - years, day=28)
        return self.filter(signed_off_at__isnull=False, inspected_on__gt=since)


class Inspection(InstitutionTarget, models.Model):
    class Kind(models.TextChoices):
        RANDOM = "random", _("Random inspection")
        TARGETED = "targeted", _("Targeted inspection")
        VERIFICATION = "verification", _("Post-filing verification")

    class Mode(models.TextChoices):
        ON_SITE = "on_site", _("On site")
        DESK = "desk", _("Desk check")

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("To be inspected")
        SIGNED_OFF = "signed_off", _("Signed off: rectification under way")
        CLOSED = "closed", _("Closed")

    class Result(models.TextChoices):
        COMPLIANT = "compliant", _("Meets the requirements")
        FINDINGS = "findings", _("Findings to rectify")

    class Source(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint")
        INCIDENT = "incident", _("Incident")
        OTHER = "other", _("Other")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT,
                                    related_name="inspections", verbose_name=_("institution"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    round = models.ForeignKey(InspectionRound, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="inspections", verbose_name=_("inspection round"))
    filing = models.ForeignKey("filings.Filing", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("filing verified"))
    source = models.CharField(_("reason"), max_length=10, choices=Source.choices, blank=True,
                              help_text=_("Targeted inspections: what led to it."))
    source_reference = models.CharField(_("reference"), max_length=40, blank=True,
                                        help_text=_("E.g. the complaint's reference number."))
    reason = models.TextField(_("reason in words"), blank=True)
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="inspections",
                                  verbose_name=_("checklist version"))
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices, default=Mode.ON_SITE)
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="assigned_inspections",
                                        blank=True, verbose_name=_("inspectors"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ASSIGNED)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, blank=True)
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    signed_off_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("signed off by"))
    summary = models.TextField(_("summary"), blank=True)
    findings_high = models.PositiveSmallIntegerField(_("high-risk findings"), default=0)
    findings_medium = models.PositiveSmallIntegerField(_("medium-risk findings"), default=0)
    findings_low = models.PositiveSmallIntegerField(_("low-risk findings"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_default=Now())

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-due_on", "-pk"]
        indexes = [
            models.Index(fields=["institution", "inspected_on"], name="inspection_institution_idx"),
            models.Index(fields=["status", "due_on"], name="inspection_status_due_idx"),
            models.Index(fields=["kind", "status"], name="inspection_kind_status_idx"),
            models.Index(fields=["updated_at", "id"], name="inspection_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status="assigned") | Q(signed_off_at__isnull=False, result__gt=""),
                                   name="inspection_signed_has_result",
                                   violation_error_message=_("Result: a signed-off inspection has its result and "
                                                             "sign-off time."),
                                   violation_error_code="signed_without_result"),
            models.CheckConstraint(condition=~Q(kind="random") | Q(round__isnull=False),
                                   name="inspection_random_has_round",
                                   violation_error_message=_("Inspection round: a random inspection belongs to an "
                                                             "inspection round."),
                                   violation_error_code="random_without_round"),
            models.UniqueConstraint(fields=["filing"], condition=Q(kind="verification"),
                                    name="inspection_one_verification_per_filing",
                                    violation_error_message=_("Filing verified: this filing already has a "
                                                              "verification inspection."),
                                    violation_error_code="verification_taken"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.institution}"

    @property
    def findings_total(self) -> int:
        return self.findings_high + self.findings_medium + self.findings_low

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.ASSIGNED and self.due_on < timezone.localdate()


class OfInspectionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Who may see the inspection may see its parts: one rule (Inspection.objects.visible_to)."""
        return self.filter(inspection__in=Inspection.objects.visible_to(user))


class OfInspection(PartTarget, models.Model):
    """A part of one inspection: its audit rows carry the inspection's region and institution."""

    audit_parent = "inspection"

    class Meta:
        abstract = True


class ItemRecord(OfInspection):
    """What the inspector found for one checklist item."""

    class Outcome(models.TextChoices):
        PASS = "pass", _("Meets the requirement")
        FINDING = "finding", _("Finding")
        NOT_APPLICABLE = "na", _("Not applicable")

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="records",
                                   verbose_name=_("inspection"))
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("checklist item"))
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        verbose_name = _("item record")
        verbose_name_plural = _("item records")
        ordering = ["inspection_id", "item__order"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="item_record_unique",
                                               violation_error_message=_("Checklist item: this inspection already has "
                                                                         "a record for this item."),
                                               violation_error_code="item_record_taken")]

    def __str__(self) -> str:
        return f"{self.item.code} {self.get_outcome_display()}"


def evidence_storage_name(instance, filename: str) -> str:
    return private_storage_name("supervision", filename)


class Evidence(OfInspection):
    """A photo or scan: the inspector's evidence of a finding, or the institution's of its rectification.
    Private: served only to who may see the inspection, never on the public register."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="evidence",
                                   verbose_name=_("inspection"))
    record = models.ForeignKey(ItemRecord, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="evidence", verbose_name=_("item record"))
    response = models.ForeignKey("RectificationResponse", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="evidence", verbose_name=_("rectification answer"))
    file = models.FileField(_("file"), upload_to=evidence_storage_name, max_length=200)
    original_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = OfInspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["inspection_id", "uploaded_at"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="evidence_not_empty",
                                   violation_error_message=_("File: the uploaded file is empty."),
                                   violation_error_code="evidence_empty"),
            models.CheckConstraint(condition=Q(content_type__in=CONTENT_TYPES),
                                   name="evidence_allowed_type",
                                   violation_error_message=_("File: only PDF, JPEG and PNG files are accepted."),
                                   violation_error_code="evidence_type_not_allowed"),
            models.CheckConstraint(condition=Q(record__isnull=True) | Q(response__isnull=True),
                                   name="evidence_one_owner",
                                   violation_error_message=_("Evidence: a piece of evidence belongs to an item record "
                                                             "or to a rectification answer, not both."),
                                   violation_error_code="evidence_two_owners"),
        ]

    def __str__(self) -> str:
        return self.original_name


# --- Rectification --------------------------------------------------------------------------------

class RectificationOrderQuerySet(OfInspectionQuerySet):
    def overdue(self, on: datetime.date | None = None) -> RectificationOrderQuerySet:
        return self.exclude(status=RectificationOrder.Status.ACCEPTED).filter(due_on__lt=on or timezone.localdate())


class RectificationOrder(OfInspection):
    """责令整改: the findings of a signed-off inspection, to be put right by a deadline in working days."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open: to be rectified")
        ANSWERED = "answered", _("Answered: awaiting the inspector")
        ACCEPTED = "accepted", _("Rectified")

    inspection = models.OneToOneField(Inspection, on_delete=models.PROTECT, related_name="rectification",
                                      verbose_name=_("inspection"))
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True,
                                    help_text=_("The day of the answer the inspector accepted."))
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True,
                                        help_text=_("Set when the order passed its deadline unrectified."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_default=Now())

    objects = RectificationOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="rectification_status_due_idx"),
                   models.Index(fields=["updated_at", "id"], name="rectification_updated_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(status="accepted") | Q(rectified_on__isnull=False),
                                   name="rectification_accepted_has_date",
                                   violation_error_message=_("Rectified on: an accepted rectification has its "
                                                             "rectification date."),
                                   violation_error_code="accepted_without_date"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection} → {self.due_on}"

    @property
    def is_overdue(self) -> bool:
        return self.status != self.Status.ACCEPTED and self.due_on < timezone.localdate()


class RectificationResponse(PartTarget, models.Model):
    """The institution's answer to an order, and the inspector's decision on it."""

    audit_parent = "order"

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        REOPENED = "reopened", _("Reopened: not rectified yet")

    order = models.ForeignKey(RectificationOrder, on_delete=models.PROTECT, related_name="responses",
                              verbose_name=_("rectification order"))
    text = models.TextField(_("what was done"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField(_("answered on"))
    submitted_at = models.DateTimeField(_("answered"), auto_now_add=True)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices, blank=True)
    decision_note = models.TextField(_("inspector's note"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification answer")
        verbose_name_plural = _("rectification answers")
        ordering = ["order_id", "submitted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.order} · {self.submitted_on}"


# --- Notices --------------------------------------------------------------------------------------

class NonComplianceNotice(OfInspection):
    """不符合要求告知: a verification found the institution short of the standards. Issued to the
    institution and published on the register with the items (the rule: within 15 working days)."""

    inspection = models.OneToOneField(Inspection, on_delete=models.PROTECT, related_name="notice",
                                      verbose_name=_("inspection"))
    issued_on = models.DateField(_("issued on"))
    items = models.JSONField(_("items not met"), help_text=_("Code, area, requirement and risk of each item."))

    class Meta:
        verbose_name = _("non-compliance notice")
        verbose_name_plural = _("non-compliance notices")
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.inspection} · {self.issued_on}"


class SuspensionNotice(OfInspection):
    """Notice of an intended suspension after an immediate-risk finding, with a period to object (as
    Ofsted gives 14 days before a refusal). The county decides after the period or after an objection."""

    class Status(models.TextChoices):
        NOTIFIED = "notified", _("Notified: period to object")
        OBJECTED = "objected", _("Objection received")
        SUSPENDED = "suspended", _("Suspended")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Not decided yet: at most one per inspection (the constraint below spells the same statuses).
    PENDING = (Status.NOTIFIED, Status.OBJECTED)

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="suspension_notices",
                                   verbose_name=_("inspection"))
    reason = models.TextField(_("reason"))
    issued_on = models.DateField(_("issued on"))
    object_by = models.DateField(_("objections until"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NOTIFIED)
    objection = models.TextField(_("objection"), blank=True)
    objected_at = models.DateTimeField(_("objected"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = OfInspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("suspension notice")
        verbose_name_plural = _("suspension notices")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["inspection"], condition=Q(status__in=["notified", "objected"]),
                                    name="suspension_notice_one_pending",
                                    violation_error_message=_("Inspection: this inspection already has a suspension "
                                                              "notice pending."),
                                    violation_error_code="suspension_notice_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection} · {self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING
