"""The Hebei demo data set, built step by step by each app's `demo.py`.

Each step is a module with `seed(ctx)`; steps run in order and must be idempotent (a second
`seed_demo` changes nothing). Later issues add their steps to DEMO_STEPS.
"""

from __future__ import annotations

import datetime
import importlib
import random
import time
from dataclasses import dataclass, field

DEMO_PROVINCE = "13"  # Hebei
# The demo is a living province. Its records reproduce Hebei's published figures on this date (1,273 filed
# institutions, 138,000 places, 1.85 per 1,000 residents, 126 of 160 pilots completed: the snapshot a dashboard
# opens with ?date=2022-07-08); what happens after it, up to the day seed_demo runs, is synthetic growth,
# marked `is_synthetic` on the institutions it adds.
REAL_FIGURES_ON = datetime.date(2022, 7, 8)
DEMO_PASSWORD = "tuoyu-demo-2026"  # noqa: S105 — demo accounts only, printed by `make run`
DEMO_STEPS = [
    "regions.demo",
    "accounts.demo",
    "institutions.demo",
    "filings.demo",
    "enrolments.demo",
    "pilots.demo",
    "supervision.demo",
    "complaints.demo",
    "mentoring.demo",
    "demonstration.demo",
    "training.demo",
    "yearend.demo",
    "metrics.demo",
]


@dataclass
class DemoContext:
    stdout: object
    rng: random.Random = field(default_factory=lambda: random.Random(20220630))  # noqa: S311
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (username, description)
    seconds: dict[str, float] = field(default_factory=dict)  # per step, for the seed's closing line

    def say(self, message: str) -> None:
        self.stdout.write(message)


def seed_all(stdout) -> DemoContext:
    ctx = DemoContext(stdout=stdout)
    for name in DEMO_STEPS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        started = time.monotonic()
        module.seed(ctx)
        ctx.seconds[name] = round(time.monotonic() - started, 1)
    return ctx
