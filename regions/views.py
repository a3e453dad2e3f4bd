"""Pages of the regions app: loading a province's division codes (administrators) and resident
populations (officials of the region or above, administrators).

Every write goes through `regions.services`, which checks who may act; a refusal is a 403 (regions are
public data, so nothing leaks), a service's ValidationError is shown on the form naming the field.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import policies
from accounts.policies import require

from . import services
from .forms import PopulationForm, PopulationUploadForm
from .importing import shipped_provinces
from .models import Region, RegionPopulation
from .uploads import UploadRow, read_population_file

UPLOAD_SALT = "regions.populations_upload"
UPLOAD_MAX_AGE = 3600  # a checked table may be saved within the hour


def _officials_only(user) -> None:
    if not (policies.is_official(user) or policies.is_admin(user)):
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def province_load(request):
    """The 31 provinces shipped with the portal and how much of each is loaded; one button loads one."""
    require(policies.loads_divisions(request.user))
    provinces = shipped_provinces()
    if request.method == "POST":
        try:
            result = services.province_load(province=request.POST.get("province", ""), actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _(
                "%(name)s: %(regions)s regions loaded (%(created)s new, %(updated)s changed) in %(seconds).1f s."
            ) % {"name": result.name, "regions": f"{result.regions:,}", "created": f"{result.created:,}",
                 "updated": f"{result.updated:,}", "seconds": result.seconds})
        return redirect("regions:load")
    loaded = services.provinces_loaded()
    rows = [{"code": code, "name": name, "regions": loaded.get(code, 0)} for code, name in provinces.items()]
    return render(request, "regions/province_load.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def populations(request, code: str):
    """A region's resident population by year, its sub-regions' latest figures; officials of the region
    or above set a year's figure."""
    _officials_only(request.user)
    region = get_object_or_404(
        Region.objects.visible_to(request.user).prefetch_related(
            Prefetch("children", queryset=Region.objects.order_by("code").prefetch_related(
                Prefetch("populations", queryset=RegionPopulation.objects.order_by("-year"))))),
        code=code)
    may_set = policies.sets_population_of(request.user, region)
    form = PopulationForm(request.POST or None) if may_set else None
    if request.method == "POST":
        require(may_set)
        if form.is_valid():
            try:
                _figure, created = services.population_set(region=region, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Population of %(region)s in %(year)d saved.") % {
                    "region": region.name, "year": form.cleaned_data["year"]})
                return redirect("regions:populations", code=region.code)
    children = [{"region": child, "latest": next(iter(child.populations.all()), None)}
                for child in region.children.all()]
    return render(request, "regions/populations.html", {
        "region": region, "ancestors": region.ancestors(), "form": form, "children": children,
        "figures": RegionPopulation.objects.filter(region=region).order_by("-year"),
    }, status=400 if form is not None and form.errors else 200)


def _rows_token(rows: list[UploadRow]) -> str:
    return signing.dumps([[r.number, r.values] for r in rows], salt=UPLOAD_SALT, compress=True)


def _rows_from_token(token: str) -> list[UploadRow]:
    data = signing.loads(token, salt=UPLOAD_SALT, max_age=UPLOAD_MAX_AGE)
    return [UploadRow(number, values) for number, values in data]


@login_required
@require_http_methods(["GET", "POST"])
def populations_upload(request):
    """Bulk figures from a CSV or XLSX table: checked first (nothing saved), then saved all at once.

    The checked rows travel back signed, so "Save" writes exactly the table that was checked; the
    service checks them again (area, values) before writing.
    """
    _officials_only(request.user)
    form = PopulationUploadForm()
    context: dict = {}
    status = 200
    if request.method == "POST":
        try:
            if "rows" in request.POST:
                rows = _rows_from_token(request.POST["rows"])
                dry_run = False
            else:
                form = PopulationUploadForm(request.POST, request.FILES)
                if not form.is_valid():
                    raise ValidationError({"file": [e for errors in form.errors.values() for e in errors]})
                rows = read_population_file(form.cleaned_data["file"])
                dry_run = form.cleaned_data["dry_run"]
            result = services.populations_upload(rows=rows, actor=request.user, dry_run=dry_run)
        except signing.BadSignature:
            context["problems"] = [_("The checked table has expired; upload it again.")]
            status = 400
        except ValidationError as exc:
            context["problems"] = [m for errors in exc.message_dict.values() for m in errors] \
                if hasattr(exc, "error_dict") else exc.messages
            status = 400
        else:
            if not dry_run:
                messages.success(request, _(
                    "Population table saved: %(created)d new figures, %(updated)d replaced, %(unchanged)d unchanged."
                ) % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged})
                return redirect("regions:populations_upload")
            context.update(result=result, rows_token=_rows_token(rows), preview=result.figures[:20])
    area = None if policies.is_admin(request.user) else request.user.region
    return render(request, "regions/populations_upload.html", {"form": form, "area": area, **context},
                  status=status)
