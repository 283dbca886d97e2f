"""Web pages of the letter batches: list and plan, the preview with the capacity shortfall and the
proposal, approve / cancel / send, rendering progress, the files; responses and the call list; the
letter texts (admin) and the consultants' calendars (team leader)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from fhb.eligibility import policy_for
from fhb.errors import DomainError
from fhb.models import InvitationKind, Municipality
from fhb.permissions import StaffRequiredMixin
from fhb.selectors import staff_visible_to, target_group_labels
from fhb.services import citizen_access_log
from visits.calendars import (
    absence_add,
    absence_delete,
    bookings_on,
    calendar_save,
    closing_day_add,
    closing_day_delete,
)
from visits.models import Absence, ConsultantCalendar
from visits.selectors import closing_days_visible_to
from visits.workdays import closed_days

from . import batches
from . import letters as letterlib
from .forms import (
    AbsenceForm,
    BatchForm,
    CalendarForm,
    CallForm,
    ClosingDayForm,
    RespondForm,
    TemplateForm,
    group_choices,
)
from .models import LetterResponse, LetterTemplate
from .planner import free_visits
from .selectors import batches_visible_to, letters_visible_to, templates_visible_to
from .services import letter_template_save

SLOT_DAYS = 14  # the move dialog shows two weeks of free times at a time


def _batches(request):
    return batches_visible_to(request.user)


def _next_month(today: dt.date) -> tuple[dt.date, dt.date]:
    first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return first, last


def _batch_form(request, data=None):
    municipality: Municipality = request.user.municipality
    start, end = _next_month(timezone.localdate())
    year = start.year
    if data is not None and data.get("period_start", "")[:4].isdigit():
        year = int(data["period_start"][:4])
    policy = policy_for(municipality, year)
    kinds = {code: policy.invitation_for(code) for code, _ in group_choices(year, policy)}
    return BatchForm(
        data,
        municipality=municipality,
        year=year,
        kinds=kinds,
        policy=policy,
        initial={"period_start": start, "period_end": end, "groups": ["age_80", "at_risk_65_81"]},
    )


class BatchListView(StaffRequiredMixin, View):
    permission_required = "invitations.plan_batches"

    def get(self, request, form=None):
        return render(
            request,
            "invitations/batch_list.html",
            {"form": form or _batch_form(request), "batches": _batches(request).select_related("created_by")[:50]},
        )

    def post(self, request):
        form = _batch_form(request, request.POST)
        if not form.is_valid():
            return self.get(request, form=form)
        try:
            batch = batches.batch_plan(
                municipality=request.user.municipality,
                user=request.user,
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                groups=form.cleaned_data["groups"],
                statuses=form.cleaned_data["statuses"],
                letter_kinds=form.letter_kinds(),
                letter_date=form.cleaned_data["letter_date"],
                selection=form.cleaned_data["selection"],
                event=form.cleaned_data["event"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.get(request, form=form)
        return redirect("batch-detail", pk=batch.pk)


class BatchDetailView(StaffRequiredMixin, View):
    permission_required = "invitations.plan_batches"

    def get(self, request, pk: int):
        batch = get_object_or_404(_batches(request).select_related("event", "restarted_by"), pk=pk)
        if request.htmx and request.GET.get("status"):
            return render(request, "invitations/_batch_status.html", {"batch": batch})
        letters = list(
            batch.letters.select_related("citizen", "consultant").order_by("starts_at", "citizen__last_name")[:200]
        )
        citizen_access_log(
            user=request.user, citizens=[x.citizen for x in letters], endpoint=request.path, purpose="Brevrunde: breve"
        )
        return render(
            request,
            "invitations/batch_detail.html",
            {
                "batch": batch,
                "plan": batch.plan,
                "letters": letters,
                "letters_count": batch.letters.count(),
                "group_kinds": [
                    (g, dict(InvitationKind.choices).get(batch.letter_kinds.get(g), "")) for g in batch.groups
                ],
            },
        )


class BatchActionView(StaffRequiredMixin, View):
    """The batch's actions. Those that book, send, cancel or undo a cancellation are confirmed
    first: GET shows what will happen, in plain Danish; only a POST carrying the confirmation acts."""

    permission_required = "invitations.plan_batches"
    # action in the URL -> (service action, the page's heading, the confirm button)
    CONFIRMED = {
        "godkend": ("approve", gettext_lazy("Godkend brevrunden?"), gettext_lazy("Ja, godkend og book tiderne")),
        "annuller": ("cancel", gettext_lazy("Annullér brevrunden?"), gettext_lazy("Ja, annullér brevrunden")),
        "send": ("send", gettext_lazy("Markér brevrunden som sendt?"), gettext_lazy("Ja, brevene er sendt")),
        "fortryd": ("restore", gettext_lazy("Fortryd annulleringen?"), gettext_lazy("Ja, gendan brevrunden")),
    }

    def get(self, request, pk: int, action: str):
        batch = get_object_or_404(_batches(request), pk=pk)
        if action not in self.CONFIRMED:
            raise Http404
        kind, heading, button = self.CONFIRMED[action]
        try:
            consequence = batches.batch_consequence(batch, kind)
        except DomainError as exc:  # no longer applies (sent, cancelled, approved meanwhile)
            messages.error(request, exc.message)
            return redirect("batch-detail", pk=batch.pk)
        return render(
            request,
            "invitations/batch_confirm.html",
            {"batch": batch, "action": action, "heading": heading, "button": button, "consequence": consequence},
        )

    def post(self, request, pk: int, action: str):
        batch = get_object_or_404(_batches(request), pk=pk)
        if action in self.CONFIRMED and request.POST.get("bekraeft") != "1":
            return redirect("batch-action", pk=batch.pk, action=action)
        try:
            if action == "godkend":
                batches.batch_approve(batch=batch, user=request.user)
                messages.success(request, _("Brevrunden er godkendt, og tiderne er booket. Brevene dannes nu."))
            elif action == "annuller":
                batches.batch_cancel(batch=batch, user=request.user)
                messages.success(
                    request,
                    _("Brevrunden er annulleret, og dens bookinger er aflyst. Du kan fortryde annulleringen nedenfor."),
                )
            elif action == "fortryd":
                batch = batches.batch_restore(batch=batch, user=request.user)
                messages.success(request, batch.message)
            elif action == "send":
                batches.batch_send(batch=batch, user=request.user)
                messages.success(request, _("Brevrunden er markeret som sendt, og borgerne står som inviteret."))
            elif action == "forslag":
                groups = [g for g in request.POST.get("move", "").split(",") if g]
                batches.batch_apply_proposal(batch=batch, user=request.user, move_to_open=groups)
                messages.success(request, _("Brevrunden er planlagt igen med forslaget."))
            elif action == "planlaeg":
                batches.batch_apply_proposal(batch=batch, user=request.user, move_to_open=[])
                messages.success(request, _("Brevrunden er planlagt igen med kalenderne, som de er nu."))
            elif action == "prov-igen":
                batches.batch_retry(batch=batch, user=request.user)
            else:
                raise Http404
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("batch-detail", pk=batch.pk)


class BatchFileView(StaffRequiredMixin, View):
    """The print PDF and the manifests. They hold citizens' names and addresses (the manifest also
    CPR numbers): every download is logged per citizen."""

    permission_required = "invitations.plan_batches"
    FIELDS = {"tryk.pdf": "print.pdf", "manifest.json": "manifest.json", "manifest.csv": "manifest.csv"}

    def get(self, request, pk: int, name: str):
        batch = get_object_or_404(_batches(request), pk=pk)
        try:
            handle = batches.batch_file(
                batch=batch, name=self.FIELDS.get(name, ""), user=request.user, path=request.path
            )
        except DomainError as exc:
            raise Http404(exc.message) from exc
        return FileResponse(handle, as_attachment=True, filename=f"brevrunde-{pk}-{name}")


class LetterPdfView(StaffRequiredMixin, View):
    permission_required = "invitations.respond"

    def get(self, request, pk: int):
        letter = get_object_or_404(letters_visible_to(request.user).select_related("citizen"), pk=pk)
        if not letter.pdf:
            raise Http404
        citizen_access_log(user=request.user, citizens=letter.citizen, endpoint=request.path, purpose="brev")
        return FileResponse(default_storage.open(letter.pdf.name, "rb"), filename=f"brev-{letter.pk}.pdf")


class SlotPickerMixin:
    """Two weeks of free times for a letter's citizen, around the letter's time, from the date and
    for the consultant asked (`?fra=`, `?konsulent=`); the letter's own booking frees its place."""

    def window(self, request, letter):
        try:
            start = dt.date.fromisoformat(request.GET.get("fra", ""))
        except ValueError:
            start = None
        consultant = request.GET.get("konsulent", "")
        return batches.slot_window(letter, start), int(consultant) if consultant.isdigit() else None

    def slot_choices(self, letter, start, consultant_id) -> list[tuple[str, str]]:
        slots = batches.free_slots_for(
            letter.citizen, start=start, days=SLOT_DAYS, consultant_id=consultant_id,
            exclude_booking=letter.booking_id,
        )  # fmt: skip
        return [
            (f"{u.pk}|{s.isoformat()}", f"{date_format(timezone.localtime(s), 'H:i')} {u.get_full_name()}")
            for u, s in slots
        ]

    def slot_context(self, request, form, start, consultant_id) -> dict:
        days: dict[dt.date, list] = {}
        for value, label in form.fields["slot"].choices:
            try:
                when = parse_datetime(value.partition("|")[2])
            except ValueError:
                when = None
            if when and timezone.is_aware(when):  # a tampered value posted back is not shown as a time
                days.setdefault(timezone.localtime(when).date(), []).append((value, label))
        today = timezone.localdate()
        return {
            "form": form,
            "days": days,
            "start": start,
            "end": start + dt.timedelta(days=SLOT_DAYS - 1),
            "earlier": max(start - dt.timedelta(days=SLOT_DAYS), today) if start > today else None,
            "later": start + dt.timedelta(days=SLOT_DAYS),
            "consultant_id": consultant_id,
            "consultants": batches.consultants(request.user.municipality),
            "next": request.GET.get("next") or request.POST.get("next", ""),
        }

    def chosen_slot(self, request, value: str):
        """(consultant, starts_at) of a posted "consultant|iso" value, or (None, None)."""
        consultant_pk, _sep, when = value.partition("|")
        if not (consultant_pk.isdigit() and when):
            return None, None
        try:
            starts_at = parse_datetime(when)
        except ValueError:  # a tampered or stale value: treated as no time chosen
            return None, None
        return staff_visible_to(request.user).filter(pk=consultant_pk).first(), starts_at

    def back(self, request):
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("call-list")
        return redirect(target)


