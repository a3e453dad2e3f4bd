"""What the filings lifecycle tells the apps that follow it, without importing them.

`filing_approved` is sent inside the approving transaction, with `filing` (the approved Filing) and
`decided_on` (the local date of the decision). Supervision listens (supervision/receivers.py) and opens
the county's post-filing verification, so filings never imports supervision.
"""

from django.dispatch import Signal

filing_approved = Signal()
