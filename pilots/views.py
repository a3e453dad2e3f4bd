"""Pages of the pilots app: the pilot list of an official's area, with completion and latest grades,
and the reporting rates of the regions below (last 30 days). A fixed number of queries per page."""

from __future__ import annotations

import datetime

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.views.generic import ListView

from accounts import policies
from accounts.policies import require
from regions import codes
from regions.models import Region

from .models import Assessment, Pilot
from .reporting import reporting_rates


class PilotListView(LoginRequiredMixin, ListView):
    template_name = "pilots/pilot_list.html"
    context_object_name = "pilots"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:  # the public are sent to sign in by LoginRequiredMixin
            require(policies.is_official_or_admin(request.user))
        return super().dispatch(request, *args, **kwargs)

    def base_queryset(self):
        qs = Pilot.objects.visible_to(self.request.user)
        year = self.request.GET.get("year", "")
        if year.isdigit():
            qs = qs.filter(year=int(year))
        return qs

    def get_queryset(self):
        latest = Assessment.objects.filter(pilot=OuterRef("pk")).order_by("-assessed_on", "-pk")
        qs = self.base_queryset().select_related("institution__region").annotate(
            latest_grade=Subquery(latest.values("grade")[:1]), latest_total=Subquery(latest.values("total")[:1]))
        state = self.request.GET.get("state", "")
        if state == "completed":
            qs = qs.filter(completed_on__isnull=False)
        elif state == "open":
            qs = qs.filter(completed_on__isnull=True)
        # Pilots still working on quality improvement first: they are the ones to follow up.
        return qs.order_by(F("completed_on").asc(nulls_first=True), "institution__region_id", "institution__name",
                           "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = self.base_queryset().aggregate(
            designated=Count("pk"), completed=Count("pk", filter=Q(completed_on__isnull=False)))
        context["years"] = (Pilot.objects.visible_to(self.request.user).order_by("-year")
                            .values_list("year", flat=True).distinct())
        context["filters"] = {"year": self.request.GET.get("year", ""), "state": self.request.GET.get("state", "")}
        context["rates"] = self.rates()
        return context

    def rates(self) -> list[dict]:
        code = self.request.user.region_id or ""
        child_len = codes.child_length(code)
        if not code or child_len is None:
            return []
        end = timezone.localdate()
        start = end - datetime.timedelta(days=29)
        rates = reporting_rates(region_code=code, group_length=child_len, start=start, end=end)
        names = dict(Region.objects.filter(code__in=rates).values_list("code", "name"))
        rows = []
        for region_code, rate in sorted(rates.items()):
            expected = rate["expected"]
            rows.append({"code": region_code, "name": names.get(region_code, region_code), **rate,
                         "completeness": round(100 * rate["actual"] / expected) if expected else None,
                         "timeliness": round(100 * rate["on_time"] / expected) if expected else None})
        return rows
