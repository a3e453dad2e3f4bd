"""The Celery application.

Reliability defaults live in settings (CELERY_*): JSON only, acks late with a prefetch of one,
a task whose worker dies is given back to the queue, and every task has soft and hard time limits.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
