"""The Hebei demo data set, built step by step by each app's `demo.py`.

Each step is a module with `seed(ctx)`; steps run in order and must be idempotent (a second
`seed_demo` changes nothing). Later issues add their steps to DEMO_STEPS.
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field

DEMO_PROVINCE = "13"  # Hebei
DEMO_PASSWORD = "tuoyu-demo-2026"  # noqa: S105 — demo accounts only, printed by `make run`
DEMO_STEPS = [
    "regions.demo",
    "accounts.demo",
    "institutions.demo",
    "filings.demo",
    "enrolments.demo",
    "pilots.demo",
    "metrics.demo",
]


@dataclass
class DemoContext:
    stdout: object
    rng: random.Random = field(default_factory=lambda: random.Random(20220630))  # noqa: S311
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (username, description)

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
        module.seed(ctx)
    return ctx