class LetterRespondView(SlotPickerMixin, StaffRequiredMixin, View):
    """Register a citizen's answer. Moving (or booking an open letter) picks a free time from two
    weeks around the letter's time, earlier or later weeks and one consultant on request; a taken
    time is never offered, and what was chosen is kept when something is wrong."""

    permission_required = "invitations.respond"

    def letter(self, request, pk):
        return get_object_or_404(
            letters_visible_to(request.user).select_related("citizen", "batch", "consultant", "booking", "offer"),
            pk=pk,
        )

    def form(self, letter, start, consultant_id, data=None):
        responses = [c for c in LetterResponse.choices if c[0]]
        slots = self.slot_choices(letter, start, consultant_id)
        return RespondForm(data, responses=responses, slots=slots, initial={"response": letter.response or None})

    def get(self, request, pk: int, form=None):
        letter = self.letter(request, pk)
        if request.method == "GET":
            citizen_access_log(user=request.user, citizens=letter.citizen, endpoint=request.path, purpose="brevsvar")
        start, consultant_id = self.window(request, letter)
        form = form or self.form(letter, start, consultant_id)
        context = {"letter": letter, **self.slot_context(request, form, start, consultant_id)}
        return render(request, "invitations/respond.html", context)

    def post(self, request, pk: int):
        letter = self.letter(request, pk)
        start, consultant_id = self.window(request, letter)
        form = self.form(letter, start, consultant_id, data=request.POST)
        if not form.is_valid():
            return self.get(request, pk, form=form)
        consultant, starts_at = self.chosen_slot(request, form.cleaned_data["slot"])
        try:
            batches.letter_respond(
                letter=letter,
                user=request.user,
                response=form.cleaned_data["response"],
                reason=form.cleaned_data["reason"],
                starts_at=starts_at,
                consultant=consultant,
            )
        except DomainError as exc:
            field = {"starts_at": "slot"}.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
            return self.get(request, pk, form=form)
        messages.success(request, _("Svaret er registreret."))
        return self.back(request)


