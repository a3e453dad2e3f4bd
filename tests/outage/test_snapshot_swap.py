"""Readers never see a half-swapped snapshot: while the snapshot of a date is recomputed and swapped again
and again, every API read returns a count with all of its rows, from one version.

Each request pins one ready version (Snapshot.objects.current, once); the superseded version keeps its rows
for SNAPSHOT_GRACE_SECONDS. Before, its rows were deleted right after the swap: a request that had counted
them read an empty page (1 of 2,331 reads in the outage trial).
"""

import datetime
import subprocess
import sys
import time

from metrics.compute import snapshot_compute, snapshot_prune
from metrics.models import RegionSnapshot, Snapshot
from tests.factories import InstitutionClassFactory, InstitutionFactory

from .faults import BASE_DIR, app_env, kill_group, record_figures, wait_until

D = datetime.date(2022, 6, 30)
READS = 2000


SWAPPER = """
import sys, django
django.setup()
from metrics.compute import snapshot_compute
import datetime
day = datetime.date.fromisoformat(sys.argv[1])
import time
while True:
    snapshot_compute(date=day)
    time.sleep(0.05)  # leave the readers a core: the point is overlap, not the most swaps
"""


def _reads(client, n: int, expected: int) -> tuple[int, set]:
    anomalies, versions = 0, set()
    for _ in range(n):
        body = client.get("/api/v1/metrics/regions/", {"date": D.isoformat()}, HTTP_CACHE_CONTROL="no-cache").json()
        rows = body["results"]
        snapshots = {r["snapshot"] for r in rows}
        versions |= snapshots
        if body["count"] != expected or len(rows) != body["count"] or len(snapshots) != 1:
            anomalies += 1
    return anomalies, versions


def test_reads_during_repeated_swaps_always_return_a_whole_version(
        require_postgresql, transactional_db, regions, api_client, province_official, settings):
    InstitutionClassFactory(institution=InstitutionFactory(region_id="130102001", filed_on=datetime.date(2022, 1, 1)),
                            places=20)
    snapshot_compute(date=D)
    expected = RegionSnapshot.objects.filter(snapshot=Snapshot.objects.current(D),
                                             region__code__startswith="13").count()
    # Signed in without a session: each read is the snapshot's queries, not the session's and the user's.
    api_client.force_authenticate(province_official)

    first = Snapshot.objects.current(D).version
    # The swaps run in a process of their own (a worker would), so reads and swaps truly overlap.
    writer = subprocess.Popen([sys.executable, "-c", SWAPPER, D.isoformat()], env=app_env(redis=None),
                              cwd=BASE_DIR, start_new_session=True)
    started = time.monotonic()
    try:
        wait_until(lambda: Snapshot.objects.current(D).version > first, 30, what="the first swap")
        anomalies, versions = _reads(api_client, READS, expected)
    finally:
        kill_group(writer)
    seconds = time.monotonic() - started
    swaps = Snapshot.objects.current(D).version - first
    record_figures("snapshot swap while dashboards read", reads=READS, swaps=swaps,
                   versions_seen=len(versions), anomalies=anomalies, seconds=round(seconds, 1))
    assert swaps >= 20 and len(versions) >= 10, "the reads did overlap many swaps"
    assert anomalies == 0

    # Past the grace period the superseded versions' rows go; the ready one stays whole.
    settings.SNAPSHOT_GRACE_SECONDS = 0
    pruned = 0
    while batch := snapshot_prune():
        pruned += batch
    assert pruned >= swaps - 1
    current = Snapshot.objects.current(D)
    assert not RegionSnapshot.objects.filter(snapshot__date=D, snapshot__status=Snapshot.Status.SUPERSEDED).exists()
    assert RegionSnapshot.objects.filter(snapshot=current, region__code__startswith="13").count() == expected
