"""Fixtures of the metrics tests."""

import pytest


@pytest.fixture
def eager_celery():
    """Run tasks in-process even when a broker is configured (CI), for tests about what a task does."""
    from portal.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved
