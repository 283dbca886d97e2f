"""Web pages of the core domain: the citizen list and page, the access log, and imports."""

from __future__ import annotations

import datetime as dt
import io
import secrets

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View, defaults

from . import hooks, selectors, services
from .errors import DomainError
from .exports import csv_bytes
from .filters import CitizenFilter
from .forms import AccessControlForm, CitizenSearchForm, ImportUploadForm, OfferStatusForm, ReferralForm, RiskEventForm
from .intake import referral_outcome_text, referral_register, risk_event_add
from .jobs import job_restart
from .law import FIRST_YEAR
from .models import OfferStatus, Role
from .offers import default_as_of
from .permissions import StaffRequiredMixin
from .registry.jobs import import_job_create
from .registry.tables import RowError, write_error_report
from .timeline import citizen_timeline

PAGE_SIZE = 25
LIST_FIELDS = ("id", "cpr", "first_name", "last_name", "address", "postal_code", "city", "birth_date", "household_size")
SEARCH_SESSION_KEY = "citizen_searches"


class HomeView(StaffRequiredMixin, View):
    """Where a user lands after login: a consultant on the day's visits, everyone else on the citizens."""

    def get(self, request):
        if request.user.role == Role.CONSULTANT:
            return redirect("agenda")
        return redirect("citizen-list")


class CitizenListView(StaffRequiredMixin, View):
    """Search, filter and page through the municipality's citizens. A search term is POSTed and
    kept in the session under a random token, so a CPR number never appears in a URL."""

    def post(self, request):
        form = CitizenSearchForm(request.POST)
        params = request.GET.copy()
        params.pop("page", None)
        params.pop("soeg", None)
        if form.is_valid() and form.cleaned_data["q"].strip():
            token = secrets.token_urlsafe(6)
            searches = request.session.get(SEARCH_SESSION_KEY, {})
            searches = dict(list(searches.items())[-19:])  # keep the last 20 searches
            searches[token] = form.cleaned_data["q"].strip()
            request.session[SEARCH_SESSION_KEY] = searches
            params["soeg"] = token
        return redirect(f"{reverse('citizen-list')}?{params.urlencode()}")

    def get(self, request):
        query = request.session.get(SEARCH_SESSION_KEY, {}).get(request.GET.get("soeg", ""), "")
        visible = selectors.citizens_visible_to(request.user)
        filterset = CitizenFilter(request.GET, queryset=visible, request=request)
        citizens = filterset.qs if filterset.is_valid() else visible.alive_and_resident_on(_today())
        citizens = selectors.citizen_search(citizens, query).only(*LIST_FIELDS)
        page = paginate(citizens, request, PAGE_SIZE)
        if query and selectors.cprlib.looks_like_cpr(query):
            # A full-CPR search reveals who the number belongs to: that is a look-up.
            services.citizen_access_log(
                user=request.user, citizens=list(page.object_list), endpoint="citizen-list", purpose="CPR-søgning"
            )
        params = request.GET.copy()
        params.pop("page", None)
        context = {
            "filterset": filterset,
            "filters_active": any(request.GET.get(name) for name in filterset.filters),
            "search_form": CitizenSearchForm(initial={"q": query}),
            "query": query,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "today": _today(),
            "querystring": params.urlencode(),
        }
        template = (
            "fhb/partials/citizen_table.html" if request.htmx and not request.htmx.boosted else "fhb/citizen_list.html"
        )
        return render(request, template, context)


