"""The institution registry: institutions, their classes (托班) and staff, mentoring pairs, guidance centres.

An institution's places are the sum of its classes' places: there is no places field to type twice.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts import policies
from audit.targets import InstitutionTarget
from portal.fields import change_feed_index, updated_at_field
from portal.models import SweptJob
from portal.querysets import AreaQuerySet
from portal.validators import validate_credit_code
from regions import codes


class InstitutionQuerySet(AreaQuerySet):
    def visible_to(self, user) -> InstitutionQuerySet:
        """The one place where institution access is decided.

        Administrators: all. Officials: institutions whose region code starts with theirs.
        Staff: their own institution. Anyone else: none (the public uses `publicly_listed()`).
        """
        if policies.is_linked_staff(user):
            return self.filter(pk=user.institution_id)
        return self.in_area_of(user)

    def under(self, region_code: str) -> InstitutionQuerySet:
        return self.filter(region__code__startswith=region_code)

    def publicly_listed(self) -> InstitutionQuerySet:
        """The public register: filed institutions, and suspended ones (the public should know)."""
        return self.filter(status__in=[Institution.Status.FILED, Institution.Status.SUSPENDED])

    def active_on(self, date: datetime.date) -> InstitutionQuerySet:
        """Filed on or before the date and not cancelled on or before it: what metrics count."""
        return self.filter(filed_on__lte=date).filter(Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=date))

    def in_capacity_on(self, date: datetime.date) -> InstitutionQuerySet:
        """Active on the date and not suspended on it: the institutions whose places (and children) the
        capacity figures count. A suspension counts from its date up to the day before it is lifted."""
        return self.active_on(date).exclude(
            Exists(Suspension.objects.covering(date).filter(institution=OuterRef("pk"))))

    def with_places(self) -> InstitutionQuerySet:
        return self.annotate(total_places=Sum("classes__places", filter=Q(classes__closed_on__isnull=True)))

    def with_open_places(self, on: datetime.date | None = None) -> InstitutionQuerySet:
        """Places as the snapshot of `on` (today by default) counts them, and the places still to come.

        `total_places`: classes opened on or before the date and not closed by it (the metrics rule, so
        the API's `places` and the dashboard agree). `planned_places` and `next_class_opens_on`: classes
        that open after the date, so a consumer can see a class announced but not open yet.
        Correlated subqueries, not a GROUP BY over every column: they combine with pagination,
        filters and select_related at a fixed query count.
        """
        on = on or timezone.localdate()
        classes = InstitutionClass.objects.filter(institution=OuterRef("pk")).order_by().values("institution")
        open_on = classes.filter(Q(opened_on__lte=on), Q(closed_on__isnull=True) | Q(closed_on__gt=on))
        later = classes.filter(Q(opened_on__gt=on), Q(closed_on__isnull=True) | Q(closed_on__gt=F("opened_on")))
        return self.annotate(
            total_places=Coalesce(Subquery(open_on.annotate(n=Sum("places")).values("n")), 0),
            planned_places=Coalesce(Subquery(later.annotate(n=Sum("places")).values("n")), 0),
            next_class_opens_on=Subquery(later.annotate(d=Min("opened_on")).values("d")),
        )


class Institution(models.Model):
    class LegalForm(models.TextChoices):
        PUBLIC = "public", _("Public institution (事业单位)")
        NON_PROFIT = "nonprofit", _("Non-profit (社会服务机构)")
        FOR_PROFIT = "forprofit", _("For-profit enterprise (营利性)")

    class SettingType(models.TextChoices):
        STANDALONE = "standalone", _("Standalone centre")
        KINDERGARTEN = "kindergarten", _("Kindergarten-run class")
        EMPLOYER = "employer", _("Employer-sponsored")
        COMMUNITY = "community", _("Community-embedded")
        PUBLIC_PRIVATE = "public_private", _("Public-built, privately run")
        FAMILY = "family", _("Family childcare point")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FILED = "filed", _("Filed")
        SUSPENDED = "suspended", _("Suspended")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code],
        help_text=_("18 characters, as printed on the business licence or legal-person certificate."),
    )
    legal_form = models.CharField(_("legal form"), max_length=12, choices=LegalForm.choices)
    setting_type = models.CharField(_("setting type"), max_length=16, choices=SettingType.choices)
    # Service forms: several may apply, so one flag each (filterable and indexable everywhere).
    full_day = models.BooleanField(_("full-day care"), default=False)
    half_day = models.BooleanField(_("half-day care"), default=False)
    hourly = models.BooleanField(_("hourly care"), default=False)
    temporary = models.BooleanField(_("temporary care"), default=False)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("county or township"), on_delete=models.PROTECT,
        related_name="institutions",
        help_text=_("The county or township where the institution is; its county health commission files it."),
    )
    address = models.CharField(_("address"), max_length=300)
    legal_representative = models.CharField(_("legal representative"), max_length=100)
    legal_representative_phone = models.CharField(_("legal representative's phone"), max_length=20, blank=True)
    person_in_charge = models.CharField(_("person in charge"), max_length=100)
    person_in_charge_phone = models.CharField(_("person in charge's phone"), max_length=20)
    meals_served = models.BooleanField(_("meals served"), default=False,
                                       help_text=_("If yes, a food business licence is required for filing."))
    medical_integration = models.BooleanField(_("medical-care integration (医育结合)"), default=False)
    is_inclusive = models.BooleanField(_("inclusive (普惠)"), default=False)
    inclusive_price = models.DecimalField(
        _("negotiated monthly price (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True,
        help_text=_("The price agreed with the county health commission for inclusive places."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    suspended_on = models.DateField(_("suspended on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    filing_number = models.CharField(_("filing number"), max_length=20, blank=True, db_index=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    is_synthetic = models.BooleanField(
        _("synthetic demo growth"), default=False,
        help_text=_("Invented by the demo after its last published figures (8 July 2022); not a real institution."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["region"], name="institution_region_prefix_idx", opclasses=["varchar_pattern_ops"]),
            change_feed_index("institution_updated_idx"),
            models.Index(fields=["status", "region"], name="institution_status_region_idx"),
            models.Index(fields=["filed_on", "cancelled_on"], name="institution_active_idx"),
            # Dashboards ask whether a snapshot includes the demo's synthetic growth.
            models.Index(fields=["filed_on"], condition=Q(is_synthetic=True), name="institution_synthetic_idx"),
            models.Index(fields=["setting_type"], name="institution_setting_idx"),
            models.Index(fields=["name"], name="institution_name_idx"),
            # Filters of the official list and the public register (status first: both filter on it).
            models.Index(fields=["status", "is_inclusive"], name="institution_status_incl_idx"),
            models.Index(fields=["status", "full_day", "half_day", "hourly", "temporary"],
                         name="institution_status_forms_idx"),
            models.Index(fields=["status", "setting_type"], name="institution_status_setting_idx"),
            models.Index(fields=["status", "legal_form"], name="institution_status_legal_idx"),
            models.Index(fields=["status", "medical_integration"], name="institution_status_medical_idx"),
            # Name search (icontains) uses a trigram index on PostgreSQL: migration 0004.
        ]
        constraints = [
            # Every constraint a user can meet says which field, in the user's language (never its name).
            models.CheckConstraint(condition=Q(status="draft") | Q(filed_on__isnull=False),
                                   name="institution_filed_has_date",
                                   violation_error_message=_("Filed on: a filed institution has a filing date."),
                                   violation_error_code="filed_without_date"),
            models.CheckConstraint(condition=~Q(status="cancelled") | Q(cancelled_on__isnull=False),
                                   name="institution_cancelled_has_date",
                                   violation_error_message=_("Cancelled on: a cancelled institution has a "
                                                             "cancellation date."),
                                   violation_error_code="cancelled_without_date"),
            models.CheckConstraint(condition=Q(is_inclusive=True) | Q(inclusive_price__isnull=True),
                                   name="institution_price_only_if_inclusive",
                                   violation_error_message=_("Inclusive price: only an inclusive (普惠) institution "
                                                             "has an inclusive price."),
                                   violation_error_code="price_without_inclusive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    @property
    def audit_institution_id(self) -> int:
        return self.pk

    @property
    def county_code(self) -> str:
        return codes.county_of(self.region_id)

    @property
    def service_forms(self) -> list[str]:
        return [str(label) for flag, label in (
            (self.full_day, _("full-day")), (self.half_day, _("half-day")),
            (self.hourly, _("hourly")), (self.temporary, _("temporary"))) if flag]

    @property
    def places(self) -> int:
        """Places of the classes open today (uses the annotation when the queryset has it)."""
        if hasattr(self, "total_places"):
            return self.total_places or 0
        today = timezone.localdate()
        return (self.classes.filter(Q(opened_on__lte=today), Q(closed_on__isnull=True) | Q(closed_on__gt=today))
                .aggregate(n=Sum("places"))["n"] or 0)

    def clean(self):
        super().clean()
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
        if self.region_id and codes.level_of(self.region_id) not in (codes.COUNTY, codes.TOWNSHIP):
            raise ValidationError({"region": _("Choose a county or a township, not a province or city.")})
        if self.inclusive_price is not None and not self.is_inclusive:
            raise ValidationError({"inclusive_price": _("A negotiated price is only for inclusive institutions.")})
        if self.is_inclusive and self.inclusive_price is None:
            raise ValidationError({"inclusive_price": _("An inclusive institution needs its negotiated price.")})
        if not (self.full_day or self.half_day or self.hourly or self.temporary):
            raise ValidationError({"full_day": _("Choose at least one service form.")})


class SuspensionQuerySet(models.QuerySet):
    def covering(self, date: datetime.date) -> SuspensionQuerySet:
        return self.filter(suspended_on__lte=date).filter(Q(lifted_on__isnull=True) | Q(lifted_on__gt=date))


class Suspension(models.Model):
    """One period during which an institution was suspended, kept after the suspension is lifted, so
    that figures of any date (recomputed later too) leave out what was suspended on that date.

    Written only by `institution_suspend` and `institution_lift_suspension`; the institution's own
    `suspended_on` is the current suspension's date, shown on the register.
    """

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="suspensions",
                                    verbose_name=_("institution"))
    suspended_on = models.DateField(_("suspended on"))
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True,
                                 help_text=_("The first day it counts again; empty while the suspension lasts."))

    objects = SuspensionQuerySet.as_manager()

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        ordering = ["institution_id", "suspended_on"]
        indexes = [models.Index(fields=["institution", "suspended_on", "lifted_on"], name="suspension_period_idx")]
        constraints = [
            models.UniqueConstraint(fields=["institution"], condition=Q(lifted_on__isnull=True),
                                    name="suspension_one_open",
                                    violation_error_message=_("Suspended on: the institution is suspended already."),
                                    violation_error_code="already_suspended"),
            models.CheckConstraint(condition=Q(lifted_on__isnull=True) | Q(lifted_on__gte=F("suspended_on")),
                                   name="suspension_lifted_after_start",
                                   violation_error_message=_("Lifted on: a suspension is lifted on or after its "
                                                             "date."),
                                   violation_error_code="lifted_before_suspension"),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.suspended_on}–{self.lifted_on or ''}"

    @property
    def audit_region_code(self) -> str:
        return self.institution.region_id


# --- Classes -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClassRule:
    max_children: int
    children_per_carer: int
    min_age_months: int
    max_age_months: int  # exclusive


def class_rules() -> dict[str, ClassRule]:
    """National caps and ratios (托育机构设置标准, 2019), with a province's overrides from settings.

    CLASS_RULES_OVERRIDES = {"mixed": {"children_per_carer": 6}} changes one value.
    """
    rules = {
        InstitutionClass.ClassType.INFANT: ClassRule(10, 3, 6, 12),
        InstitutionClass.ClassType.YOUNGER: ClassRule(15, 5, 12, 24),
        InstitutionClass.ClassType.OLDER: ClassRule(20, 7, 24, 36),
        # 18 months and over; the ratio is not set nationally, 1:5 is a common local rule.
        InstitutionClass.ClassType.MIXED: ClassRule(18, 5, 18, 36),
    }
    for key, values in getattr(settings, "CLASS_RULES_OVERRIDES", {}).items():
        rules[key] = ClassRule(**{**rules[key].__dict__, **values})
    return rules


FAMILY_POINT_MAX_CHILDREN = 5
FAMILY_POINT_CHILDREN_PER_CARER = 3


class InstitutionClass(InstitutionTarget, models.Model):
    class ClassType(models.TextChoices):
        INFANT = "infant", _("Infant class (乳儿班, 6–12 months)")
        YOUNGER = "younger", _("Younger toddler class (托小班, 12–24 months)")
        OLDER = "older", _("Older toddler class (托大班, 24–36 months)")
        MIXED = "mixed", _("Mixed class (混合班, 18 months and over)")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="classes",
                                    verbose_name=_("institution"))
    name = models.CharField(_("class name"), max_length=100)
    class_type = models.CharField(_("class type"), max_length=10, choices=ClassType.choices)
    places = models.PositiveSmallIntegerField(_("places"))
    caregivers = models.PositiveSmallIntegerField(_("caregivers"))
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    updated_at = updated_at_field()

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["institution_id", "class_type", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(places__gt=0), name="class_places_positive",
                                   violation_error_message=_("Places: a class has at least one place."),
                                   violation_error_code="places_not_positive"),
            models.CheckConstraint(condition=Q(places__lte=20), name="class_places_at_most_20",
                                   violation_error_message=_("Places: a class has at most 20 places."),
                                   violation_error_code="places_over_cap"),
            models.UniqueConstraint(fields=["institution", "name"], condition=Q(closed_on__isnull=True),
                                    name="class_name_unique_while_open",
                                    violation_error_message=_("Class name: another open class of this institution "
                                                              "already has this name."),
                                    violation_error_code="class_name_taken"),
        ]
        indexes = [
            change_feed_index("class_updated_idx"),
            models.Index(fields=["institution", "closed_on"], name="class_institution_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_class_type_display()})"

    def rule(self) -> ClassRule:
        return class_rules()[self.class_type]

    def clean(self):
        super().clean()
        if not self.class_type or self.places is None or self.caregivers is None:
            return
        rule = self.rule()
        label = self.name or self.get_class_type_display()
        if self.places > rule.max_children:
            raise ValidationError({"places": _(
                "Class %(name)s: a %(type)s holds at most %(max)d children; %(places)d places were given."
            ) % {"name": label, "type": self.get_class_type_display(), "max": rule.max_children,
                 "places": self.places}})
        needed = -(-self.places // rule.children_per_carer)
        if self.caregivers < needed:
            raise ValidationError({"caregivers": _(
                "Class %(name)s: %(places)d places need at least %(needed)d caregivers "
                "(one caregiver for every %(ratio)d children)."
            ) % {"name": label, "places": self.places, "needed": needed, "ratio": rule.children_per_carer}})
        if self.institution_id and self.institution.setting_type == Institution.SettingType.FAMILY:
            others = (self.institution.classes.filter(closed_on__isnull=True).exclude(pk=self.pk)
                      .aggregate(n=Sum("places"))["n"] or 0)
            if others + self.places > FAMILY_POINT_MAX_CHILDREN:
                raise ValidationError({"places": _(
                    "A family childcare point cares for at most %(max)d children in all."
                ) % {"max": FAMILY_POINT_MAX_CHILDREN}})
            needed = -(-self.places // FAMILY_POINT_CHILDREN_PER_CARER)
            if self.caregivers < needed:
                raise ValidationError({"caregivers": _(
                    "A family childcare point needs one carer for every %(ratio)d children: %(needed)d here."
                ) % {"ratio": FAMILY_POINT_CHILDREN_PER_CARER, "needed": needed}})


# --- Staff ---------------------------------------------------------------------------------------

HEALTH_CERTIFICATE_VALID_DAYS = 366  # a year, a leap day included


class StaffMemberQuerySet(models.QuerySet):
    def visible_to(self, user) -> StaffMemberQuerySet:
        """Staff personal data: the institution's own staff, and officials of its area who review filings."""
        return self.filter(institution__in=Institution.objects.visible_to(user))

    def active_on(self, date: datetime.date) -> StaffMemberQuerySet:
        return self.filter(started_on__lte=date).filter(Q(left_on__isnull=True) | Q(left_on__gt=date))

    def certificates_due(self, on: datetime.date, within_days: int) -> StaffMemberQuerySet:
        """Staff working on the date whose qualification or health certificate has expired or expires
        within `within_days` days."""
        soon = on + datetime.timedelta(days=within_days)
        return self.active_on(on).filter(Q(qualification_expires_on__lte=soon)
                                         | Q(health_certificate_expires_on__lte=soon))

    def with_expired_certificates(self, on: datetime.date | None = None) -> StaffMemberQuerySet:
        on = on or timezone.localdate()
        return self.filter(Q(qualification_expires_on__lt=on) | Q(health_certificate_expires_on__lt=on))


class StaffMember(InstitutionTarget, models.Model):
    class Role(models.TextChoices):
        CAREGIVER = "caregiver", _("Caregiver (保育人员)")
        TEACHER = "teacher", _("Early-years teacher")
        HEALTH = "health", _("Health worker (保健人员)")
        DIRECTOR = "director", _("Director")
        COOK = "cook", _("Cook")
        SECURITY = "security", _("Security")
        OTHER = "other", _("Other")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="staff_members",
                                    verbose_name=_("institution"))
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    qualification = models.CharField(_("qualification certificate"), max_length=100, blank=True)
    qualification_expires_on = models.DateField(_("qualification expires on"), null=True, blank=True)
    health_certificate_expires_on = models.DateField(_("health certificate expires on"), null=True, blank=True)
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    # The same person at two institutions is found by the keyed hash of the identity number (as for
    # children, enrolments.identity); the number itself is not kept, only its mask for display.
    identity_hash = models.CharField(_("identity hash"), max_length=64, blank=True, editable=False)
    identity_masked = models.CharField(_("identity number"), max_length=32, blank=True, editable=False)
    updated_at = updated_at_field()

    objects = StaffMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["institution_id", "role", "name"]
        indexes = [
            change_feed_index("staff_updated_idx"),
            models.Index(fields=["institution", "left_on"], name="staff_institution_idx"),
            models.Index(fields=["identity_hash"], condition=~Q(identity_hash=""), name="staff_identity_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        # Childcare staff are examined every year (托儿所幼儿园卫生保健管理办法): a health certificate is good
        # for a year at most, so an expiry further ahead is a typing error.
        latest = timezone.localdate() + datetime.timedelta(days=HEALTH_CERTIFICATE_VALID_DAYS)
        if self.health_certificate_expires_on and self.health_certificate_expires_on > latest:
            raise ValidationError({"health_certificate_expires_on": _(
                "A health certificate is valid for one year: it cannot expire after %(date)s."
            ) % {"date": latest.isoformat()}})

    def set_identity_number(self, number: str) -> None:
        """Keeps the keyed hash and the mask of a resident identity number (empty: forgets both)."""
        from enrolments import identity

        number = identity.normalise(number)
        self.identity_hash = identity.identity_hash(identity.RESIDENT_ID, number) if number else ""
        self.identity_masked = identity.mask(number) if number else ""


class StaffCertificateQuerySet(models.QuerySet):
    def visible_to(self, user) -> StaffCertificateQuerySet:
        """As their staff member: the institution's own staff and the officials of its area."""
        return self.filter(staff_member__in=StaffMember.objects.visible_to(user))


class StaffCertificate(models.Model):
    """One certificate of a staff member, with its number and dates: the history behind the member's current
    expiry dates (the newest certificate of each kind sets them), kept when a certificate is renewed."""

    class Kind(models.TextChoices):
        HEALTH = "health", _("Health certificate")
        QUALIFICATION = "qualification", _("Qualification certificate")
        # Issued by a guidance centre when a staff member completes one of its courses (training app); the
        # institution does not record it itself.
        TRAINING = "training", _("Training certificate")

    # The kinds an institution records itself (the staff member's certificates page).
    KEPT_BY_INSTITUTION = (Kind.HEALTH, Kind.QUALIFICATION)

    staff_member = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="certificates",
                                     verbose_name=_("staff member"))
    kind = models.CharField(_("kind"), max_length=13, choices=Kind.choices)
    number = models.CharField(_("certificate number"), max_length=50)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True,
                                  help_text=_("Empty for a qualification without an end date."))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = StaffCertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff certificate")
        verbose_name_plural = _("staff certificates")
        ordering = ["staff_member_id", "kind", "-issued_on", "-pk"]
        # The training figures look up a member's valid training certificates on a date.
        indexes = [models.Index(fields=["kind", "staff_member", "expires_on"], name="staff_certificate_kind_idx")]
        constraints = [
            models.UniqueConstraint(fields=["staff_member", "kind", "number"], name="staff_certificate_unique",
                                    violation_error_message=_("Number: this certificate is recorded already."),
                                    violation_error_code="staff_certificate_recorded"),
            models.CheckConstraint(condition=~Q(kind="training") | Q(expires_on__isnull=False),
                                   name="staff_certificate_training_expires",
                                   violation_error_message=_("Expires on: a training certificate has an expiry "
                                                             "date."),
                                   violation_error_code="staff_certificate_training_expiry"),
            models.CheckConstraint(condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("issued_on")),
                                   name="staff_certificate_expires_after_issue",
                                   violation_error_message=_("Expires on: a certificate cannot expire before it "
                                                             "was issued."),
                                   violation_error_code="staff_certificate_expiry_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def clean(self):
        super().clean()
        if self.issued_on and self.issued_on > timezone.localdate():
            raise ValidationError({"issued_on": _("A certificate is recorded once it is issued: not a future date.")})
        # A health certificate is good for a year (the yearly examination): as the staff member's own rule.
        if self.kind == self.Kind.HEALTH:
            if self.expires_on is None:
                raise ValidationError({"expires_on": _("A health certificate has an expiry date.")})
            if self.issued_on and self.expires_on > self.issued_on + datetime.timedelta(
                    days=HEALTH_CERTIFICATE_VALID_DAYS):
                raise ValidationError({"expires_on": _(
                    "A health certificate is valid for one year: it cannot expire after %(date)s.") % {
                    "date": (self.issued_on + datetime.timedelta(days=HEALTH_CERTIFICATE_VALID_DAYS)).isoformat()}})



# --- Mentoring and guidance ----------------------------------------------------------------------

class MentoringPairQuerySet(models.QuerySet):
    def visible_to(self, user) -> MentoringPairQuerySet:
        visible = Institution.objects.visible_to(user)
        return self.filter(Q(mentor__in=visible) | Q(mentee__in=visible))


class MentoringPair(models.Model):
    """帮扶结对: an experienced institution mentors a weaker one (Xingtai paired six)."""

    mentor = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="mentees_pairs",
                               verbose_name=_("mentor"))
    mentee = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="mentor_pairs",
                               verbose_name=_("mentee"))
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = updated_at_field()

    objects = MentoringPairQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentoring pair")
        verbose_name_plural = _("mentoring pairs")
        constraints = [
            models.CheckConstraint(condition=~Q(mentor=models.F("mentee")), name="mentoring_not_self",
                                   violation_error_message=_("Mentee: an institution cannot mentor itself."),
                                   violation_error_code="mentoring_self"),
            models.UniqueConstraint(fields=["mentor", "mentee"], condition=Q(ended_on__isnull=True),
                                    name="mentoring_pair_unique_while_active",
                                    violation_error_message=_("Mentee: these two institutions are already an "
                                                              "active mentoring pair."),
                                    violation_error_code="mentoring_pair_taken"),
        ]
        indexes = [change_feed_index("mentoring_updated_idx")]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.mentee}"


