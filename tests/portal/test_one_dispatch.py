"""`portal.dispatch.dispatch_on_commit` is the only way application code sends a Celery task: a direct
send would bypass the outbox and fail (or hang) a request while the broker is away."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIRECT_SEND = re.compile(r"\.delay\(|apply_async\(|delay_on_commit\(|send_task\(")
NOT_APPLICATION_CODE = {".venv", "node_modules", "tests", "bench", "static", "staticfiles", ".git"}


def test_no_task_is_sent_outside_the_dispatch_module():
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in NOT_APPLICATION_CODE or relative == Path("portal/dispatch.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if DIRECT_SEND.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []
