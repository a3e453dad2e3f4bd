"""The inspector pool of an area: registering and withdrawing inspectors."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require, require_in_area
from audit.services import audit_record
from institutions.models import Institution

from ..models import (
    Inspector,
)


@transaction.atomic
def inspector_register(*, user, actor, affiliation: Institution | None = None) -> Inspector:
    """Puts an official into the pool of their area (the official's own region). A repeat for the same
    official updates the affiliation and puts them back in the pool."""
    require(policies.is_official(user), _("Only officials' accounts can be registered as inspectors."))
    require_in_area(policies.plans_inspections(actor, user.region_id),
                    _("Only the city or county commission of the official's area keeps its inspector pool."),
                    user=actor, region=user.region_id)
    if affiliation is not None and not policies.in_area(actor, affiliation.region_id):
        raise ValidationError({"affiliation": _("Choose an institution of your area.")})
    inspector, created = Inspector.objects.select_for_update().get_or_create(
        user=user, defaults={"region_id": user.region_id, "affiliation": affiliation, "registered_by": actor})
    before = None
    if not created:
        before = {"affiliation": inspector.affiliation_id, "is_active": inspector.is_active}
        inspector.affiliation, inspector.is_active, inspector.region_id = affiliation, True, user.region_id
        inspector.save(update_fields=["affiliation", "is_active", "region", "updated_at"])
    audit_record(actor=actor, action="inspector.register", target=inspector, before=before,
                 after={"user": user.pk, "affiliation": affiliation.pk if affiliation else None, "is_active": True})
    return inspector


@transaction.atomic
def inspector_withdraw(*, inspector: Inspector, actor) -> Inspector:
    """Takes an inspector out of the pool (future draws only; assigned inspections stay). Repeat: no change."""
    require_in_area(policies.plans_inspections(actor, inspector.region_id),
                    _("Only the city or county commission of the official's area keeps its inspector pool."),
                    user=actor, region=inspector.region_id)
    if Inspector.objects.filter(pk=inspector.pk, is_active=True).update(is_active=False, updated_at=timezone.now()):
        audit_record(actor=actor, action="inspector.withdraw", target=inspector, after={"is_active": False})
    inspector.refresh_from_db()
    return inspector