class GuidanceCentreQuerySet(models.QuerySet):
    def visible_to(self, user) -> GuidanceCentreQuerySet:
        """Guidance centres are public information: everyone signed in sees them."""
        return self.all() if user.is_authenticated else self.none()

    def serving(self, user) -> GuidanceCentreQuerySet:
        """The centres serving an official's area: their city's (a province's: all of its cities');
        administrators: all."""
        centres = self.visible_to(user)
        if policies.is_admin(user):
            return centres
        region = user.region_id or ""
        city = codes.city_of(region)
        return centres.filter(city_id=city) if city else centres.filter(city__code__startswith=region)

    def publishable_by(self, user) -> GuidanceCentreQuerySet:
        """The centres whose slots the user may publish (`policies.publishes_slots_at`)."""
        if policies.is_admin(user):
            return self
        return self.filter(city_id=user.region_id) if policies.publishes_slots(user) else self.none()


class GuidanceCentre(models.Model):
    """A city's childcare guidance centre, usually in the maternal and child health hospital."""

    city = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="guidance_centres",
                             verbose_name=_("city"), limit_choices_to={"level": "city"})
    name = models.CharField(_("name"), max_length=200)
    host = models.CharField(_("hosted by"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    updated_at = updated_at_field()

    objects = GuidanceCentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("guidance centre")
        verbose_name_plural = _("guidance centres")
        ordering = ["city_id", "name"]
        indexes = [change_feed_index("centre_updated_idx")]

    def __str__(self) -> str:
        return self.name


# --- Onboarding an existing province --------------------------------------------------------------

class OnboardingJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> OnboardingJobQuerySet:
        """Administrators: all; a province's officials: their province's; anyone else: none."""
        if not user.is_authenticated:
            return self.none()
        if policies.is_admin(user):
            return self.all()
        if policies.official_level(user) == codes.PROVINCE:
            return self.filter(province_id=user.region_id)
        return self.none()


class OnboardingJob(SweptJob):
    """One upload of institutions already filed in the national system, for one province.

    Checked first (a dry run: nothing written), then imported on confirmation, all or nothing.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        CHECKING = "checking", _("Checking rows")
        CHECKED = "checked", _("Checked: ready to import")
        WRITING = "writing", _("Importing")
        FAILED = "failed", _("Not imported: errors found")
        DONE = "done", _("Imported")

    province = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("province"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    filename = models.CharField(_("file"), max_length=200)
    # The upload itself, until the import has run (then cleared).
    data = models.BinaryField(default=b"", editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    institutions_found = models.PositiveIntegerField(default=0)
    places_found = models.PositiveIntegerField(default=0)
    institutions_created = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = updated_at_field()

    objects = OnboardingJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("onboarding import")
        verbose_name_plural = _("onboarding imports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["province", "created_at"], name="onboarding_province_idx"),
                   change_feed_index("onboarding_updated_idx")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status in (self.Status.CHECKED, self.Status.DONE):
            return 100
        return int(self.processed_rows * 100 / self.total_rows) if self.total_rows else 0

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.CHECKING, self.Status.WRITING)

    @property
    def audit_region_code(self) -> str:
        return self.province_id
