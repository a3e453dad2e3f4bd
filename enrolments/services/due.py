"""Children due to move class or leave: the dates and the notices the institution sees."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from .. import rules
from ..models import (
    DueNotice,
    Enrolment,
    add_months,
)


def due_dates(date_of_birth: datetime.date, class_type: str) -> tuple[str, datetime.date]:
    """When a child outgrows its class: moves on at the class's upper age, leaves at 3 years."""
    from institutions.models import class_rules

    upper = class_rules()[class_type].max_age_months
    kind = DueNotice.Kind.LEAVE if upper >= rules.MAX_AGE_MONTHS else DueNotice.Kind.MOVE
    return kind, add_months(date_of_birth, min(upper, rules.MAX_AGE_MONTHS))


@transaction.atomic
def due_notices_refresh(*, on: datetime.date | None = None, institution_id: int | None = None,
                        within_days: int = 30) -> int:
    """Rebuilds the list of children who must move class or leave within `within_days` of `on`.

    Derived data: the rows are replaced wholesale (one delete, one bulk insert). Safe to repeat.
    """
    on = on or timezone.localdate()
    horizon = on + datetime.timedelta(days=within_days)
    active = Enrolment.objects.active_on(on)
    old = DueNotice.objects.all()
    if institution_id is not None:
        active = active.filter(institution_id=institution_id)
        old = old.filter(institution_id=institution_id)
    old.delete()
    rows = active.values_list("pk", "institution_id", "klass__class_type", "child__date_of_birth")
    notices = []
    for pk, inst_id, class_type, born in rows.iterator(chunk_size=5000):
        kind, due = due_dates(born, class_type)
        if due <= horizon:
            notices.append(DueNotice(enrolment_id=pk, institution_id=inst_id, kind=kind, due_on=due,
                                     computed_on=on))
    DueNotice.objects.bulk_create(notices, batch_size=2000)
    return len(notices)
