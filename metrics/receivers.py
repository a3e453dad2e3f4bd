"""How metrics learns that its figures are out of date: one receiver of `institutions.signals.figures_changed`."""

from django.dispatch import receiver

from institutions.signals import figures_changed
from portal.dispatch import dispatch_on_commit

from .tasks import recompute_snapshot_debounced


@receiver(figures_changed, dispatch_uid="metrics.recompute_on_change")
def recompute_on_change(sender, *, region_code: str, **kwargs) -> None:
    """A debounced recompute of today's snapshot once the change commits (a burst makes one)."""
    dispatch_on_commit(recompute_snapshot_debounced, region_code=region_code)
