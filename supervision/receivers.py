"""How supervision learns of a filing approval: one receiver of `filings.signals.filing_approved`."""

from django.dispatch import receiver

from filings.models import Filing
from filings.signals import filing_approved

from . import services


@receiver(filing_approved, dispatch_uid="supervision.verify_after_filing")
def verify_after_filing(sender, *, filing: Filing, decided_on, **kwargs) -> None:
    """An initial or change filing approved → the county's verification, due in 15 working days.
    A cancellation needs none: the institution has stopped."""
    if filing.kind in (Filing.Kind.INITIAL, Filing.Kind.CHANGE):
        services.verification_open(filing=filing, decided_on=decided_on)
