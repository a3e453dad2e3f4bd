"""The demo's year of Xingtai's mentoring pairs, seeded through the real code, and a second run changing nothing."""

import datetime

import pytest

from institutions.models import MentoringPair
from mentoring import selectors
from mentoring.models import Goal, Outcome, Visit
from tests.helpers import seed_demo_steps


@pytest.fixture
def demo(db):
    ctx, _seconds = seed_demo_steps("regions.demo", "accounts.demo", "institutions.demo", "mentoring.demo")
    return ctx


def test_xingtais_six_pairs_have_goals_monthly_visits_two_outcomes_and_scorecards(demo):
    from accounts.models import User

    pairs = list(MentoringPair.objects.filter(mentee__region__code__startswith="1305").order_by("pk"))
    assert len(pairs) == 6 and all(p.started_on.year == 2026 for p in pairs)
    assert Goal.objects.filter(pair__in=pairs).count() == 18
    assert sorted(Outcome.objects.values_list("result", flat=True)) == ["improved", "partly"]
    for pair in pairs:
        visits = list(Visit.objects.filter(pair=pair).values_list("visited_on", flat=True))
        last = pair.ended_on or datetime.date(2026, 11, 30)
        assert len(visits) >= (last.month - pair.started_on.month) - 1, pair
        assert all(pair.started_on <= v <= last for v in visits)
        cards = selectors.mentee_scorecards(pair, user=User.objects.get(username="xingtai"))
        assert cards["before"] and cards["after"] and cards["change"]["points"] > 0
    mentor = User.objects.get(username="xingtai-mentor")
    assert mentor.institution_id == pairs[2].mentor_id and pairs[2].ended_on is None
    pack = selectors.pack_figures(year=2026, city_codes=["1305"])["1305"]
    assert (pack[0]["numerator"], pack[1]["numerator"], pack[1]["denominator"]) == (6, 1, 2)
    assert 0 < pack[4]["numerator"] < pack[4]["denominator"]  # some of Xingtai's institutions are 医育结合

    counts = (Goal.objects.count(), Visit.objects.count(), Outcome.objects.count())
    import importlib

    importlib.import_module("mentoring.demo").seed(demo)
    assert (Goal.objects.count(), Visit.objects.count(), Outcome.objects.count()) == counts
