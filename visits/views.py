"""The consultant's pages: recording a visit (screenings, follow-ups, drafts, optimistic locking),
the agenda for the day or week, bookings, follow-ups, and collective events with the door check-in."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.contrib import messages
from django.db.models import F, Max, OuterRef, Q, Subquery
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from fhb import selectors, services
from fhb.errors import ConflictError, DomainError
from fhb.models import Offer, Role
from fhb.permissions import StaffRequiredMixin

from . import events as event_services
from .bookings import booking_cancel, booking_create, booking_restore, undo_since
from .forms import (
    BookingCancelForm,
    BookingForm,
    EventForm,
    EventInviteForm,
    FollowUpCloseForm,
    FollowUpFormSet,
    VisitForm,
)
from .models import (
    BookingStatus,
    FollowUp,
    FollowUpKind,
    RegistrationStatus,
    Visit,
    VisitKind,
    VisitSource,
)
from .selectors import (
    bookable_consultants,
    bookings_visible_to,
    consultants_of,
    events_visible_to,
    follow_ups_visible_to,
    registrations_visible_to,
    visits_visible_to,
)
from .services import follow_up_close, follow_up_reopen, visit_record, visit_update


def _visit_data(form: VisitForm) -> dict:
    return {
        k: v
        for k, v in form.cleaned_data.items()
        if k not in ("version", "draft", "screenings") and not k.startswith("scr__")
    } | {"screenings": form.cleaned_data.get("screenings") or {}}


def _bound_formset(request):
    """The follow-up rows posted with the visit (none when the form was posted without them)."""
    if "opf-TOTAL_FORMS" not in request.POST:
        return None
    return FollowUpFormSet(request.POST, prefix="opf")


def _follow_ups(formset) -> list[dict]:
    if formset is None:
        return []
    return [f.cleaned_data for f in formset if f.cleaned_data.get("kind")]


def _add_domain_error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


class VisitCreateView(StaffRequiredMixin, View):
    """Record a visit. Opened from the agenda it carries the booking (or follow-up) it fulfils."""

    permission_required = "visits.add_visit"

    def sources(self, request, citizen):
        """The booking or follow-up this visit fulfils, from the query string or the form."""
        data = request.POST if request.method == "POST" else request.GET
        booking = follow_up = None
        if data.get("booking", "").isdigit():
            booking = (
                bookings_visible_to(request.user)
                .filter(pk=data["booking"], citizen=citizen, status=BookingStatus.BOOKED)
                .first()
            )
        if data.get("follow_up", "").isdigit():
            follow_up = (
                follow_ups_visible_to(request.user)
                .filter(pk=data["follow_up"], citizen=citizen, status=FollowUp.Status.OPEN)
                .first()
            )
        return booking, follow_up

    def get(self, request, pk, form=None, formset=None):
        citizen = get_object_or_404(selectors.citizens_visible_to(request.user), pk=pk)
        booking, follow_up = self.sources(request, citizen)
        if form is None:
            initial = {}
            if booking is not None:
                start = timezone.localtime(booking.starts_at)
                initial = {
                    "kind": booking.kind,
                    "started_at": start.time(),
                    "duration_minutes": booking.duration_minutes,
                }
                if start.date() <= timezone.localdate():
                    initial["visit_date"] = start.date()
            elif follow_up is not None:
                kind = VisitKind.PHONE_CALL if follow_up.kind == FollowUpKind.NEW_CONTACT else VisitKind.FOLLOW_UP_VISIT
                initial = {"kind": kind}
            form = VisitForm(initial=initial, citizen=citizen)
        if request.method == "GET":
            services.citizen_access_log(
                user=request.user, citizens=citizen, endpoint="visit-create", purpose="Registrering af besøg"
            )
        context = {
            "citizen": citizen,
            "form": form,
            "formset": formset or FollowUpFormSet(prefix="opf"),
            "booking": booking,
            "follow_up": follow_up,
            # The device copy's name (app.js): this user's new visit to this citizen.
            "device_key": f"visit:{request.user.pk}:new:{citizen.pk}",
        }
        return render(request, "visits/visit_form.html", context)

    def post(self, request, pk):
        citizen = get_object_or_404(selectors.citizens_visible_to(request.user), pk=pk)
        booking, follow_up = self.sources(request, citizen)
        form = VisitForm(request.POST, citizen=citizen)
        # The draft the page has saved as the consultant typed (autosave): the visit goes on from it.
        draft = None
        if request.POST.get("draft", "").isdigit():
            draft = (
                visits_visible_to(request.user)
                .filter(pk=request.POST["draft"], citizen=citizen, source=VisitSource.RECORDED)
                .first()
            )
        if draft is not None and not draft.is_draft:
            # Saved already (a second tap on "Gem", a late autosave): never a second visit.
            if request.POST.get("action") == "autosave":
                return JsonResponse({"message": _("Besøget er allerede gemt.")}, status=409)
            _device_copy_done(request)
            messages.info(request, _("Besøget er allerede gemt."))
            return redirect("citizen-detail", pk=citizen.pk)
        if request.POST.get("action") == "autosave":
            return _autosave(request, form, citizen=citizen, draft=draft)
        formset = _bound_formset(request)
        if form.is_valid() and (formset is None or formset.is_valid()):
            is_draft = request.POST.get("action") == "draft"
            try:
                if draft is not None:
                    visit = visit_update(
                        visit=draft, user=request.user, version=form.cleaned_data.get("version") or 0,
                        is_draft=is_draft, follow_ups=_follow_ups(formset), booking=booking, follow_up=follow_up,
                        **{k: v for k, v in _visit_data(form).items() if k != "is_draft"},
                    )  # fmt: skip
                else:
                    visit = visit_record(
                        citizen=citizen,
                        user=request.user,
                        is_draft=is_draft,
                        follow_ups=_follow_ups(formset),
                        booking=booking,
                        follow_up=follow_up,
                        **_visit_data(form),
                    )
            except DomainError as exc:
                _add_domain_error(form, exc)
            else:
                _device_copy_done(request)
                messages.success(request, _("Kladden er gemt.") if visit.is_draft else _("Besøget er registreret."))
                if booking is not None or follow_up is not None:  # opened from the day: back to it
                    day = timezone.localtime(booking.starts_at).date() if booking else timezone.localdate()
                    return redirect(f"{reverse('agenda')}?dato={day:%Y-%m-%d}")
                return redirect("citizen-detail", pk=citizen.pk)
        return self.get(request, pk, form=form, formset=formset)


DEVICE_KEY = re.compile(r"^visit:[a-z0-9:-]{1,60}$")


def _device_copy_done(request) -> None:
    """The visit form's copy on the device (app.js) is deleted once the server has the visit: the
    next page names it (base.html, fhb-saved-drafts)."""
    key = request.POST.get("device_key", "")
    if DEVICE_KEY.match(key):
        request.session["fhb_saved_drafts"] = [*request.session.get("fhb_saved_drafts", [])[-9:], key]


def _autosave(request, form: VisitForm, *, citizen, draft) -> JsonResponse:
    """Save what has been typed as a draft (app.js, a few seconds after typing stops). Follow-up rows
    wait for the real save (a draft saved again and again must not add them again); the booking or
    follow-up it fulfils is closed by the real save. A colleague's newer edit is never overwritten:
    409, with the reason."""
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return JsonResponse(
            {"message": _("Ikke gemt på serveren: ret fejlene i formularen."), "errors": errors}, status=400
        )
    data = {k: v for k, v in _visit_data(form).items() if k != "is_draft"}
    try:
        if draft is not None:
            visit = visit_update(
                visit=draft, user=request.user, version=form.cleaned_data.get("version") or 0, is_draft=True, **data
            )
        else:
            visit = visit_record(citizen=citizen, user=request.user, is_draft=True, **data)
    except DomainError as exc:
        status = 409 if isinstance(exc, ConflictError) else 400
        return JsonResponse({"message": exc.message, "errors": {exc.field or "__all__": [exc.message]}}, status=status)
    at = timezone.localtime().strftime("%H:%M")
    return JsonResponse(
        {"draft": visit.pk, "version": visit.version, "saved_at": at, "message": _("Kladde gemt %(at)s") % {"at": at}}
    )


class VisitEditView(StaffRequiredMixin, View):
    permission_required = "visits.add_visit"

    def get_visit(self, request, pk) -> Visit:
        return get_object_or_404(visits_visible_to(request.user).filter(source=VisitSource.RECORDED), pk=pk)

    def get(self, request, pk, form=None, formset=None):
        visit = self.get_visit(request, pk)
        services.citizen_access_log(user=request.user, citizens=visit.citizen, endpoint="visit-edit", purpose="Besøg")
        if form is None:
            initial = {name: getattr(visit, name) for name in VisitForm.base_fields if name not in ("version", "draft")}
            initial |= VisitForm.initial_screenings(visit)
            form = VisitForm(initial={**initial, "version": visit.version}, citizen=visit.citizen)
        context = {
            "citizen": visit.citizen,
            "form": form,
            "formset": formset or FollowUpFormSet(prefix="opf"),
            "visit": visit,
            "follow_ups": visit.follow_ups.select_related("assigned_to"),
            "device_key": f"visit:{request.user.pk}:{visit.pk}",
        }
        return render(request, "visits/visit_form.html", context)

    def post(self, request, pk):
        visit = self.get_visit(request, pk)
        form = VisitForm(request.POST, citizen=visit.citizen)
        if request.POST.get("action") == "autosave":
            if not visit.is_draft:  # a final record changes only when the consultant saves it
                return JsonResponse({"message": _("Gemt på enheden, indtil du trykker Gem.")}, status=400)
            return _autosave(request, form, citizen=visit.citizen, draft=visit)
        formset = _bound_formset(request)
        if form.is_valid() and (formset is None or formset.is_valid()):
            data = _visit_data(form)
            try:
                visit = visit_update(
                    visit=visit,
                    user=request.user,
                    version=form.cleaned_data.get("version") or 0,
                    is_draft=request.POST.get("action") == "draft",
                    follow_ups=_follow_ups(formset),
                    **{k: v for k, v in data.items() if k != "is_draft"},
                )
            except DomainError as exc:
                _add_domain_error(form, exc)
            else:
                _device_copy_done(request)
                messages.success(request, _("Kladden er gemt.") if visit.is_draft else _("Besøget er gemt."))
                return redirect("citizen-detail", pk=visit.citizen_id)
        return self.get(request, pk, form=form, formset=formset)


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


class AgendaView(StaffRequiredMixin, View):
    """My day / my week: booked visits with address, phone, target groups and last visit; open
    follow-ups due by the end of the period (overdue first); collective events in the period. A
    team leader can look at a colleague's agenda."""

    permission_required = "visits.add_visit"

    def get(self, request):
        user = request.user
        today = timezone.localdate()
        week = request.GET.get("visning") == "uge"
        try:
            start = dt.date.fromisoformat(request.GET.get("dato", "")) if request.GET.get("dato") else today
        except ValueError:
            start = today
        if week:
            start = _week_start(start)
        end = start + dt.timedelta(days=7 if week else 1)
        consultants = consultants_of(user)
        who = user
        if user.role == Role.TEAM_LEADER and request.GET.get("konsulent", "").isdigit():
            who = consultants.filter(pk=request.GET["konsulent"]).first() or user
        tz = timezone.get_current_timezone()
        period = (
            dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end, dt.time.min, tzinfo=tz),
        )
        last_visit = (
            Visit.objects.filter(citizen=OuterRef("citizen"), is_draft=False, outcome="completed")
            .exclude(kind=VisitKind.PHONE_CALL)
            .values("citizen")
            .annotate(last=Max("visit_date"))
            .values("last")
        )
        since = undo_since()
        bookings = list(
            bookings_visible_to(user)
            .filter(consultant=who, starts_at__gte=period[0], starts_at__lt=period[1])
            # A visit cancelled within the last FHB_UNDO_MINUTES stays, with its undo button.
            .exclude(Q(status=BookingStatus.CANCELLED) & ~Q(cancelled_at__gte=since))
            .select_related("citizen", "offer")
            .annotate(last_visit=Subquery(last_visit))
            .order_by("starts_at")
        )
        follow_ups = list(
            follow_ups_visible_to(user)
            .filter(
                Q(status=FollowUp.Status.OPEN)
                | Q(
                    closed_at__gte=since,
                    done_visit__isnull=True,
                    status__in=[FollowUp.Status.DONE, FollowUp.Status.CANCELLED],
                )
            )
            .filter(assigned_to=who)
            .filter(Q(due_on__lt=end) | Q(due_on__isnull=True))
            .select_related("citizen")
            .order_by(F("due_on").asc(nulls_last=True), "id")
        )
        events = list(events_visible_to(user).filter(date__gte=start, date__lt=end, cancelled=False).order_by("date"))
        services.citizen_access_log(
            user=user, citizens=[b.citizen for b in bookings], endpoint="agenda", purpose="Dagsplan"
        )
        days = []
        for offset in range((end - start).days):
            day = start + dt.timedelta(days=offset)
            days.append(
                {
                    "day": day,
                    "bookings": [b for b in bookings if timezone.localtime(b.starts_at).date() == day],
                    "events": [e for e in events if e.date == day],
                }
            )
        step = dt.timedelta(days=7 if week else 1)
        context = {
            "who": who,
            "consultants": consultants if user.role == Role.TEAM_LEADER else None,
            "week": week,
            "start": start,
            "end": end - dt.timedelta(days=1),
            "today": today,
            "days": days,
            "follow_ups": follow_ups,
            "open_follow_ups": sum(1 for f in follow_ups if f.status == FollowUp.Status.OPEN),
            "undo_minutes": settings.FHB["UNDO_MINUTES"],
            "booked_count": sum(1 for b in bookings if b.status == BookingStatus.BOOKED),
            # An empty day (a weekend, a holiday): the next day with a booked visit, one tap away.
            "next_booked": None
            if bookings
            else bookings_visible_to(user)
            .filter(consultant=who, status=BookingStatus.BOOKED, starts_at__gte=period[1])
            .order_by("starts_at")
            .values_list("starts_at", flat=True)
            .first(),
            "previous": start - step,
            "next": start + step,
        }
        return render(request, "visits/agenda.html", context)


class BookingCreateView(StaffRequiredMixin, View):
    permission_required = "visits.add_visit"

    def get(self, request, pk, form=None):
        citizen = get_object_or_404(selectors.citizens_visible_to(request.user), pk=pk)
        form = form or BookingForm(
            consultants=bookable_consultants(request.user),
            initial={"consultant": request.user.pk if request.user.role == Role.CONSULTANT else None},
        )
        if request.method == "GET":
            services.citizen_access_log(
                user=request.user, citizens=citizen, endpoint="booking-create", purpose="Booking af besøg"
            )
        offer = Offer.objects.filter(citizen=citizen, year=timezone.localdate().year).first()
        return render(request, "visits/booking_form.html", {"citizen": citizen, "form": form, "offer": offer})

    def post(self, request, pk):
        citizen = get_object_or_404(selectors.citizens_visible_to(request.user), pk=pk)
        form = BookingForm(request.POST, consultants=bookable_consultants(request.user))
        if form.is_valid():
            data = form.cleaned_data
            starts_at = dt.datetime.combine(data["day"], data["time"], tzinfo=timezone.get_current_timezone())
            try:
                booking = booking_create(
                    citizen=citizen,
                    consultant=data["consultant"],
                    starts_at=starts_at,
                    duration_minutes=data["duration_minutes"],
                    kind=data["kind"],
                    note=data["note"],
                    user=request.user,
                )
            except DomainError as exc:
                field = "day" if exc.field == "starts_at" else exc.field
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                start = timezone.localtime(booking.starts_at)
                messages.success(
                    request,
                    _("Besøget er booket %(when)s hos %(who)s.")
                    % {"when": f"{start:%d-%m-%Y %H:%M}", "who": booking.consultant.get_full_name()},
                )
                return redirect("citizen-detail", pk=citizen.pk)
        return self.get(request, pk, form=form)


class ConfirmWithFormView(StaffRequiredMixin, View):
    """An action that asks before it is done (a page naming the object, a short form, confirm): what
    was chosen is kept when something is missing or refused; then back to `next` with the outcome
    and how long it can be undone. Subclasses name the object, the form, the page and the action."""

    permission_required = "visits.add_visit"
    form_class: type = None
    template_name = ""
    context_name = ""
    purpose = ""  # the access log's purpose: the page shows the citizen

    def get_object(self, request, pk):
        raise NotImplementedError

    def refusal(self, obj) -> str:
        """Why the action cannot be done on `obj` any more, or ""."""
        return ""

    def act(self, request, obj, data) -> str:
        """Do it (a DomainError refuses it); returns the success message."""
        raise NotImplementedError

    def get(self, request, pk, form=None):
        obj = self.get_object(request, pk)
        refusal = self.refusal(obj)
        if refusal:
            messages.error(request, refusal)
            return redirect(_next_or(request, "agenda"))
        if request.method == "GET":
            services.citizen_access_log(
                user=request.user, citizens=obj.citizen, endpoint=request.resolver_match.url_name, purpose=self.purpose
            )
        context = {self.context_name: obj, "form": form or self.form_class(), "next": _next_or(request, "")}
        return render(request, self.template_name, context)

    def post(self, request, pk):
        obj = self.get_object(request, pk)
        form = self.form_class(request.POST)
        if not form.is_valid():
            return self.get(request, pk, form=form)
        try:
            message = self.act(request, obj, form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.get(request, pk, form=form)
        messages.success(request, message)
        return redirect(_next_or(request, "agenda"))


class BookingCancelView(ConfirmWithFormView):
    """Cancel a booked visit: the page says which visit and asks why; the day then offers to undo it
    for FHB_UNDO_MINUTES."""

    form_class = BookingCancelForm
    template_name = "visits/booking_cancel.html"
    context_name = "booking"
    purpose = "Aflysning af besøg"

    def get_object(self, request, pk):
        return get_object_or_404(bookings_visible_to(request.user).select_related("citizen", "consultant"), pk=pk)

    def refusal(self, booking) -> str:
        return "" if booking.status == BookingStatus.BOOKED else _("Kun en aktiv booking kan aflyses.")

    def act(self, request, booking, data) -> str:
        booking_cancel(booking=booking, user=request.user, reason=data["reason"], note=data["note"])
        start = timezone.localtime(booking.starts_at)
        return _("Besøget hos %(name)s %(when)s er aflyst. Du kan fortryde i %(n)s minutter.") % {
            "name": booking.citizen.full_name, "when": f"{start:%d-%m-%Y %H:%M}", "n": settings.FHB["UNDO_MINUTES"]
        }  # fmt: skip


class BookingRestoreView(StaffRequiredMixin, View):
    """Undo a cancellation (within FHB_UNDO_MINUTES)."""

    permission_required = "visits.add_visit"

    def post(self, request, pk):
        booking = get_object_or_404(bookings_visible_to(request.user).select_related("citizen"), pk=pk)
        try:
            booking_restore(booking=booking, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Aflysningen er fortrudt: besøget hos %(name)s er booket igen.") % {
                "name": booking.citizen.full_name
            })  # fmt: skip
        return redirect(_next_or(request, "agenda"))


def _safe_next(request) -> bool:
    target = request.POST.get("next", "") or request.GET.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})


def _next_or(request, fallback: str) -> str:
    """The page to go back to: `next` when it is one of ours, else `fallback` (a URL name, or "")."""
    if _safe_next(request):
        return request.POST.get("next", "") or request.GET.get("next", "")
    return reverse(fallback) if fallback else ""


class FollowUpCloseView(ConfirmWithFormView):
    """Close a follow-up by hand: done or cancelled, with what came of it; undone for FHB_UNDO_MINUTES."""

    form_class = FollowUpCloseForm
    template_name = "visits/follow_up_close.html"
    context_name = "follow_up"
    purpose = "Opfølgning"

    def get_object(self, request, pk):
        return get_object_or_404(follow_ups_visible_to(request.user).select_related("citizen"), pk=pk)

    def refusal(self, follow_up) -> str:
        return "" if follow_up.status == FollowUp.Status.OPEN else _("Opfølgningen er allerede afsluttet.")

    def act(self, request, follow_up, data) -> str:
        follow_up_close(follow_up=follow_up, user=request.user, **data)
        return _("Opfølgningen er afsluttet. Du kan fortryde i %(n)s minutter.") % {"n": settings.FHB["UNDO_MINUTES"]}


class FollowUpReopenView(StaffRequiredMixin, View):
    permission_required = "visits.add_visit"

    def post(self, request, pk):
        follow_up = get_object_or_404(follow_ups_visible_to(request.user), pk=pk)
        try:
            follow_up_reopen(follow_up=follow_up, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Opfølgningen er åben igen."))
        return redirect(_next_or(request, "agenda"))


# --- collective events -------------------------------------------------------------------------


class EventListView(StaffRequiredMixin, View):
    permission_required = "visits.view_events"

    def get(self, request):
        today = timezone.localdate()
        events = events_visible_to(request.user)
        upcoming = events.filter(date__gte=today).order_by("date", "starts_at")
        past = events.filter(date__lt=today).order_by("-date")[:20]
        counts = {
            e.pk: event_services.event_counts(e) for e in [*upcoming, *past]
        }  # a municipality holds a handful of events a year
        return render(
            request,
            "visits/event_list.html",
            {
                "upcoming": [(e, counts[e.pk]) for e in upcoming],
                "past": [(e, counts[e.pk]) for e in past],
                "can_manage": request.user.has_perm("visits.manage_events"),
            },
        )


class EventFormView(StaffRequiredMixin, View):
    permission_required = "visits.manage_events"

    def get(self, request, pk=None, form=None):
        event = get_object_or_404(events_visible_to(request.user), pk=pk) if pk else None
        if form is None:
            initial = {f: getattr(event, f) for f in event_services.EVENT_FIELDS} if event else {}
            form = EventForm(initial=initial, user=request.user)
        return render(request, "visits/event_form.html", {"form": form, "event": event})

    def post(self, request, pk=None):
        event = get_object_or_404(events_visible_to(request.user), pk=pk) if pk else None
        form = EventForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                event = event_services.event_save(user=request.user, event=event, **form.cleaned_data)
            except DomainError as exc:
                _add_domain_error(form, exc)
            else:
                messages.success(request, _("Arrangementet er gemt."))
                return redirect("event-detail", pk=event.pk)
        return self.get(request, pk, form=form)


class EventDetailView(StaffRequiredMixin, View):
    permission_required = "visits.view_events"

    def get(self, request, pk, invite_form=None):
        event = get_object_or_404(events_visible_to(request.user), pk=pk)
        registrations = event.registrations.select_related("citizen")
        status = request.GET.get("status", "")
        if status in RegistrationStatus.values:
            registrations = registrations.filter(status=status)
        registrations = list(registrations)
        can_manage = request.user.has_perm("visits.manage_events") and not event.cancelled
        context = {
            "event": event,
            "counts": event_services.event_counts(event),
            "registrations": registrations,
            "status": status,
            "statuses": RegistrationStatus.choices,
            "can_manage": can_manage,
            "invite_form": invite_form or EventInviteForm(initial={"groups": event.target_groups}, user=request.user),
            "invitable": event_services.invitable_offers(event).count() if can_manage else 0,
            "today": timezone.localdate(),
        }
        services.citizen_access_log(
            user=request.user,
            citizens=[r.citizen for r in registrations],
            endpoint="event-detail",
            purpose="Deltagerliste",
        )
        return render(request, "visits/event_detail.html", context)


class EventInviteView(StaffRequiredMixin, View):
    permission_required = "visits.manage_events"

    def post(self, request, pk):
        event = get_object_or_404(events_visible_to(request.user), pk=pk)
        form = EventInviteForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                n = event_services.event_invite(
                    event=event, user=request.user, groups=form.cleaned_data["groups"], limit=form.cleaned_data["limit"]
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("%(n)s borgere er sat på invitationslisten.") % {"n": n})
                return redirect("event-detail", pk=event.pk)
        return EventDetailView().get(request, pk, invite_form=form)


class EventCancelView(StaffRequiredMixin, View):
    permission_required = "visits.manage_events"

    def post(self, request, pk):
        event = get_object_or_404(events_visible_to(request.user), pk=pk)
        try:
            event_services.event_cancel(event=event, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Arrangementet er aflyst. De inviterede står nu på listen til et individuelt besøg.")
            )
        return redirect("event-detail", pk=event.pk)


class EventAddCitizenView(StaffRequiredMixin, View):
    """Put one citizen on an event's list from the citizen page (a phone call, a walk-in)."""

    permission_required = "visits.manage_events"

    def post(self, request, pk):
        citizen = get_object_or_404(selectors.citizens_visible_to(request.user), pk=pk)
        event = events_visible_to(request.user).filter(pk=request.POST.get("event") or 0).first()
        if event is None:
            messages.error(request, _("Vælg et arrangement."))
            return redirect("citizen-detail", pk=citizen.pk)
        try:
            registration = event_services.event_add_citizen(event=event, citizen=citizen, user=request.user)
            if request.POST.get("action") in ("register", "check_in"):
                event_services.registration_respond(
                    registration=registration, action=request.POST["action"], user=request.user
                )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(name)s er sat på listen til »%(event)s«.") % {"name": citizen.full_name, "event": event.title},
            )
        return redirect("citizen-detail", pk=citizen.pk)


