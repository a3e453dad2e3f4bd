"""What every filing service shares: the state error, who may act on a filing, the audit snapshot."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require
from portal.exceptions import Conflict

from ..models import Filing


class FilingStateError(Conflict):
    """The filing (or slot) is not in a state that allows this action, e.g. another reviewer
    decided it a moment ago. Nothing was written. The API answers 409; pages show it on the form."""


def ensure_staff(actor, institution_id: int) -> None:
    require(policies.is_staff_of(actor, institution_id), _("Only the institution's own staff may do this."))


def ensure_reviewer(actor, filing: Filing) -> None:
    require(policies.reviews(actor, filing.institution),
            _("Only officials of the institution's county health commission decide filings."))


def state_error(filing_id: int, action: str) -> FilingStateError:
    status = Filing.objects.filter(pk=filing_id).values_list("status", flat=True).first()
    label = Filing.Status(status).label if status else "?"
    return FilingStateError(
        _("This filing is now “%(status)s”: it cannot be %(action)s. Reload the page to see its current state.")
        % {"status": label, "action": action}, code="state")


def snapshot(filing: Filing) -> dict:
    return {"status": filing.status, "kind": filing.kind, "receipt_number": filing.receipt_number,
            "due_on": str(filing.due_on) if filing.due_on else None}
