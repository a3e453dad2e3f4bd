"""The benchmarks' statement counter counts what Django's query log cannot: with DEBUG off, and past the
log's 9,000 entries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.harness import count_statements

pytestmark = pytest.mark.django_db


def test_counts_statements_with_debug_off(settings):
    settings.DEBUG = False
    with count_statements() as counted, connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute("SELECT 1")
        cursor.executemany("SELECT %s", [(1,), (2,)])
    assert counted.count == 4
    assert not connection.queries_logged  # no log to read from


def test_counts_past_the_query_log_limit():
    limit = connection.queries_log.maxlen
    with CaptureQueriesContext(connection) as captured, count_statements() as counted, connection.cursor() as cursor:
        for _ in range(limit + 5):
            cursor.execute("SELECT 1")
    assert counted.count == limit + 5
    assert len(captured.captured_queries) < counted.count  # the log kept only its last `limit`
