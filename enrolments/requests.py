"""Guardians' requests about a child's data (PIPL Arts. 44–47): see it, correct it, delete it.

The institution that holds the record records the request (how it arrived is the guardian's business:
at the desk, by phone, in writing), answers it within GUARDIAN_REQUEST_WORKING_DAYS working days
(filings/workdays.py), and an unanswered request past its day is overdue on the list. A correction is
applied through `child_correct`, a deletion through the retention's erasure; every step is an audit row
that names the fields, never their values.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require
from audit.services import audit_record
from filings.workdays import add_working_days
from portal.exceptions import Conflict

from .models import Child, Enrolment, GuardianRequest
from .retention import children_erase
from .services import child_correct


def _require_handler(actor, institution_id) -> None:
    require(policies.handles_guardian_requests(actor, institution_id),
            _("Only the institution that holds the record answers a guardian's request."))


@transaction.atomic
def guardian_request_record(*, child: Child, kind: str, requested_on: datetime.date, requester_name: str,
                            requester_relation: str, details: str = "", actor) -> GuardianRequest:
    """Records a guardian's request and its answer day. Side effects: one audit row. Repeats record more."""
    _require_handler(actor, child.institution_id)
    if child.erased_at:
        raise Conflict(_("This child's personal data has been erased already."))
    if requested_on > timezone.localdate():
        raise ValidationError({"requested_on": _("The day the request was received is in the future.")})
    request = GuardianRequest(
        institution_id=child.institution_id, child=child, kind=kind, requested_on=requested_on,
        requester_name=(requester_name or "").strip(), requester_relation=requester_relation,
        details=(details or "").strip(), recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        due_on=add_working_days(requested_on, settings.GUARDIAN_REQUEST_WORKING_DAYS))
    request.full_clean()
    request.save()
    audit_record(actor=actor, action="guardian_request.record", target=request,
                 after={"kind": kind, "child": child.pk, "requested_on": requested_on.isoformat(),
                        "due_on": request.due_on.isoformat()})
    return request


@transaction.atomic
def guardian_request_answer(*, request: GuardianRequest, answer: str, corrections: dict | None = None,
                            actor) -> GuardianRequest:
    """Answers a request; for a correction applies `corrections` (name, sex, date_of_birth) through
    child_correct; for a deletion erases the child's personal data (refused while the child attends).

    Side effects: the correction's or the erasure's own audit rows, and one for the answer. A repeat is
    refused: the request is answered already.
    """
    _require_handler(actor, request.institution_id)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer given to the guardian.")})
    claimed = GuardianRequest.objects.filter(pk=request.pk, status=GuardianRequest.Status.OPEN).update(
        status=GuardianRequest.Status.ANSWERED, answer=answer, answered_at=timezone.now(),
        answered_by=actor if getattr(actor, "is_authenticated", False) else None)
    if not claimed:
        raise Conflict(_("This request has been answered already."))
    child = Child.objects.select_for_update().get(pk=request.child_id)
    changed: list[str] = []
    if request.kind == GuardianRequest.Kind.CORRECTION and corrections:
        changed = child_correct(child=child, changes=corrections, actor=actor)
    if request.kind == GuardianRequest.Kind.DELETION:
        if Enrolment.objects.filter(child=child, end_date__isnull=True).exists():
            raise ValidationError({"answer": _("The child still attends: record the leaving first, then erase "
                                               "the data.")})
        children_erase(child_ids=[child.pk], reason="guardian_request", actor=actor)
    request.refresh_from_db()
    audit_record(actor=actor, action="guardian_request.answer", target=request,
                 after={"kind": request.kind, "corrected": changed,
                        "on_time": timezone.localdate() <= request.due_on})
    return request
