"""Relays the task outbox to the broker and sweeps runs whose worker was lost, until stopped.

Every Celery worker starts one beside itself (portal.celery); it can also run on its own. Several may run
at once: rows and runs are claimed with row locks and conditional updates.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from portal import dispatch, runs

log = logging.getLogger(__name__)


class Listener:
    """Waits for the outbox NOTIFY (PostgreSQL) or a poll interval, whichever comes first."""

    def __init__(self):
        self.conn = None

    def _connect(self):
        import psycopg

        s = connection.settings_dict
        self.conn = psycopg.connect(dbname=s["NAME"], user=s.get("USER") or None, password=s.get("PASSWORD") or None,
                                    host=s.get("HOST") or None, port=s.get("PORT") or None, autocommit=True,
                                    connect_timeout=3)
        self.conn.execute(f"LISTEN {dispatch.NOTIFY_CHANNEL}")

    def wait(self, seconds: float) -> None:
        if connection.vendor != "postgresql":
            time.sleep(seconds)
            return
        try:
            if self.conn is None or self.conn.closed:
                self._connect()
            for _ in self.conn.notifies(timeout=seconds, stop_after=1):
                pass
        except Exception:  # the database is away: wait, then connect again
            self.close()
            time.sleep(seconds)

    def close(self):
        if self.conn is not None:
            with contextlib.suppress(Exception):  # already broken
                self.conn.close()
        self.conn = None


class Command(BaseCommand):
    help = "Send pending outbox rows to the broker and sweep runs whose worker stopped, until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one pass, then exit")

    def handle(self, *args, once=False, **options):
        from celery._state import _set_task_join_will_block

        # As in a worker: sending a task must not subscribe this long-lived process to its result.
        _set_task_join_will_block(True)
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        poll = settings.OUTBOX_RELAY_POLL_SECONDS
        listener = Listener()
        next_sweep = 0.0
        while not stopping:
            close_old_connections()
            backoff = 0.0
            try:
                try:
                    dispatch.relay_pending()
                except dispatch.BrokerUnavailable:
                    backoff = 0.5  # try again soon: the rows go out within a second of the broker's return
                if time.monotonic() >= next_sweep:
                    runs.sweep_all()
                    next_sweep = time.monotonic() + settings.RUN_SWEEP_SECONDS
            except Exception as exc:  # the database is away: keep going, it comes back
                log.warning("outbox relay pass failed: %s", exc)
                connection.close()
                backoff = poll
            if once:
                break
            listener.wait(backoff or poll)
        listener.close()