class CallRecordView(SlotPickerMixin, StaffRequiredMixin, View):
    """Record a call from the call list: how it went, a note, when to try again; booking picks a
    free time. A call is a contact in the citizen's timeline, never a visit."""

    permission_required = "invitations.respond"

    def letter(self, request, pk):
        return get_object_or_404(
            letters_visible_to(request.user).select_related("citizen", "batch", "booking", "offer"), pk=pk
        )

    def form(self, request, letter, start, consultant_id, data=None):
        today = timezone.localdate()
        initial = {"next_attempt": batches.next_working_day(request.user.municipality_id, today)}
        return CallForm(data, slots=self.slot_choices(letter, start, consultant_id), initial=initial)

    def get(self, request, pk: int, form=None):
        letter = self.letter(request, pk)
        if request.method == "GET":
            citizen_access_log(user=request.user, citizens=letter.citizen, endpoint=request.path, purpose="ringeliste")
        start, consultant_id = self.window(request, letter)
        form = form or self.form(request, letter, start, consultant_id)
        calls = letter.calls.select_related("called_by")[:20]
        context = {"letter": letter, "calls": calls, **self.slot_context(request, form, start, consultant_id)}
        return render(request, "invitations/call_record.html", context)

    def post(self, request, pk: int):
        letter = self.letter(request, pk)
        start, consultant_id = self.window(request, letter)
        form = self.form(request, letter, start, consultant_id, data=request.POST)
        if not form.is_valid():
            return self.get(request, pk, form=form)
        consultant, starts_at = self.chosen_slot(request, form.cleaned_data["slot"])
        data = form.cleaned_data
        try:
            call = batches.call_record(
                letter=letter, user=request.user, outcome=data["outcome"], note=data["note"],
                next_attempt=data["next_attempt"], starts_at=starts_at, consultant=consultant,
            )  # fmt: skip
        except DomainError as exc:
            field = {"starts_at": "slot", "response": "outcome"}.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
            return self.get(request, pk, form=form)
        name = f"{letter.citizen.first_name} {letter.citizen.last_name}"
        if call.next_attempt:
            message = _("Opkaldet til %(name)s er registreret. Borgeren står på listen igen fra %(day)s.") % {
                "name": name,
                "day": date_format(call.next_attempt, "l j. F"),
            }
        else:
            message = _("Opkaldet til %(name)s er registreret, og borgeren er taget af listen.") % {"name": name}
        messages.success(request, message)
        return self.back(request)


