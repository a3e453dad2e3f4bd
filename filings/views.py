"""Pages of the filing workflow: staff's filings, the county's review queue, the review page beside its
documents, the printable receipt, notifications and appointments.

Every lookup goes through `visible_to(user)`: outside the user's area an object is a 404.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import policies
from accounts.policies import require
from audit.models import AuditEntry
from enrolments.selectors import enrolled_by_class
from institutions.models import GuidanceCentre
from portal.forms import add_service_errors, flash_action, flash_form_errors, flash_service_errors
from portal.uploads import private_file_response
from regions import codes
from regions.models import Region

from . import services
from .forms import (
    BookingForm,
    CancellationForm,
    ChangeParticularsForm,
    ClassChangeForm,
    DocumentUploadForm,
    FilingCreateForm,
    RejectForm,
    ReturnForm,
    SlotForm,
)
from .models import AppointmentSlot, Booking, Document, Filing, FilingReturnComment, Notification


def _visible_filing(request, pk: int) -> Filing:
    return get_object_or_404(Filing.objects.visible_to(request.user).select_related("institution__region"), pk=pk)


def _own_filing(request, pk: int) -> Filing:
    """Staff actions: the filing must be visible *and* the user's own institution's."""
    filing = _visible_filing(request, pk)
    require(policies.is_staff_of(request.user, filing.institution_id))
    return filing


def _reverse_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _bookable_slots():
    return AppointmentSlot.objects.bookable().select_related("centre")[:200]


# --- Staff ----------------------------------------------------------------------------------------

@login_required
@require_GET
def mine(request):
    """The institution's filings, a new filing, and its appointments."""
    user = request.user
    require(policies.is_institution_staff(user), outside_area=True)
    filings = Filing.objects.visible_to(user).select_related("institution").order_by("-created_at")
    bookings = (Booking.objects.visible_to(user).filter(status=Booking.Status.BOOKED,
                                                        slot__date__gte=timezone.localdate())
                .select_related("slot__centre", "filing"))
    return render(request, "filings/mine.html", {
        "institution": user.institution if user.institution_id else None,
        "filings": filings,
        "create_form": FilingCreateForm(),
        "bookings": bookings,
        "booking_form": BookingForm(slots=_bookable_slots()),
        "slots": _bookable_slots(),
        "unread": Notification.objects.visible_to(user).unread().count(),
        "register_institution_url": _reverse_or_none("institutions:create"),
    })


@login_required
@require_POST
def create(request):
    user = request.user
    require(policies.is_linked_staff(user), outside_area=True)
    form = FilingCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the kind of filing."))
        return redirect("filings:mine")
    try:
        filing = services.filing_create(institution=user.institution, kind=form.cleaned_data["kind"], actor=user)
    except ValidationError as exc:
        flash_service_errors(request, exc)
        return redirect("filings:mine")
    messages.success(request, _("Draft filing created: add its documents, then submit it."))
    return redirect("filings:detail", pk=filing.pk)


def _preview_id(request, documents) -> int | None:
    wanted = request.GET.get("preview", "")
    return next((d.pk for d in documents if str(d.pk) == wanted), None)


@login_required
@require_GET
def detail(request, pk: int):
    """The filing page: for staff an editable draft; for county officials the review page, the filing
    beside its documents with approve / return / reject; read-only for city and province officials."""
    filing = _visible_filing(request, pk)
    user = request.user
    documents = list(filing.documents.select_related("uploaded_by"))
    comments = list(filing.return_comments.select_related("author").order_by("-round", "section"))
    rounds: dict[int, list[FilingReturnComment]] = {}
    for comment in comments:
        rounds.setdefault(comment.round, []).append(comment)
    document_ids = [str(d.pk) for d in documents]
    history = (AuditEntry.objects.filter(Q(target_type="filings.filing", target_id=str(filing.pk))
                                         | Q(target_type="filings.document", target_id__in=document_ids))
               .exclude(action="document.view").order_by("at", "pk"))
    history = [(entry, entry.action_label) for entry in history]
    is_owner = policies.is_staff_of(user, filing.institution_id)
    can_review = policies.reviews(user, filing.institution) and filing.is_pending
    context = {
        "filing": filing,
        "institution": filing.institution,
        "documents": documents,
        "rounds": sorted(rounds.items(), reverse=True),
        "history": history,
        "is_owner": is_owner,
        "can_review": can_review,
        "can_withdraw": is_owner and filing.status in Filing.OPEN,
        "overdue": filing.is_overdue(),
        "required_kinds": [Document.Kind(k) for k in services.required_document_kinds(filing)],
        "present_kinds": {d.kind for d in documents},
        # One document is previewed at a time, when asked for: seven PDF viewers at once took seconds to
        # load (and to reload after every action), and each counted as a view of the document.
        "preview_id": _preview_id(request, documents),
    }
    if is_owner and filing.is_editable:
        context["problems"] = services.completeness_problems(filing, documents)
        context["upload_form"] = DocumentUploadForm()
        if filing.kind == Filing.Kind.CHANGE:
            context["particulars_form"] = ChangeParticularsForm(initial={**filing.particulars, "note": filing.note})
            context["class_form"] = ClassChangeForm(institution=filing.institution)
        elif filing.kind == Filing.Kind.CANCELLATION:
            context["cancellation_form"] = CancellationForm(
                initial={"resettlement_confirmed": filing.resettlement_confirmed, "note": filing.note})
    if filing.kind == Filing.Kind.CANCELLATION and filing.status in Filing.OPEN:
        context["active_enrolments"] = enrolled_by_class(filing.institution)
    if filing.kind == Filing.Kind.CHANGE:
        classes = {c.pk: c for c in filing.institution.classes.all()}
        context["class_changes"] = [
            {**c, "index": i, "klass": classes.get(c.get("class_id"))} for i, c in enumerate(filing.class_changes)]
    if policies.is_official_or_admin(user):
        from institutions.staff_registry import double_registrations

        context["doubles"] = double_registrations(user=user, institution=filing.institution)
    if can_review:
        context["return_form"] = ReturnForm()
        context["reject_form"] = RejectForm()
    if is_owner:
        context["bookings"] = filing.bookings.filter(status=Booking.Status.BOOKED).select_related("slot__centre")
        context["booking_form"] = BookingForm(slots=_bookable_slots())
    return render(request, "filings/detail.html", context)


@login_required
@require_POST
def edit(request, pk: int):
    filing = _own_filing(request, pk)
    if filing.kind == Filing.Kind.CHANGE:
        form = ChangeParticularsForm(request.POST)
        if not form.is_valid():
            flash_form_errors(request, form)
            return redirect("filings:detail", pk=filing.pk)
        draft = {"particulars": form.particulars(), "note": form.cleaned_data["note"]}
    elif filing.kind == Filing.Kind.CANCELLATION:
        form = CancellationForm(request.POST)
        form.is_valid()
        draft = {"resettlement_confirmed": form.cleaned_data.get("resettlement_confirmed", False),
                 "note": form.cleaned_data.get("note", "")}
    else:
        draft = {"note": request.POST.get("note", "")}
    flash_action(request, lambda: services.filing_update_draft(filing=filing, actor=request.user, **draft),
                 _("Saved."))
    return redirect("filings:detail", pk=filing.pk)


@login_required
@require_POST
def class_change_add(request, pk: int):
    filing = _own_filing(request, pk)
    form = ClassChangeForm(request.POST, institution=filing.institution)
    # change() refuses an update without its class, so it is part of the call
    flash_action(request, lambda _data: services.filing_update_draft(
        filing=filing, actor=request.user, class_changes=[*filing.class_changes, form.change()]),
        _("Class change added."), form=form)
    return redirect("filings:detail", pk=filing.pk)


@login_required
@require_POST
def class_change_remove(request, pk: int, index: int):
    filing = _own_filing(request, pk)
    changes = [c for i, c in enumerate(filing.class_changes) if i != index]
    flash_action(request, lambda: services.filing_update_draft(filing=filing, actor=request.user,
                                                               class_changes=changes))
    return redirect("filings:detail", pk=filing.pk)


