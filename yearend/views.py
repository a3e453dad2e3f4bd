"""Pages of year-end reporting: the institution's report (draft, submit), the county's review (accept,
return), the officials' reporting rates, and the annual assessment pack (page, PDF, XLSX).

Every lookup goes through `visible_to(user)` (outside the area: 404); every write is one service call and a
refusal comes back as a message on the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import policies
from accounts.policies import require
from dashboards import exports
from portal.forms import add_service_errors, flash_action
from regions import codes
from regions.models import Region

from . import pack, selectors, services
from .forms import ReportValuesForm, ReturnForm
from .models import YearEndObligation, YearEndReport

LIST_LIMIT = 200


def _year(request, default: int) -> int:
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default


def default_year() -> int:
    """The year whose reports are being followed: last year's (this year's are due after it ends)."""
    return timezone.localdate().year - 1


@login_required
@require_GET
def home(request):
    """Staff: their institution's year-end reports, one per opened year. Officials: the area's reporting
    rates for a year, and, for a county, the reports to decide."""
    user = request.user
    if policies.is_institution_staff(user):
        require(policies.is_linked_staff(user), outside_area=True)
        obligations = list(YearEndObligation.objects.visible_to(user).order_by("-year")[:10])
        reports = {r.year: r for r in YearEndReport.objects.visible_to(user).filter(
            year__in=[o.year for o in obligations])}
        institution = user.institution
        rows = [{"obligation": o, "report": reports.get(o.year), "owes": services.owes_report(institution, o)}
                for o in obligations]
        return render(request, "yearend/home_staff.html", {"rows": rows, "today": timezone.localdate()})
    require(policies.is_official_or_admin(user), outside_area=True)
    area = policies.area_of(user) or ""
    if not area:  # an administrator: the first province with year-end reporting
        area = YearEndObligation.objects.order_by("region_id").values_list("region_id", flat=True).first() or ""
    year = _year(request, default_year())
    group_length = codes.grouping_length(area) if area else 2
    rates = selectors.reporting_rates(year=year, area=area, group_length=group_length)
    names = dict(Region.objects.filter(code__in=list(rates)).values_list("code", "name"))
    if area in rates and codes.child_level(area):  # institutions of the area not in any of its child regions
        names[area] = _("Not assigned to a township or street")
    total = selectors.Rate(code=area)
    for rate in rates.values():
        total.add(rate)
    province = codes.province_of(area) if area else None
    obligation = selectors.obligation_for(province, year) if province else None
    years = list(YearEndObligation.objects.visible_to(user).order_by("-year").values_list("year", flat=True)[:10])
    reports = None
    if policies.is_reviewer(user):
        # What waits for the county first, then what waits for the institution, then the decided.
        queue = Case(*[When(status=s, then=n) for n, s in enumerate(
            [YearEndReport.Status.SUBMITTED, YearEndReport.Status.RETURNED, YearEndReport.Status.DRAFT])], default=9)
        reports = (YearEndReport.objects.visible_to(user).filter(year=year).select_related("institution")
                   .order_by(queue, "institution__name")[:LIST_LIMIT])
    return render(request, "yearend/home_official.html", {
        "area": Region.objects.filter(code=area).first(), "year": year, "years": years, "obligation": obligation,
        "rates": [(names.get(code, code), rate) for code, rate in sorted(rates.items())], "total": total,
        "reports": reports, "pack_code": area if _has_pack(area) and policies.oversees_cities(user) else None,
        "today": timezone.localdate(),
    })


def _staff_obligation(request, year: int) -> YearEndObligation:
    require(policies.is_linked_staff(request.user), _("Only an institution's staff write its year-end report."))
    return get_object_or_404(YearEndObligation.objects.visible_to(request.user).select_related("template"),
                             year=year)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, year: int):
    """The institution's report of a year: save a draft, or submit it to the county."""
    obligation = _staff_obligation(request, year)
    institution = request.user.institution
    report = YearEndReport.objects.filter(institution=institution, year=year).select_related("template").first()
    if report is not None and not report.is_editable:
        return redirect("yearend:report", pk=report.pk)
    template = report.template if report else obligation.template
    form = ReportValuesForm(request.POST or None, template=template,
                            initial=report.values if report else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.yearend_report_save_draft(institution=institution, obligation=obligation,
                                                       values=form.values(), actor=request.user)
            if request.POST.get("action") == "submit":
                saved = services.yearend_report_submit(report=saved, actor=request.user)
                messages.success(request, _("Year-end report submitted to the county."))
                return redirect("yearend:report", pk=saved.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("yearend:edit", year=year)
    return render(request, "yearend/edit.html", {"form": form, "obligation": obligation, "report": report,
                                                 "template": template, "institution": institution})


def _visible_report(request, pk: int) -> YearEndReport:
    return get_object_or_404(YearEndReport.objects.visible_to(request.user).select_related(
        "institution__region", "template", "obligation", "submitted_by", "decided_by"), pk=pk)


@login_required
@require_GET
def report(request, pk: int):
    report = _visible_report(request, pk)
    fields = list(report.template.fields.all())
    rows = []
    for f in fields:
        if rows and rows[-1][0] == f.section:
            rows[-1][1].append((f, report.values.get(f.code)))
        else:
            rows.append((f.section, [(f, report.values.get(f.code))]))
    decides = policies.reviews(request.user, report.institution) and report.status == YearEndReport.Status.SUBMITTED
    return render(request, "yearend/report.html", {
        "report": report, "sections": rows, "decides": decides, "return_form": ReturnForm() if decides else None,
        "is_staff": policies.is_staff_of(request.user, report.institution_id),
    })


@login_required
@require_POST
def accept(request, pk: int):
    report = _visible_report(request, pk)
    flash_action(request, lambda: services.yearend_report_accept(report=report, actor=request.user),
                 _("Year-end report accepted."))
    return redirect("yearend:report", pk=pk)


@login_required
@require_POST
def return_(request, pk: int):
    report = _visible_report(request, pk)
    require(policies.reviews(request.user, report.institution),
            _("Only the institution's county decides its year-end report."))
    flash_action(request, lambda d: services.yearend_report_return(report=report, comment=d["comment"],
                                                                   actor=request.user),
                 _("Year-end report returned to the institution."), form=ReturnForm(request.POST))
    return redirect("yearend:report", pk=pk)


# --- The annual assessment pack -------------------------------------------------------------------

def _has_pack(code: str) -> bool:
    """A province or a city has an assessment pack."""
    return codes.level_of(code) in (codes.PROVINCE, codes.CITY)


def _pack_area(request, code: str, year: int) -> Region:
    """A province or a city the user oversees, at city level or above (outside the area: 404)."""
    region = get_object_or_404(Region, code=code)
    if not _has_pack(code) or not pack.YEARS[0] <= year <= pack.YEARS[1]:
        raise Http404("the pack is a province's or a city's")
    require(policies.in_area(request.user, region), outside_area=True)
    require(policies.oversees_cities(request.user), _("The assessment pack is for city and province officials."))
    return region


@login_required
@require_GET
def pack_page(request, code: str, year: int):
    region = _pack_area(request, code, year)
    data = pack.pack_data(region=region, year=year)
    # A city official reads the city's pack; the province's, above it, only who oversees the province.
    parent = region.parent if region.parent_id and policies.in_area(request.user, region.parent) else None
    return render(request, "yearend/pack.html", {"region": region, "year": year, "data": data, "parent": parent,
                                                 "tables": pack.pack_tables(data)})


@login_required
@require_GET
def pack_pdf(request, code: str, year: int):
    region = _pack_area(request, code, year)
    # Files carry Chinese whatever the reader's language (dashboards.exports): the programmes' labels too.
    with translation.override(exports.EXPORT_LANGUAGE):
        content = pack.pack_pdf(pack.pack_data(region=region, year=year))
    return exports.pdf_response(content, f"assessment-{region.code}-{year}.pdf")


@login_required
@require_GET
def pack_xlsx(request, code: str, year: int):
    region = _pack_area(request, code, year)
    with translation.override(exports.EXPORT_LANGUAGE):
        data = pack.pack_data(region=region, year=year)
        tables, title = pack.pack_tables(data, export=True), pack.pack_title(data)
    return exports.xlsx_response(tables, f"assessment-{region.code}-{year}.xlsx", title=title)
