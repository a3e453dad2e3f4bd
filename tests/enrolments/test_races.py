"""Two enrolments racing for the last place, or for the same child's full-day enrolment: exactly one wins."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from enrolments import services
from enrolments.models import Enrolment


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def _full_day(child, klass, actor, start_date):
    """The call that enrols `child` full-day in `klass` (run now, or raced against another)."""
    return lambda: services.enrolment_create(child=child, klass=klass, care_form="full_day", start_date=start_date,
                                             actor=actor)


@pytest.mark.django_db(transaction=True)
def test_two_enrolments_for_the_last_place_one_wins(require_postgresql, register, older_class, staff, today):
    for name in ("一", "二"):
        _full_day(register(name, 26), older_class, staff, today)()
    a, b = register("甲", 26), register("乙", 27)
    outcomes = _race(_full_day(a, older_class, staff, today), _full_day(b, older_class, staff, today))
    assert outcomes == ["ok", "refused"]
    assert Enrolment.objects.filter(klass=older_class).count() == 3


@pytest.mark.django_db(transaction=True)
def test_same_child_full_day_in_two_institutions_at_once_one_wins(require_postgresql, register, older_class,
                                                                   other_class, staff, other_staff, today):
    child = register("李小明", 26)
    twin = register("李小明", 26, actor=other_staff, number=child.document_number())
    outcomes = _race(_full_day(child, older_class, staff, today), _full_day(twin, other_class, other_staff, today))
    assert outcomes == ["ok", "refused"]
