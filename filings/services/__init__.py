"""Every write of the filing workflow and of appointments, one module per concern:

- `lifecycle`: open, edit, submit, return, approve (with the receipt number), reject, withdraw;
- `rules`: what a filing must hold before it is decided (documents, lease, changes, enrolments);
- `documents`: uploads checked by their content, removal, the audit row of every view;
- `appointments`: slots at a guidance centre and the institutions' bookings;
- `notifications`: staff notifications and their e-mail.

Each write is one transaction with its audit row and checks its actor with `accounts.policies`;
side effects (e-mail, metrics recompute) go out on commit through `portal.dispatch`, so a rolled-back
decision sends nothing. Pages, API and tests call them as `filings.services.<name>`, listed here.
"""

from .appointments import appointment_slot_create, booking_cancel, booking_create, booking_move
from .common import FilingStateError
from .documents import document_record_view, document_remove, document_upload
from .lifecycle import (
    filing_approve,
    filing_create,
    filing_reject,
    filing_resubmit,
    filing_return,
    filing_submit,
    filing_update_draft,
    filing_withdraw,
)
from .notifications import notification_mark_read
from .rules import completeness_problems, required_document_kinds

__all__ = [
    "FilingStateError",
    "appointment_slot_create", "booking_cancel", "booking_create", "booking_move",
    "completeness_problems", "required_document_kinds",
    "document_record_view", "document_remove", "document_upload",
    "filing_approve", "filing_create", "filing_reject", "filing_resubmit", "filing_return", "filing_submit",
    "filing_update_draft", "filing_withdraw",
    "notification_mark_read",
]
