from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskOutbox(models.Model):
    """A task call written in the same transaction as the change that asks for it (the transactional outbox).

    The relay (`portal.dispatch.relay_pending`, run by `manage.py outbox_relay` beside every worker) sends
    pending rows to the broker and marks them sent; a row is never lost with a broker outage, and a
    rolled-back change takes its task call with it.
    """

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    # The Celery task id the call is sent with: known before it is sent (progress pages follow it), and
    # the same on a resend, so a task can tell a repeat of itself.
    task_id = models.CharField(max_length=64, blank=True, db_index=True)
    # Not sent before this time (a countdown): the relay holds it, so no ETA task waits inside the broker.
    not_before = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Failed attempts to reach the broker.")
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["sent_at", "created_at"], name="outbox_pending_idx"),
            models.Index(fields=["not_before"], condition=models.Q(sent_at__isnull=True),
                         name="outbox_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} ({'sent' if self.sent_at else 'pending'})"


class RunLease(models.Model):
    """A long task without a status row of its own (the period-end rankings): its heartbeat while it runs,
    so that the sweeper can requeue it when its worker is lost (portal.runs.leased)."""

    key = models.CharField(max_length=200, unique=True)
    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    attempts = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["heartbeat_at"], condition=models.Q(finished_at__isnull=True),
                                name="run_lease_running_idx")]

    def __str__(self) -> str:
        return f"{self.key} ({self.outcome or 'running'})"


class SweptJob(models.Model):
    """An import job whose runs beat (portal.runs.Heartbeat) and that `portal.runs.job_sweep` queues again
    when its process is lost. `attempts` counts the runs of the job's current step; the model has a
    `PENDING` status, to which a lost run goes back."""

    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        abstract = True

    @property
    def was_restarted(self) -> bool:
        """Run more than once because the process running it stopped (the sweeper started it again)."""
        return self.attempts > 1 or (self.attempts == 1 and self.status == self.Status.PENDING)
