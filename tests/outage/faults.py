"""Real faults for the outage tests: a private Redis server, a TCP proxy in front of PostgreSQL, the
portal served by gunicorn and a Celery worker, each a process of the test's own on a free port.

Nothing here touches the shared PostgreSQL or Redis servers beyond the test database: every server that
is made to fail is one the test started, and every process is stopped (or killed) by the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.db import connection

from tests.conftest import require_service

BASE_DIR = Path(__file__).resolve().parents[2]
FIGURES = BASE_DIR / "bench" / "results" / "outage.json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def record_figures(fault: str, **figures) -> None:
    """Prints the fault's figures and keeps them in bench/results/outage.json for the closing note."""
    print(f"\n[outage] {fault}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))
    try:
        FIGURES.parent.mkdir(parents=True, exist_ok=True)
        data = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
        data[fault] = figures
        FIGURES.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    except OSError:
        pass


class PrivateRedis:
    """A redis-server of the test's own: stop it, start it again on the same port, freeze it (SIGSTOP)."""

    def __init__(self):
        require_service(bool(shutil.which("redis-server")), "redis-server binary (apt-get install redis-server)")
        self.port = free_port()
        self.proc = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self):
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL)
        wait_until(lambda: _port_open(self.port), 10, what="redis-server")
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None

    def freeze(self):
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self):
        os.kill(self.proc.pid, signal.SIGCONT)


def _port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


class TcpProxy:
    """Forwards a free local port to PostgreSQL; `cut()` drops every connection and refuses new ones
    (the database is unreachable, as during a restart), `restore()` accepts again."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self.port = free_port()
        self.open = True
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        self.listener = None
        self._listen()

    def _listen(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(64)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def cut(self):
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() (close alone does not)
        self.listener.close()
        with self.lock:
            for a, b in self.pairs:
                for s in (a, b):
                    with contextlib.suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)
            self.pairs.clear()

    def restore(self):
        self._listen()

    def close(self):
        self.cut()


def database_url(port: int | None = None) -> str:
    s = connection.settings_dict
    auth = (s.get("USER") or "postgres") + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{port or s.get('PORT') or 5432}/{s['NAME']}"


def app_env(*, redis: PrivateRedis | None, db_port: int | None = None, **extra) -> dict:
    """The environment of a portal process (web, worker or relay) on the test database."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.test_settings", "DJANGO_DEBUG": "1",
           "DATABASE_URL": database_url(db_port), "AXES_ENABLED": "0", "METRICS_DEBOUNCE_SECONDS": "1",
           "OUTBOX_RELAY_POLL_SECONDS": "0.5", "RUN_HEARTBEAT_SECONDS": "0.5", "RUN_STALE_SECONDS": "3",
           "RUN_SWEEP_SECONDS": "1", "PYTHONUNBUFFERED": "1"}
    if redis is not None:
        env.update({"REDIS_URL": redis.url(0), "CELERY_BROKER_URL": redis.url(1),
                    "CELERY_RESULT_BACKEND": redis.url(1)})
    env.update({k: str(v) for k, v in extra.items()})
    return env


def start_worker(env: dict, *, pool: str = "solo", concurrency: int = 1, log: Path | None = None) -> subprocess.Popen:
    """A Celery worker (and, through it, the outbox relay) in a process group of its own, so that
    `kill_group` takes both, as a lost machine would."""
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "portal", "worker", f"--pool={pool}",
                             f"--concurrency={concurrency}", "--loglevel=warning", "--without-gossip",
                             "--without-mingle", "--without-heartbeat",
                             f"--hostname=outage-{os.getpid()}-{free_port()}@%h"],
                            cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def start_web(env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "portal.wsgi:application", "-b", f"127.0.0.1:{port}",
                             "-w", "1", "--threads", "4", "--timeout", "60", "--log-level", "warning"],
                            cwd=BASE_DIR, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _port_open(port), 30, what="gunicorn")
    except AssertionError:
        kill_group(proc)
        raise
    return proc, base


def kill_group(proc: subprocess.Popen, sig=signal.SIGKILL) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def stop_group(proc: subprocess.Popen) -> None:
    kill_group(proc, signal.SIGTERM)


def session_cookie(user) -> dict:
    """A signed-in session for `user`, stored in the test database (the live server reads it)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {"sessionid": client.cookies["sessionid"].value}
