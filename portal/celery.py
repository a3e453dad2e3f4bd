"""The Celery application.

Reliability defaults live in settings (CELERY_*): JSON only, acks late with a prefetch of one,
a task whose worker dies is given back to the queue, and every task has soft and hard time limits.

Every worker starts the outbox relay (`manage.py outbox_relay`) as a child process of its own, which
sends the task calls written by `portal.dispatch.dispatch_on_commit` and sweeps runs whose worker was
lost. A separate process, so that no database connection is shared across the pool's forks; it is
restarted if it stops and ends with the worker (also when the worker is killed: PDEATHSIG).
"""

import os
import subprocess
import sys
import threading
from pathlib import Path

from celery import Celery
from celery.signals import worker_ready, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_relay: dict = {"proc": None, "stopping": False}


def _die_with_parent():  # pragma: no cover - runs in the child between fork and exec
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _start_relay() -> subprocess.Popen:
    manage = Path(__file__).resolve().parent.parent / "manage.py"
    return subprocess.Popen([sys.executable, str(manage), "outbox_relay"], cwd=manage.parent,  # noqa: S603
                            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)


def _keep_relay_running():
    while not _relay["stopping"]:
        proc = _relay["proc"] = _start_relay()
        proc.wait()
        if not _relay["stopping"]:
            threading.Event().wait(2)


@worker_ready.connect
def start_outbox_relay(**kwargs):
    from django.conf import settings

    if settings.OUTBOX_RELAY_IN_WORKER and not app.conf.task_always_eager:
        threading.Thread(target=_keep_relay_running, name="outbox-relay", daemon=True).start()


@worker_shutdown.connect
def stop_outbox_relay(**kwargs):
    _relay["stopping"] = True
    proc = _relay["proc"]
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
