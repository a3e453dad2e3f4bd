"""Every write of supervision after filing, one module per concern:

- `checklists`: checklists as data, versioned; the shipped ones;
- `pool`: the inspector pool of an area;
- `rounds`: rounds, their reproducible random draw and its inputs, starting the drawn inspections;
- `inspections`: opening (post-filing verification, targeted), assigning, recording items and evidence,
  signing off;
- `rectification`: the institution's answer, the inspectors' decision, escalation when overdue;
- `suspension`: the notice after an immediate risk, the institution's objection, the county's decision;
- `common`: the state error, the institution's notification, who records, storing evidence.

One function per act, in one transaction, with its audit row. Other apps call in here rather than writing
supervision rows themselves: the filings lifecycle through the `filings.signals.filing_approved` signal
(receivers.py), complaints through `inspection_open_targeted(..., source="complaint", source_reference=...)`.
Pages, API and tests call them as `supervision.services.<name>`, listed here.
"""

from .checklists import (
    checklist_create_version,
    checklist_latest,
    checklists_ensure_shipped,
)
from .inspections import (
    evidence_add,
    evidence_record_view,
    inspection_assign,
    inspection_open_targeted,
    inspection_sign_off,
    item_record,
    verification_open,
)
from .pool import inspector_register, inspector_withdraw
from .rectification import (
    rectification_answer,
    rectification_decide,
    rectifications_escalate_overdue,
)
from .rounds import (
    complaint_counts,
    draw_replay,
    risk_weights,
    round_draw,
    round_inputs,
    round_plan,
    round_start,
)
from .suspension import (
    suspension_notice_decide,
    suspension_notice_issue,
    suspension_notice_object,
)

__all__ = [
    "checklist_create_version",
    "checklist_latest",
    "checklists_ensure_shipped",
    "inspector_register",
    "inspector_withdraw",
    "round_plan",
    "risk_weights",
    "complaint_counts",
    "round_inputs",
    "round_draw",
    "draw_replay",
    "round_start",
    "verification_open",
    "inspection_open_targeted",
    "inspection_assign",
    "item_record",
    "evidence_add",
    "evidence_record_view",
    "inspection_sign_off",
    "rectification_answer",
    "rectification_decide",
    "rectifications_escalate_overdue",
    "suspension_notice_issue",
    "suspension_notice_object",
    "suspension_notice_decide",
]