class RegistrationActionView(StaffRequiredMixin, View):
    """One answer or check-in; from htmx (the check-in page) it returns the updated row."""

    permission_required = "visits.manage_events"

    def post(self, request, pk):
        registration = get_object_or_404(registrations_visible_to(request.user), pk=pk)
        action = request.POST.get("action", "")
        error = None
        try:
            registration = event_services.registration_respond(
                registration=registration, action=action, user=request.user, reason=request.POST.get("reason", "")
            )
        except DomainError as exc:
            error = exc.message
        if request.headers.get("HX-Request"):
            attended = registration.event.registrations.filter(status=RegistrationStatus.ATTENDED).count()
            context = {
                "r": registration, "error": error, "today": timezone.localdate(), "attended": attended,
                "undo_after": undo_since(),
            }  # fmt: skip
            return render(request, "visits/_checkin_row.html", context)
        if error:
            messages.error(request, error)
        else:
            messages.success(
                request,
                _("%(name)s: %(status)s.")
                % {"name": registration.citizen.full_name, "status": registration.get_status_display()},
            )
            if action == "decline":
                messages.info(request, _("Borgeren står nu på listen til et individuelt besøg (BEK 716 § 2)."))
        if _safe_next(request):
            return redirect(request.POST["next"])
        return redirect("event-detail", pk=registration.event_id)


class EventCheckInView(StaffRequiredMixin, View):
    """The tablet at the door: every invited or registered citizen with a big check-in button,
    and a filter box to find a name."""

    permission_required = "visits.manage_events"

    def get(self, request, pk):
        event = get_object_or_404(events_visible_to(request.user), pk=pk)
        if event.cancelled:
            raise Http404
        registrations = list(event.registrations.exclude(status=RegistrationStatus.DECLINED).select_related("citizen"))
        services.citizen_access_log(
            user=request.user,
            citizens=[r.citizen for r in registrations],
            endpoint="event-checkin",
            purpose="Indtjekning",
        )
        return render(
            request,
            "visits/event_checkin.html",
            {
                "event": event,
                "registrations": registrations,
                "counts": event_services.event_counts(event),
                "today": timezone.localdate(),
                "undo_after": undo_since(),
            },
        )