class CitizenDetailView(StaffRequiredMixin, View):
    permission_required = "fhb.view_citizens"

    def get_citizen(self, request, pk):
        return get_object_or_404(selectors.citizens_visible_to(request.user).select_related("municipality"), pk=pk)

    def get(self, request, pk, form=None):
        citizen = self.get_citizen(request, pk)
        services.citizen_access_log(
            user=request.user, citizens=citizen, endpoint="citizen-detail", purpose="Borgerside"
        )
        context = {
            "citizen": citizen,
            "age": citizen.age_on(_today()),
            "risk_events": citizen.risk_events.select_related("risk_group", "created_by"),
            "risk_form": form or RiskEventForm(risk_groups=selectors.risk_groups_visible_to(request.user)),
            "can_see_history": request.user.has_perm("fhb.view_citizen_history", citizen),
            "can_see_accesses": request.user.has_perm("fhb.view_citizenaccess", citizen),
        }
        if context["can_see_history"]:
            context["history"] = _history_rows(citizen)
        today = _today()
        years = [today.year, today.year + 1]
        asked = request.GET.get("aar", "")
        if asked.isdigit() and FIRST_YEAR <= int(asked) <= today.year + 1 and int(asked) not in years:
            years.insert(0, int(asked))
        context["eligibility"] = [
            (
                year,
                selectors.citizen_eligibility(citizen, year=year, as_of=default_as_of(year, today)),
                selectors.year_legal_basis(citizen.municipality_id, year),
            )
            for year in years
        ]
        context["eligibility_years"] = range(today.year - 1, FIRST_YEAR - 1, -1)
        context["offers"] = citizen.offers.prefetch_related("transitions__by").order_by("-year")
        for contribute in hooks.get_hooks("citizen_page"):  # visits: visits, bookings, follow-ups, events
            context.update(contribute(request, citizen))
        context["can_read_notes"] = request.user.has_perm("visits.view_note", citizen)
        context["timeline"] = citizen_timeline(citizen, show_notes=context["can_read_notes"])[:100]
        context["offer_form"] = OfferStatusForm()
        return render(request, "fhb/citizen_detail.html", context)

    def post(self, request, pk):
        """Register a risk event by hand (e.g. a concern referral taken by phone)."""
        citizen = self.get_citizen(request, pk)
        form = RiskEventForm(request.POST, risk_groups=selectors.risk_groups_visible_to(request.user))
        if form.is_valid():
            try:
                _event, refresh = risk_event_add(citizen=citizen, user=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(request, _("Risikohændelsen er registreret."))
                if refresh.changed and refresh.offer.status == OfferStatus.DUE:
                    messages.info(request, _("Borgeren står nu på listen over borgere, der skal tilbydes besøg i år."))
                return redirect("citizen-detail", pk=citizen.pk)
        return self.get(request, pk, form=form)


def _history_rows(citizen, limit: int = 30):
    """Field-level changes, newest first: who, when, which field, from what to what."""
    records = list(citizen.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    rows = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        if older is None:
            rows.append({"record": newer, "changes": [], "created": True})
            continue
        delta = newer.diff_against(older)
        rows.append(
            {
                "record": newer,
                "changes": [
                    {"field": citizen._meta.get_field(c.field).verbose_name, "old": c.old, "new": c.new}
                    for c in delta.changes
                ],
                "created": False,
            }
        )
    return rows[:limit]


class CitizenAccessLogView(StaffRequiredMixin, View):
    """Who looked at this citizen's data, when and why (for a citizen's request of access)."""

    permission_required = "fhb.view_citizenaccesses"

    def get(self, request, pk):
        citizen = get_object_or_404(selectors.citizens_visible_to(request.user), pk=pk)
        services.citizen_access_log(
            user=request.user, citizens=citizen, endpoint="citizen-accesses", purpose="Opslagslog"
        )
        page = paginate(selectors.citizen_accesses(citizen=citizen), request, 100)
        if request.GET.get("format") == "csv":
            rows = (
                [access.accessed_at.isoformat(), str(access.user), access.endpoint_label, access.purpose]
                for access in selectors.citizen_accesses(citizen=citizen)
            )
            content = csv_bytes(["tidspunkt", "medarbejder", "side", "formål"], rows)
            response = HttpResponse(content, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="opslagslog-borger-{citizen.pk}.csv"'
            return response
        page_range = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        return render(
            request, "fhb/citizen_accesses.html", {"citizen": citizen, "page": page, "page_range": page_range}
        )


class ImportListView(StaffRequiredMixin, View):
    permission_required = "fhb.import_registry"

    def get(self, request, form=None):
        jobs = selectors.import_jobs_visible_to(request.user).select_related("uploaded_by")[:20]
        return render(request, "fhb/imports.html", {"form": form or ImportUploadForm(), "jobs": jobs})

    def post(self, request):
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.get(request, form=form)
        upload = form.cleaned_data["file"]
        job = import_job_create(
            user=request.user,
            kind=form.cleaned_data["kind"],
            filename=upload.name,
            upload=upload,
            strict=form.cleaned_data["strict"],
        )
        return redirect("import-detail", pk=job.pk)


class ImportDetailView(StaffRequiredMixin, View):
    permission_required = "fhb.import_registry"

    def get(self, request, pk):
        job = get_object_or_404(selectors.import_jobs_visible_to(request.user), pk=pk)
        template = "fhb/partials/import_status.html" if request.htmx else "fhb/import_detail.html"
        return render(request, template, {"job": job, "errors_preview": job.errors[:50]})


class ImportRestartView(StaffRequiredMixin, View):
    """Start a stalled import again now (its worker is gone), rather than wait for the minute's
    automatic restart; who and when are kept."""

    permission_required = "fhb.import_registry"

    def post(self, request, pk):
        job = get_object_or_404(selectors.import_jobs_visible_to(request.user), pk=pk)
        if job.is_stalled and job_restart(job, user=request.user):
            messages.success(request, _("Importen er startet igen."))
        else:
            messages.info(request, _("Importen kører eller er færdig; den er ikke startet igen."))
        return redirect("import-detail", pk=job.pk)


class ImportErrorReportView(StaffRequiredMixin, View):
    permission_required = "fhb.import_registry"

    def get(self, request, pk):
        job = get_object_or_404(selectors.import_jobs_visible_to(request.user), pk=pk)
        if not job.errors:
            raise Http404
        out = io.StringIO()
        out.write("\ufeff")  # so Excel opens it as UTF-8
        write_error_report([RowError(**e) for e in job.errors], out)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="importfejl-{job.pk}.csv"'
        return response


class AccessControlView(StaffRequiredMixin, View):
    """The municipality's periodic control of its access log (the admin): look-ups by employee and
    period, unusual volumes flagged, one employee's look-ups listed and exported as CSV."""

    permission_required = "fhb.view_citizenaccesses"

    def get(self, request):
        today = _today()
        employees = selectors.staff_visible_to(request.user).order_by("username")
        data = request.GET if "fra" in request.GET else {"fra": today - dt.timedelta(days=30), "til": today}
        form = AccessControlForm(data, employees=employees)
        query = request.GET.copy()
        query.pop("page", None)
        context = {"form": form, "summary": [], "page": None, "employee": None, "querystring": query.urlencode()}
        if form.is_valid():
            start, end = form.cleaned_data["fra"], form.cleaned_data["til"]
            employee = form.cleaned_data["medarbejder"]
            rows = selectors.accesses_in_period(user=request.user, start=start, end=end, employee=employee)
            context.update(summary=selectors.accesses_by_employee(rows), employee=employee, start=start, end=end)
            if employee is not None:
                rows = rows.select_related("citizen", "lookup__user").order_by("-lookup_id", "-id")
                if request.GET.get("format") == "csv":
                    return self.csv(request, rows, employee, start, end)
                context["page"] = paginate(rows, request, 100)
                services.citizen_access_log(
                    user=request.user,
                    citizens=[a.citizen for a in context["page"].object_list],
                    endpoint="access-control",
                    purpose="Kontrol af opslagslog",
                )
        return render(request, "fhb/access_control.html", context)

    def csv(self, request, rows, employee, start, end):
        services.citizen_access_log(
            user=request.user,
            citizens=list({a.citizen_id: a.citizen for a in rows}.values()),
            endpoint="access-control",
            purpose="Kontrol af opslagslog (CSV)",
        )
        content = csv_bytes(
            ["tidspunkt", "medarbejder", "borger", "cpr", "side", "formål"],
            (
                [a.accessed_at.isoformat(), str(a.user), a.citizen.full_name, a.citizen.cpr_masked,
                 a.endpoint_label, a.purpose]
                for a in rows
            ),
        )  # fmt: skip
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        name = f"opslagslog-{employee.username}-{start:%Y%m%d}-{end:%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def paginate(queryset, request, size: int):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _today():
    return timezone.localdate()


class ReferralView(StaffRequiredMixin, View):
    """Intake: a concern referral or self-referral taken by phone or letter becomes a risk event,
    and the citizen is put on this year's due list at once when that makes them eligible."""

    permission_required = "fhb.add_riskevents"

    def get(self, request, pk, form=None):
        citizen = get_object_or_404(selectors.citizens_visible_to(request.user), pk=pk)
        if request.method == "GET":
            services.citizen_access_log(
                user=request.user, citizens=citizen, endpoint="citizen-referral", purpose="Henvendelse"
            )
        return render(request, "fhb/referral_form.html", {"citizen": citizen, "form": form or ReferralForm()})

    def post(self, request, pk):
        citizen = get_object_or_404(selectors.citizens_visible_to(request.user), pk=pk)
        form = ReferralForm(request.POST)
        if form.is_valid():
            try:
                _, refresh = referral_register(citizen=citizen, user=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, referral_outcome_text(refresh))
                return redirect("citizen-detail", pk=citizen.pk)
        return self.get(request, pk, form=form)


def page_not_found(request, exception):
    """404: the API answers in JSON, as its schema says, for any path under /api/ (also one no route
    matches); pages get the usual page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Findes ikke.")}, status=404)
    return defaults.page_not_found(request, exception)
