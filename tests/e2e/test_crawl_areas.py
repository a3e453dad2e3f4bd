"""The crawl of the city and county officials' accounts (test_crawl.py crawls the others and says what is
checked). A module of its own, with its own seeded demo, so that a second test worker takes it."""

import pytest

from .test_crawl import (  # noqa: F401 - the module-scoped demo and what it needs
    AREA_ROLES,
    crawl_and_check,
    demo_server,
    require_postgresql_module,
)

pytestmark = [pytest.mark.e2e, pytest.mark.crawl, pytest.mark.django_db]


@pytest.mark.parametrize("role", AREA_ROLES)
def test_role_pages_work_in_both_languages_on_desktop_and_phone(browser, demo_server, role):  # noqa: F811
    crawl_and_check(browser, demo_server, role)
