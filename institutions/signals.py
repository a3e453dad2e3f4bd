"""What the registry tells the apps that follow it, without importing them.

`figures_changed` is sent inside the writing transaction whenever a write changes what an area's
figures count: an institution filed, changed or cancelled (filings), children enrolled or leaving
(enrolments). The metrics app listens (metrics/receivers.py) and recomputes on commit, so filings and
enrolments never import metrics: the dependency arrow points from metrics to what it counts.
"""

from django.dispatch import Signal

# Sent with region_code: the region code of the institution whose figures changed.
figures_changed = Signal()
