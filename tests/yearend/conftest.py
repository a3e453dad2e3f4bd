import pytest
from django.utils import timezone

from yearend import services
from yearend.definitions import SHIPPED_FIELDS


def complete_values(**overrides) -> dict:
    """Every field of the shipped form filled in."""
    values = {code: ("说明" if kind == "text" else "12.50" if kind == "decimal" else 3)
              for _s, code, _l, kind, _r, _h in SHIPPED_FIELDS}
    values.update(overrides)
    return values


@pytest.fixture
def obligation(regions, admin_user):
    """This year's year-end reporting of Hebei on the shipped form, due 31 January next year."""
    template = services.yearend_template_ensure_shipped(region=regions["13"], actor=admin_user)
    return services.yearend_obligation_open(region=regions["13"], year=timezone.localdate().year,
                                            template=template, actor=admin_user)
