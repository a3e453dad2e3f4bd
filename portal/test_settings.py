"""Settings for the test suite: the production settings with development-safe switches.

DATABASE_URL and CELERY_BROKER_URL still come from the environment, so `make test` runs on
PostgreSQL and Redis when they are configured (CI) and on SQLite with eager tasks when not.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("AXES_ENABLED", "1")


def _redis_db_of_xdist_worker(url: str, worker: int) -> str:
    """The Redis URL with its database number moved down by two per pytest-xdist worker (gw1: 14 -> 12), so
    parallel workers never share a cache, a broker queue or a Celery control channel."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(db - 2 * worker) % 16}"))


# Set in the environment, so that the Celery workers and servers the tests start inherit the same numbers.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
# Uploaded files of the tests, apart from a development server's and per parallel worker.
os.environ.setdefault("PRIVATE_MEDIA_ROOT", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                                         "private_media", f"tests-{_worker}"))
if _worker.isdigit() and int(_worker) and not os.environ.get("TUOYU_XDIST_REDIS"):
    os.environ["TUOYU_XDIST_REDIS"] = _worker
    for _name in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        if os.environ.get(_name, "").startswith("redis://"):
            os.environ[_name] = _redis_db_of_xdist_worker(os.environ[_name], int(_worker))

from portal.settings import *  # noqa: E402, F403

# With a replica configured the tests read it as the primary's mirror: one test database, the router's
# choices still exercised (tests/portal/test_replica.py).
if "replica" in DATABASES:  # noqa: F405
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {  # noqa: F405
    "anon": "100000/min", "user": "100000/min", "invitation": "100000/min",
    "complaint": "100000/min", "complaint_lookup": "100000/min"}}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
EVENTS_SETTLE_SECONDS = 0  # tests read the feed right after writing; one test sets a window
BENCH_ENDPOINTS = True  # the load benchmark smoke test measures against the constant endpoint
