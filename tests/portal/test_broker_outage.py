"""With Redis stopped, writes still commit and their tasks are kept, then sent once Redis is back.

Runs against a Redis server of its own (started and stopped by the test on a free port), in a
subprocess configured with that broker, so the shared Redis of the rest of the suite is untouched.
"""

import shutil
import socket
import subprocess
import sys
import textwrap
import time

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import require_service

pytestmark = pytest.mark.services

SCRIPT = textwrap.dedent("""
    import django, json, subprocess, sys, time
    django.setup()
    from django.db import transaction
    from portal.celery import app
    from portal.dispatch import dispatch_on_commit
    from portal.models import TaskOutbox
    from portal.tasks import dispatch_retry_outbox, health
    from regions.models import Region

    port = sys.argv[1]
    assert not app.conf.task_always_eager
    # Redis is down now: the write commits, the request does not fail, the call is kept.
    started = time.monotonic()
    with transaction.atomic():
        Region.objects.create(code="98", name="outage test", level="province")
        dispatch_on_commit(health)
    took = time.monotonic() - started
    kept = TaskOutbox.objects.filter(sent_at__isnull=True, task_name="portal.health").count()
    committed = Region.objects.filter(code="98").exists()
    print(json.dumps({"phase": "down", "kept": kept, "committed": committed, "seconds": took}), flush=True)
    input()  # the test restarts Redis
    sent = dispatch_retry_outbox()
    import redis
    queued = redis.Redis(port=int(port)).llen("celery")
    print(json.dumps({"phase": "up", "sent": sent, "queued": queued,
                      "pending": TaskOutbox.objects.filter(sent_at__isnull=True).count()}), flush=True)
""")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis(port):
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL)
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("redis-server did not start")


def test_writes_survive_a_broker_outage_and_tasks_are_sent_when_it_returns(require_postgresql, transactional_db):
    import json
    import os

    require_service(bool(shutil.which("redis-server")), "redis-server binary (apt-get install redis-server)")
    port = _free_port()
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.test_settings",
           "DATABASE_URL": f"postgres://{db.get('USER') or 'postgres'}@{db.get('HOST') or '127.0.0.1'}:"
                           f"{db.get('PORT') or 5432}/{db['NAME']}",
           "CELERY_BROKER_URL": f"redis://127.0.0.1:{port}/0", "CELERY_RESULT_BACKEND": "",
           "REDIS_URL": ""}
    child = subprocess.Popen([sys.executable, "-c", SCRIPT, str(port)], env=env, cwd=settings.BASE_DIR,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    redis_proc = None
    try:
        down = json.loads(child.stdout.readline())
        assert down == {**down, "phase": "down", "kept": 1, "committed": True}
        assert down["seconds"] < 10, "a broker outage must not hang the request"
        redis_proc = _start_redis(port)
        child.stdin.write("\n")
        child.stdin.flush()
        up = json.loads(child.stdout.readline())
        assert up == {"phase": "up", "sent": 1, "queued": 1, "pending": 0}
    finally:
        child.kill()
        if redis_proc:
            redis_proc.terminate()
