"""Every write to enrolment records, one module per concern; each write is one transaction with its audit row.

- `children`: registering a child (identity document, guardian consent), correcting, viewing;
- `enrolling`: enrolments into a class, class moves, leaving;
- `due`: children due to move class or leave, and their notices;
- `reports`: the periodic enrolment report;
- `common`: who keeps the records, identity locks.

Rules (rules.py) raise a ValidationError naming the child and the rule. The class row is locked
(select_for_update) while its occupancy is checked, so two enrolments into the last place cannot
both succeed. Pages, API and tests call them as `enrolments.services.<name>`, listed here.
"""

from .children import (
    CORRECTABLE,
    child_consent_record,
    child_correct,
    child_record_view,
    child_register,
    consent_errors,
    document_errors,
)
from .common import (
    IDENTITY_LOCK_BUCKETS,
    IDENTITY_LOCK_NAMESPACE,
    ensure_record_keeper,
    lock_identities,
)
from .due import (
    due_dates,
    due_notices_refresh,
)
from .enrolling import (
    enrolment_create,
    enrolment_end,
    enrolment_move_class,
)
from .reports import (
    expected_institutions,
    period_containing,
    recent_periods,
    report_confirm,
    report_figures,
    report_prepare,
    report_submit,
    reporting_setting,
)

__all__ = [
    "IDENTITY_LOCK_BUCKETS",
    "IDENTITY_LOCK_NAMESPACE",
    "ensure_record_keeper",
    "lock_identities",
    "CORRECTABLE",
    "child_consent_record",
    "child_correct",
    "child_record_view",
    "child_register",
    "consent_errors",
    "document_errors",
    "enrolment_create",
    "enrolment_end",
    "enrolment_move_class",
    "due_dates",
    "due_notices_refresh",
    "expected_institutions",
    "period_containing",
    "recent_periods",
    "report_confirm",
    "report_figures",
    "report_prepare",
    "report_submit",
    "reporting_setting",
]