class CallListView(StaffRequiredMixin, View):
    """Open-letter citizens who have not answered: paged, sortable, filtered by target group and by
    the consultant covering their postal code, phone numbers as tel: links. Recording a call takes
    a citizen off the list or moves them down; those to call again later are counted apart."""

    permission_required = "invitations.respond"
    PER_PAGE = 50
    ORDERS = {
        "forsoeg": gettext_lazy("Færrest forsøg først"),
        "brev": gettext_lazy("Ældste brev først"),
        "navn": gettext_lazy("Efternavn"),
        "postnr": gettext_lazy("Postnummer"),
    }

    def get(self, request):
        municipality = request.user.municipality
        try:
            days = max(0, min(int(request.GET.get("dage", "")), 365))
        except ValueError:
            days = None
        people = batches.consultants(municipality)
        consultant_id = request.GET.get("konsulent", "")
        consultant = next((p for p in people if str(p.pk) == consultant_id), None)
        labels = target_group_labels(municipality.pk)
        group = request.GET.get("gruppe", "")
        group = group if group in labels else ""
        order = request.GET.get("sortering", "forsoeg")
        order = order if order in self.ORDERS else "forsoeg"
        later = request.GET.get("senere") == "1"
        rows = batches.call_list(
            municipality, days=days, group=group or None, consultant=consultant, order=order, later=later
        )
        page = Paginator(rows, self.PER_PAGE).get_page(request.GET.get("page"))
        citizen_access_log(
            user=request.user, citizens=[letter.citizen for letter in page], endpoint=request.path, purpose="Ringeliste"
        )
        waiting = (
            batches.call_list(municipality, days=days, group=group or None, consultant=consultant, later=not later)
            .values("pk")
            .count()
        )
        present = set(batches.call_list(municipality, days=days).order_by().values_list("group", flat=True))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "invitations/call_list.html",
            {
                "page": page,
                "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
                "count": page.paginator.count,
                "waiting": waiting,
                "later": later,
                "days": settings.FHB["CALL_LIST_AFTER_DAYS"] if days is None else days,
                "consultants": people,
                "consultant": consultant,
                "groups": sorted(((code, labels.get(code, code)) for code in present), key=lambda g: g[1]),
                "group": group,
                "orders": self.ORDERS.items(),
                "order": order,
                "querystring": query.urlencode(),
            },
        )


def _letter_groups(municipality: Municipality) -> list[dict]:
    """The target groups of this year and next with the letter kind their standard names: each can
    have a text of its own (the at-risk letter need not say what the age letters say)."""
    this = timezone.localdate().year
    groups: dict[str, dict] = {}
    for year in (this, this + 1):
        policy = policy_for(municipality, year)
        for code, label in group_choices(year, policy):
            groups.setdefault(code, {"code": code, "label": label, "kind": policy.invitation_for(code), "years": []})
            groups[code]["years"].append(year)
    return list(groups.values())