@login_required
@require_POST
def upload(request, pk: int):
    filing = _own_filing(request, pk)
    flash_action(request, lambda d: services.document_upload(filing=filing, actor=request.user, **d),
                 _("Document uploaded."), form=DocumentUploadForm(request.POST, request.FILES))
    return redirect("filings:detail", pk=filing.pk)


@login_required
@require_POST
def document_remove(request, pk: int):
    document = get_object_or_404(Document.objects.visible_to(request.user).select_related("filing"), pk=pk)
    filing = _own_filing(request, document.filing_id)
    flash_action(request, lambda: services.document_remove(document=document, actor=request.user),
                 _("Document removed."))
    return redirect("filings:detail", pk=filing.pk)


@login_required
@require_GET
def document_file(request, pk: int):
    """Serves a document only to users who may see its filing; inline for the preview beside the review."""
    document = get_object_or_404(Document.objects.visible_to(request.user).select_related("filing__institution"),
                                 pk=pk)
    services.document_record_view(document=document, actor=request.user)
    # ?inline=1: the review page previews PDFs in a frame of our own origin.
    return private_file_response(document, inline=request.GET.get("inline") == "1")


def _transition(request, pk: int, action, success: str, **kwargs):
    filing = _visible_filing(request, pk)
    flash_action(request, lambda: action(filing=filing, actor=request.user, **kwargs), success)
    return redirect("filings:detail", pk=filing.pk)


def _transition_view(action, success):
    """The page of a transition that takes nothing but the filing: POST, the service, back to the filing."""
    @login_required
    @require_POST
    def view(request, pk: int):
        return _transition(request, pk, action, str(success))
    return view


submit = _transition_view(services.filing_submit,
                          gettext_lazy("Submitted. The county health commission decides within 5 working days."))
resubmit = _transition_view(services.filing_resubmit, gettext_lazy("Resubmitted."))
withdraw = _transition_view(services.filing_withdraw, gettext_lazy("Filing withdrawn."))
approve = _transition_view(services.filing_approve, gettext_lazy("Filed: the receipt has been issued."))


@login_required
@require_POST
def return_(request, pk: int):
    form = ReturnForm(request.POST)
    form.is_valid()
    return _transition(request, pk, services.filing_return, _("Returned for correction."), comments=form.comments())


@login_required
@require_POST
def reject(request, pk: int):
    return _transition(request, pk, services.filing_reject, _("Rejected."), reason=request.POST.get("reason", ""))


@login_required
@require_GET
def receipt(request, pk: int):
    """The printable filing receipt (回执)."""
    filing = _visible_filing(request, pk)
    if filing.status != Filing.Status.FILED:
        raise Http404
    county = Region.objects.filter(code=filing.county_code).first()
    return render(request, "filings/receipt.html", {"filing": filing, "institution": filing.institution,
                                                    "county": county})


# --- Officials ------------------------------------------------------------------------------------

QUEUE_PAGE_SIZE = 50


