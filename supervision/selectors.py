"""Reads of supervision that pages, the API and the register share."""

from __future__ import annotations

from django.conf import settings

from .models import Inspection, NonComplianceNotice


def public_inspections(institution) -> dict:
    """What the public register shows of an institution's inspections (一公开): date, kind, result, findings
    by risk level, rectified or not, and a verification's non-compliance notice with its items. Never an
    inspector, a note, a photo or anyone's name. Two queries whatever the number of inspections."""
    rows = list(Inspection.objects.filter(institution=institution).disclosed().select_related("rectification")
                .order_by("-inspected_on", "-pk")
                .only("pk", "kind", "result", "inspected_on", "findings_high", "findings_medium", "findings_low",
                      "rectification__status", "rectification__rectified_on", "rectification__due_on"))
    notices = {n.inspection_id: n for n in NonComplianceNotice.objects.filter(inspection__in=[r.pk for r in rows])}
    return {
        "inspections": [{
            "inspected_on": r.inspected_on, "kind": r.kind, "kind_label": r.get_kind_display(),
            "result": r.result, "result_label": r.get_result_display(),
            "findings": {"high": r.findings_high, "medium": r.findings_medium, "low": r.findings_low},
            "rectified": _rectified(r),
            "notice_items": notices[r.pk].items if r.pk in notices else [],
        } for r in rows],
        "years": settings.SUPERVISION_DISCLOSURE_YEARS,
    }


def _rectified(inspection: Inspection) -> bool | None:
    """True once rectified, False while not, None when there was nothing to rectify."""
    order = getattr(inspection, "rectification", None) if inspection.result == Inspection.Result.FINDINGS else None
    if order is None:
        return None
    return order.status == order.Status.ACCEPTED
