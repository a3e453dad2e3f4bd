"""Settings for the test suite: the production settings with development-safe switches.

DATABASE_URL and CELERY_BROKER_URL still come from the environment, so `make test` runs on
PostgreSQL and Redis when they are configured (CI) and on SQLite with eager tasks when not.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("AXES_ENABLED", "1")

from portal.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {  # noqa: F405
    "anon": "100000/min", "user": "100000/min", "invitation": "100000/min",
    "complaint": "100000/min", "complaint_lookup": "100000/min"}}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
EVENTS_SETTLE_SECONDS = 0  # tests read the feed right after writing; one test sets a window
BENCH_ENDPOINTS = True  # the load benchmark smoke test measures against the constant endpoint