@login_required
@require_GET
def queue(request):
    """Submitted filings of the official's area, overdue and oldest first.

    County officials decide them; city and province officials see them read-only, with the number
    pending and overdue per county. A fixed number of queries whatever the number of filings.
    """
    user = request.user
    require(policies.is_official_or_admin(user), outside_area=True)
    today = timezone.localdate()
    pending = Filing.objects.visible_to(user).pending()
    rows = pending.select_related("institution__region").order_by("due_on", "submitted_at", "pk")
    page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    is_reviewer = policies.is_reviewer(user)
    per_county = []
    if not is_reviewer:
        counts = (pending.annotate(county=Substr("institution__region", 1, codes.LEVEL_LENGTHS[codes.COUNTY]))
                  .values("county")
                  .annotate(pending=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
                  .order_by("-overdue", "county"))
        names = dict(Region.objects.filter(code__in=[c["county"] for c in counts]).values_list("code", "name"))
        per_county = [{**c, "name": names.get(c["county"], c["county"])} for c in counts]
    return render(request, "filings/queue.html", {
        "page": page, "today": today, "is_reviewer": is_reviewer, "per_county": per_county,
        "overdue_total": sum(c["overdue"] for c in per_county) if per_county else None,
    })


@login_required
@require_GET
def appointments(request):
    """The day's appointments for officials (bookings at their area's centres or of their institutions)."""
    user = request.user
    require(policies.is_official_or_admin(user), outside_area=True)
    day = parse_date(request.GET.get("date") or "") or timezone.localdate()
    bookings = (Booking.objects.visible_to(user).filter(slot__date=day, status=Booking.Status.BOOKED)
                .select_related("slot__centre", "institution", "filing")
                .order_by("slot__start_time", "slot__centre__name", "institution__name"))
    return render(request, "filings/appointments.html", {
        "day": day, "bookings": bookings,
        "previous_day": day - datetime.timedelta(days=1), "next_day": day + datetime.timedelta(days=1),
    })


@login_required
@require_http_methods(["GET", "POST"])
def slots(request):
    """Upcoming appointment slots at the area's guidance centres; city officials publish new ones."""
    user = request.user
    require(policies.is_official_or_admin(user), outside_area=True)
    centres = GuidanceCentre.objects.serving(user)
    publishable = centres.publishable_by(user)
    form = SlotForm(request.POST or None, centres=publishable) if publishable.exists() else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                slot = services.appointment_slot_create(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Slot published: %(date)s %(start)s at %(centre)s.") % {
                    "date": slot.date.isoformat(), "start": slot.start_time.strftime("%H:%M"),
                    "centre": slot.centre.name})
                return redirect("filings:slots")
    upcoming = (AppointmentSlot.objects.visible_to(user).upcoming().filter(centre__in=centres)
                .select_related("centre").order_by("date", "start_time", "centre__name")[:200])
    return render(request, "filings/slots.html", {"form": form, "slots": upcoming, "centres": centres},
                  status=400 if form is not None and form.errors else 200)


# --- Notifications --------------------------------------------------------------------------------

@login_required
@require_GET
def notifications(request):
    items = Notification.objects.visible_to(request.user).select_related("filing__institution", "institution")[:200]
    return render(request, "filings/notifications.html", {"notifications": items})


@login_required
@require_POST
def notifications_read(request):
    for n in Notification.objects.visible_to(request.user).unread():
        services.notification_mark_read(notification=n, actor=request.user)
    return redirect("filings:notifications")


# --- Appointments (staff) -------------------------------------------------------------------------

@login_required
@require_POST
def book(request):
    user = request.user
    require(policies.is_linked_staff(user), outside_area=True)
    slot = get_object_or_404(AppointmentSlot.objects.visible_to(user), pk=request.POST.get("slot") or 0)
    filing = None
    if request.POST.get("filing"):
        filing = get_object_or_404(Filing.objects.visible_to(user), pk=request.POST["filing"])
    flash_action(request, lambda: services.booking_create(slot=slot, filing=filing, actor=request.user),
                 _("Appointment booked."))
    return redirect("filings:detail", pk=filing.pk) if filing else redirect("filings:mine")


def _own_booking(request, pk: int) -> Booking:
    booking = get_object_or_404(Booking.objects.visible_to(request.user), pk=pk)
    require(policies.is_staff_of(request.user, booking.institution_id))
    return booking


@login_required
@require_POST
def booking_cancel(request, pk: int):
    booking = _own_booking(request, pk)
    services.booking_cancel(booking=booking, actor=request.user)
    messages.success(request, _("Appointment cancelled."))
    return redirect("filings:mine")


@login_required
@require_POST
def booking_move(request, pk: int):
    booking = _own_booking(request, pk)
    slot = get_object_or_404(AppointmentSlot.objects.visible_to(request.user), pk=request.POST.get("slot") or 0)
    flash_action(request, lambda: services.booking_move(booking=booking, slot=slot, actor=request.user),
                 _("Appointment moved."))
    return redirect("filings:mine")


# --- Public ---------------------------------------------------------------------------------------

@require_GET
def rejections(request):
    """Rejected filings are made public: institution, county, date and reason (no personal data)."""
    rows = (Filing.objects.publicly_rejected().select_related("institution__region")
            .order_by("-decided_at", "-pk"))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "filings/rejections.html", {"page": page})
