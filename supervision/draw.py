"""The random draw of a round (双随机): which institutions are inspected, and by whom.

`draw(seed, inputs)` is a pure function of its arguments: no database, no clock, no global random state.
The service records the seed and the inputs beside the result, so anyone holding the two can run this
function again (`python -c`, a notebook, an auditor's own copy of this file) and get the same list.

Inputs (JSON, as recorded):
    count          how many institutions to draw
    institutions   [[institution id, weight], ...] sorted by id; weight 1 when the round is not risk-weighted
    inspectors     [inspector id, ...] sorted
    conflicts      {"<inspector id>": [institution ids the inspector may not inspect]}
    per_inspection inspectors per institution

Institutions are drawn without replacement with probability proportional to their weight
(Efraimidis–Spirakis: key = u ** (1 / weight), largest keys win). Inspectors are then assigned in the
drawn order: among those without a conflict, the least loaded so far, ties broken by a shuffle from the
same generator — so the work is spread evenly and no inspector chooses an institution.
"""

from __future__ import annotations

import hashlib
import json
import random


def inputs_hash(inputs: dict) -> str:
    """SHA-256 of the inputs in canonical JSON (sorted keys, no spaces): equal inputs, equal hash."""
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def draw(seed: int, inputs: dict) -> list[dict]:
    """[{"institution": id, "inspectors": [ids]}, ...] in drawn order. Deterministic in (seed, inputs)."""
    rng = random.Random(seed)
    candidates = sorted((int(pk), float(weight)) for pk, weight in inputs["institutions"])
    keyed = []
    for pk, weight in candidates:
        u = rng.random()
        keyed.append((u ** (1.0 / weight) if weight > 0 else 0.0, pk))
    count = min(int(inputs["count"]), len(candidates))
    chosen = [pk for _key, pk in sorted(keyed, key=lambda k: (-k[0], k[1]))[:count]]

    inspectors = sorted(int(pk) for pk in inputs["inspectors"])
    conflicts = {int(k): {int(v) for v in vs} for k, vs in inputs.get("conflicts", {}).items()}
    per_inspection = int(inputs["per_inspection"])
    load = dict.fromkeys(inspectors, 0)
    result = []
    for pk in chosen:
        eligible = [i for i in inspectors if pk not in conflicts.get(i, ())]
        order = list(range(len(eligible)))
        rng.shuffle(order)
        tiebreak = dict(zip(eligible, order, strict=True))
        picked = sorted(eligible, key=lambda i: (load[i], tiebreak[i]))[:per_inspection]
        for i in picked:
            load[i] += 1
        result.append({"institution": pk, "inspectors": sorted(picked)})
    return result