class TemplateListView(StaffRequiredMixin, View):
    permission_required = "invitations.edit_templates"

    def get(self, request):
        municipality = request.user.municipality
        text_for = letterlib.templates_for(municipality)
        own = {(t.kind, t.group): t for t in templates_visible_to(request.user).select_related("updated_by")}
        rows = [
            {"kind": kind, "label": label, "subject": text_for(kind)[0], "own": own.get((kind, ""))}
            for kind, label in InvitationKind.choices
        ]
        group_rows = [
            {
                **group,
                "kind_label": InvitationKind(group["kind"]).label,
                "subject": text_for(group["kind"], group["code"])[0],
                "own": own.get((group["kind"], group["code"])),
            }
            for group in _letter_groups(municipality)
        ]
        return render(
            request,
            "invitations/template_list.html",
            {"rows": rows, "group_rows": group_rows, "fields": letterlib.FIELDS},
        )


class TemplateEditView(StaffRequiredMixin, View):
    """Edit one letter text — for every group, or for one (`?gruppe=code`) — with a live preview of
    a sample letter (the layout is fixed)."""

    permission_required = "invitations.edit_templates"

    def group(self, request) -> tuple[str, str]:
        """(code, label) of the target group the text is for; ("", "") for every group."""
        code = request.GET.get("gruppe") or request.POST.get("gruppe") or ""
        if not code:
            return "", ""
        labels = target_group_labels(request.user.municipality_id)
        if code not in labels:
            raise Http404
        return code, labels[code]

    def instance(self, request, kind, group: str):
        if kind not in InvitationKind.values:
            raise Http404
        municipality = request.user.municipality
        own = templates_visible_to(request.user).filter(kind=kind, group=group).first()
        if own is None:
            subject, body = letterlib.template_for(municipality, kind)  # start from the kind's text
            own = LetterTemplate(municipality=municipality, kind=kind, group=group, subject=subject, body=body)
        return own

    def preview(self, request, subject, body, kind):
        municipality = request.user.municipality
        sample = SimpleNamespace(
            first_name="Karen", last_name="Eksempel", address="Eksempelvej 12", postal_code="8600", city="Silkeborg"
        )
        consultant = request.user if kind == InvitationKind.DATE_LETTER else None
        fields = letterlib.fields_for(citizen=sample, municipality=municipality, consultant=consultant)
        if kind == InvitationKind.DATE_LETTER:
            fields.update(dato=letterlib.danish_date(timezone.localdate() + dt.timedelta(days=14)), tid="10.30")
        if kind == InvitationKind.COLLECTIVE_EVENT:
            fields.update(
                arrangement="Seniordag",
                sted="Medborgerhuset",
                dato=letterlib.danish_date(timezone.localdate() + dt.timedelta(days=30)),
                tid="13.00",
            )
        return letterlib.letter_block(
            anchor="preview", subject=subject, body=body, fields=fields, recipient=sample,
            municipality=municipality, letter_date=timezone.localdate(),
        )  # fmt: skip

    def get(self, request, kind: str, form=None):
        group, group_label = self.group(request)
        instance = self.instance(request, kind, group)
        form = form or TemplateForm(instance=instance)
        data = form.data if form.is_bound else {"subject": instance.subject, "body": instance.body}
        return render(
            request,
            "invitations/template_edit.html",
            {
                "form": form,
                "kind": kind,
                "group": group,
                "group_label": group_label,
                "label": dict(InvitationKind.choices)[kind],
                "preview": self.preview(request, data.get("subject", ""), data.get("body", ""), kind),
                "fields": letterlib.FIELDS,
            },
        )

    def post(self, request, kind: str):
        group, _label = self.group(request)
        instance = self.instance(request, kind, group)
        form = TemplateForm(request.POST, instance=instance)
        # "Vis eksempel" only redraws the preview; saving needs a template that renders.
        if not form.is_valid() or request.POST.get("action") == "preview":
            return self.get(request, kind, form=form)
        letter_template_save(
            municipality=request.user.municipality,
            kind=kind,
            group=group,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            user=request.user,
        )
        messages.success(request, _("Brevteksten er gemt."))
        return redirect("letter-templates")


