"""Each kind of task has a queue of its own, so that its workers can be scaled apart (docs/scaling.md)."""

from django.conf import settings

from portal.celery import app

EXPECTED = {
    "recompute": {"metrics.recompute_snapshot", "metrics.recompute_snapshot_debounced", "metrics.recompute_today",
                  "metrics.snapshot_retention_run"},
    "rankings": {"metrics.rankings_period_end"},
    "imports": {"enrolments.tasks.enrolment_import_run", "institutions.tasks.onboarding_check_run",
                "institutions.tasks.onboarding_import_run"},
}


def _our_tasks() -> set[str]:
    app.loader.import_default_modules()
    return {name for name in app.tasks if not name.startswith("celery.")}


def _queue_of(name: str) -> str:
    return app.amqp.router.route({}, name)["queue"].name


def test_each_task_goes_to_the_queue_of_its_kind_and_every_other_task_to_default():
    tasks = _our_tasks()
    for queue, names in EXPECTED.items():
        assert names <= tasks, f"no such task: {names - tasks}"
        for name in names:
            assert _queue_of(name) == queue, name
    for name in tasks - set().union(*EXPECTED.values()):
        assert _queue_of(name) == "default", name


def test_every_route_names_a_task_and_every_queue_is_declared():
    assert set(settings.CELERY_TASK_ROUTES) <= _our_tasks()  # a renamed task would silently fall back to default
    assert set(app.amqp.queues) == {"default", *EXPECTED}


def test_a_worker_without_q_listens_on_every_queue():
    """make worker and the tests' workers start without -Q: they must consume every kind of task."""
    from celery.app.amqp import Queues

    consumed = Queues(app.conf.task_queues)
    assert set(consumed) == {"default", "recompute", "rankings", "imports"}
