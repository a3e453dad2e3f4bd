"""PostgreSQL restarts during a burst of writes: the portal recovers by itself and loses no committed write.

The test runs its own PostgreSQL cluster (initdb into a temporary folder, on a free port) so that
restarting it touches nothing else, copies the test database into it, serves the portal from it
with gunicorn, and restarts the cluster while four clients keep creating appointment slots.
"""

from __future__ import annotations

import datetime
import glob
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings
from django.db import connection

from institutions.models import GuidanceCentre
from tests.conftest import require_service
from tests.factories import api_token

pytestmark = pytest.mark.services


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*cmd, **kwargs):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *cmd], check=True, capture_output=True, text=True, **kwargs)


@pytest.fixture
def own_cluster():
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    require_service(bool(bins) and (os.geteuid() != 0 or shutil.which("runuser")),
                    "PostgreSQL server binaries (initdb, pg_ctl) to run a private cluster")
    bindir = os.path.dirname(bins[-1])
    import tempfile
    from pathlib import Path

    # Not under pytest's own temporary folder: the postgres user must be able to reach it.
    data = Path(tempfile.mkdtemp(prefix="tuoyu-pgcluster-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    port = _free_port()
    _as_postgres(f"{bindir}/initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"

    def pg_ctl(action, *extra):
        return _as_postgres(f"{bindir}/pg_ctl", "-D", str(data), "-o", options, "-l", f"{data}/log", "-w",
                            *extra, action)

    pg_ctl("start")
    try:
        yield {"port": port, "pg_ctl": pg_ctl}
    finally:
        pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(data, ignore_errors=True)


def _request(port, method, path, token, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request(method, path, body=json.dumps(body) if body else None,
                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()
    except OSError:
        return 0, b""
    finally:
        conn.close()


def test_portal_recovers_from_a_database_restart_without_losing_committed_writes(
        require_postgresql, transactional_db, regions, city_official, own_cluster):
    centre = GuidanceCentre.objects.create(city_id="1301", name="石家庄市托育指导中心")
    token = api_token(city_official)
    port = own_cluster["port"]
    dsn = f"postgresql://postgres@127.0.0.1:{port}"
    # Copy the test database (schema and the rows above) into the private cluster.
    subprocess.run(["psql", f"{dsn}/postgres", "-q", "-c", "CREATE DATABASE tuoyu"], check=True)
    s = connection.settings_dict
    source = f"postgresql://{s.get('USER') or 'postgres'}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}"
    dump = subprocess.run(["pg_dump", "--no-owner", f"{source}/{s['NAME']}"], check=True, capture_output=True)
    subprocess.run(["psql", f"{dsn}/tuoyu", "-q", "-v", "ON_ERROR_STOP=1"], input=dump.stdout, check=True,
                   capture_output=True)

    web_port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.test_settings", "DATABASE_URL": f"{dsn}/tuoyu",
           "CELERY_BROKER_URL": "", "REDIS_URL": ""}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind",
                               f"127.0.0.1:{web_port}", "--workers", "2", "--log-level", "error"],
                              env=env, cwd=settings.BASE_DIR)
    try:
        for _ in range(100):
            if _request(web_port, "GET", "/healthz", token)[0] == 200:
                break
            time.sleep(0.2)
        results: list[tuple[int, bytes]] = []
        restarted: list[int] = []  # how many answers had come when the restart was done
        day = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()

        def committed() -> int:
            return sum(status == 201 for status, _ in results)

        def writing() -> bool:
            """Until 10 writes have been answered after the restart (8 s at the most)."""
            return time.monotonic() < give_up and not (restarted and committed() >= restarted[0] + 10)

        give_up = time.monotonic() + 8

        def client():
            while writing():
                results.append(_request(web_port, "POST", "/api/v1/appointment-slots/", token, {
                    "centre": centre.pk, "date": day, "start_time": "09:00", "end_time": "10:00",
                    "capacity": 3, "purpose": "verification"}))

        threads = [threading.Thread(target=client) for _ in range(4)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 2.5  # the burst is under way: writes are being committed
        while committed() < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        own_cluster["pg_ctl"]("restart", "-m", "fast")
        restarted.append(committed())
        for t in threads:
            t.join()

        created = [json.loads(body)["id"] for status, body in results if status == 201]
        failed = [status for status, _ in results if status != 201]
        # Recovered without restarting the portal: the next requests succeed.
        after = [_request(web_port, "POST", "/api/v1/appointment-slots/", token, {
            "centre": centre.pk, "date": day, "start_time": "11:00", "end_time": "12:00", "capacity": 3,
            "purpose": "verification"})[0] for _ in range(5)]
        assert after == [201] * 5, after
        # Every write that was answered 201 is in the database.
        rows = subprocess.run(["psql", f"{dsn}/tuoyu", "-At", "-c",
                               "SELECT id FROM filings_appointmentslot"], check=True, capture_output=True,
                              text=True).stdout.split()
        assert set(map(str, created)) <= set(rows)
        assert len(created) > 10
        assert set(failed) <= {503}, "during the restart the API answers 503 with Retry-After, not 500"
        print(f"database restart: {len(created)} writes committed, {len(failed)} refused during the restart "
              f"({sorted(set(failed))}), recovered without restarting the portal")
    finally:
        server.terminate()
        server.wait(timeout=20)
