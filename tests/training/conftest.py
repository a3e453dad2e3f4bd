import datetime

import pytest
from django.utils import timezone, translation

from institutions.models import GuidanceCentre
from training.models import Course


@pytest.fixture(autouse=True)
def _in_english():
    """Services answer in the active language: these tests read their messages in English."""
    with translation.override("en"):
        yield


def make_course(centre, *, days_ahead: int = 10, capacity: int = 5, hours: int = 16, length: int = 2, **fields):
    """A course at `centre` starting `days_ahead` days from today (negative: it started)."""
    starts = timezone.localdate() + datetime.timedelta(days=days_ahead)
    return Course.objects.create(centre=centre, kind=fields.pop("kind", Course.Kind.BASIC),
                                 title=fields.pop("title", "保育人员基础培训"), starts_on=starts,
                                 ends_on=starts + datetime.timedelta(days=length - 1), hours=hours, capacity=capacity,
                                 **fields)


@pytest.fixture
def centre(regions):
    return GuidanceCentre.objects.create(city_id="1301", name="石家庄市托育综合服务指导中心", host="石家庄市妇幼保健院")


@pytest.fixture
def other_centre(regions):
    return GuidanceCentre.objects.create(city_id="1305", name="邢台市托育指导中心")


@pytest.fixture
def course(centre):
    return make_course(centre)