class CapacityView(StaffRequiredMixin, View):
    """The consultants' calendars and absences, the next weeks' free visits, and the days nobody
    visits: the public holidays and the municipality's own closing days (added and removed here)."""

    permission_required = "invitations.edit_capacity"

    def get(self, request, closing_form=None):
        municipality = request.user.municipality
        people = batches.consultants(municipality)
        start = timezone.localdate()
        end = start + dt.timedelta(days=27)
        caps = {c.consultant_id: c for c in batches.capacities(municipality, start, end)}

        rows = []
        for person in people:
            cap = caps.get(person.pk)
            free = free_visits(cap, start, end, tz=batches.tz(), not_before=timezone.now()) if cap else None
            rows.append(
                {
                    "person": person,
                    "calendar": getattr(person, "calendar", None),
                    "weekly_cap": cap.weekly_cap if cap else None,
                    "free": free,
                    "absences": Absence.objects.filter(consultant=person, ends_on__gte=start),
                }
            )
        own = {d.date: d for d in closing_days_visible_to(request.user).filter(date__gte=start)}
        year_end = start + dt.timedelta(days=365)
        closed = [
            {"date": day, "name": name, "own": own.get(day)}
            for day, name in closed_days(municipality.pk, start, year_end).items()
        ]
        closed += [{"date": d.date, "name": d.name, "own": d} for d in own.values() if d.date > year_end]
        return render(
            request,
            "invitations/capacity.html",
            {
                "rows": rows,
                "start": start,
                "end": end,
                "closed": closed,
                "closing_form": closing_form or ClosingDayForm(),
            },
        )

    def post(self, request):
        municipality = request.user.municipality
        if request.POST.get("action") == "delete-closing-day":
            if closing_day_delete(
                municipality=municipality, closing_day_id=request.POST.get("closing_day"), user=request.user
            ):
                messages.success(request, _("Lukkedagen er fjernet. Dagen kan igen bruges til besøg."))
            return redirect("capacity")
        form = ClosingDayForm(request.POST)
        if not form.is_valid():
            return self.get(request, closing_form=form)
        try:
            day = closing_day_add(municipality=municipality, user=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.get(request, closing_form=form)
        booked = bookings_on(municipality, day.date)
        when = date_format(day.date, "j. F Y")
        if booked:
            messages.warning(
                request,
                ngettext(
                    "%(day)s er lukkedag. %(n)s besøg er allerede booket den dag og skal flyttes.",
                    "%(day)s er lukkedag. %(n)s besøg er allerede booket den dag og skal flyttes.",
                    booked,
                )
                % {"day": when, "n": booked},
            )
        else:
            messages.success(
                request, _("%(day)s er lukkedag. Der planlægges og bookes ikke besøg den dag.") % {"day": when}
            )
        return redirect("capacity")


class CalendarEditView(StaffRequiredMixin, View):
    permission_required = "invitations.edit_capacity"

    def person(self, request, pk):
        return get_object_or_404(staff_visible_to(request.user, roles=["consultant"]), pk=pk)

    def get(self, request, pk: int, form=None, absence_form=None):
        person = self.person(request, pk)
        calendar = ConsultantCalendar.objects.filter(consultant=person).first() or ConsultantCalendar(consultant=person)
        return render(
            request,
            "invitations/calendar_edit.html",
            {
                "person": person,
                "form": form or CalendarForm(instance=calendar, municipality=request.user.municipality),
                "absence_form": absence_form or AbsenceForm(),
                "absences": Absence.objects.filter(consultant=person).order_by("-starts_on")[:20],
            },
        )

    def post(self, request, pk: int):
        person = self.person(request, pk)
        if request.POST.get("action") == "absence":
            form = AbsenceForm(request.POST, instance=Absence(consultant=person))
            if not form.is_valid():
                return self.get(request, pk, absence_form=form)
            absence_add(consultant=person, **form.cleaned_data)
            messages.success(request, _("Fraværet er registreret."))
            return redirect("calendar-edit", pk=pk)
        if request.POST.get("action") == "delete-absence":
            absence_delete(consultant=person, absence_id=request.POST.get("absence"))
            return redirect("calendar-edit", pk=pk)
        calendar = ConsultantCalendar.objects.filter(consultant=person).first() or ConsultantCalendar(consultant=person)
        form = CalendarForm(request.POST, instance=calendar, municipality=request.user.municipality)
        if not form.is_valid():
            return self.get(request, pk, form=form)
        calendar_save(consultant=person, user=request.user, **form.cleaned_data)
        messages.success(request, _("Kalenderen er gemt."))
        return redirect("capacity")
