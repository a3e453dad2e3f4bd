"""Officials' pages of the metrics app: ask for the figures of a date to be recomputed, and watch it run.

The work itself runs on a Celery worker (metrics.tasks.recompute_snapshot); these pages start it
through the same service as the API and poll its progress with htmx.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.forms import add_service_errors

from .compute import LOST_WORKER
from .forms import RecomputeForm
from .models import Snapshot
from .services import recompute_progress, require_official_or_admin, snapshot_request_recompute


@login_required
@require_http_methods(["GET", "POST"])
def recompute(request):
    """The recompute form, with the snapshots already stored."""
    require_official_or_admin(request.user)
    form = RecomputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            task_id = snapshot_request_recompute(date=form.cleaned_data["date"], actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Recompute requested: the figures are being computed."))
            return redirect("metrics:recompute-status", task_id=task_id)
    snapshots = Snapshot.objects.visible_to(request.user).ready().order_by("-date", "-version")[:12]
    return render(request, "metrics/recompute.html", {"form": form, "snapshots": snapshots},
                  status=400 if form.errors else 200)


def _progress_context(task_id) -> dict:
    state, percent, snapshot = recompute_progress(str(task_id))
    return {"task_id": task_id, "state": state, "percent": percent, "snapshot": snapshot,
            "lost": bool(snapshot and snapshot.error.startswith(LOST_WORKER)),
            "finished": state in (Snapshot.Status.READY, Snapshot.Status.FAILED, Snapshot.Status.SUPERSEDED)}


@login_required
@require_GET
def recompute_status(request, task_id):
    require_official_or_admin(request.user)
    return render(request, "metrics/recompute_status.html", _progress_context(task_id))


@login_required
@require_GET
def recompute_progress_fragment(request, task_id):
    """The progress fragment htmx polls every second until the run is finished."""
    require_official_or_admin(request.user)
    return render(request, "metrics/_recompute_progress.html", _progress_context(task_id))
