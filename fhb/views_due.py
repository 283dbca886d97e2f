"""The due list: a year's target groups with counts per group and status, filters, the backlog by
month of birthday, exports, and (for team leaders) recomputing the year."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from . import due, services
from .errors import DomainError
from .forms import OfferStatusForm
from .law import FIRST_YEAR
from .models import EligibilityRun, QualityStandard
from .offers import offer_sync_state, offer_transition, offers_sync
from .permissions import StaffRequiredMixin
from .selectors import target_group_labels

MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def selected_year(request) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    return min(max(year, FIRST_YEAR), this_year + 1)


class DueListView(StaffRequiredMixin, View):
    permission_required = "fhb.view_offers"

    def get(self, request):
        year = selected_year(request)
        municipality = request.user.municipality
        run = EligibilityRun.objects.filter(municipality=municipality, year=year).first()
        if run is None:
            # First look at this year: compute it now (a municipality takes a second or two).
            run = offers_sync(municipality=municipality, year=year, user=request.user).run
        year_offers = due.offers_visible_to(request.user).filter(year=year)
        filterset = due.OfferFilter(request.GET, queryset=year_offers, request=request)
        offers = filterset.qs if filterset.is_valid() else year_offers
        if request.GET.get("export") in ("csv", "xlsx") and request.user.has_perm("fhb.export_offers"):
            return self.export(request, offers, year, request.GET["export"])
        page = Paginator(offers.select_related("citizen", "consultant").order_by("birth_date", "id"), 25).get_page(
            request.GET.get("page")
        )
        backlog = due.backlog_by_birth_month(offers)
        params = request.GET.copy()
        params.pop("page", None)
        context = {
            "year": year,
            "years": list(range(timezone.localdate().year + 1, FIRST_YEAR - 1, -1)),
            "run": run,
            "sync": offer_sync_state(municipality, year),
            "standard_missing": not QualityStandard.objects.filter(municipality=municipality, year=year).exists(),
            "filterset": filterset,
            "summary": due.offers_summary(offers, labels=target_group_labels(request.user.municipality_id)),
            "backlog": list(zip(MONTHS, backlog, strict=True)),
            "backlog_max": max(backlog) or 1,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "querystring": params.urlencode(),
            "can_sync": request.user.has_perm("fhb.sync_offers"),
            "today": timezone.localdate(),
        }
        return render(request, "fhb/due_list.html", context)

    def export(self, request, offers, year: int, kind: str):
        citizens = [o.citizen for o in offers.select_related("citizen").only("citizen")]
        services.citizen_access_log(
            user=request.user, citizens=citizens, endpoint="due-list-export", purpose=f"Eksport af målgrupper {year}"
        )
        labels = target_group_labels(request.user.municipality_id)
        if kind == "csv":
            response = HttpResponse(due.export_csv(offers, labels), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                due.export_xlsx(offers, labels),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="maalgrupper-{year}.{kind}"'
        return response


class DueListSyncView(StaffRequiredMixin, View):
    permission_required = "fhb.sync_offers"

    def post(self, request):
        year = selected_year(request)
        result = offers_sync(municipality=request.user.municipality, year=year, user=request.user)
        run = result.run
        messages.success(
            request,
            _("Målgrupperne for %(year)s er beregnet: %(eligible)s borgere, %(created)s nye, %(lapsed)s bortfaldet.")
            % {"year": year, "eligible": run.eligible, "created": run.created, "lapsed": run.lapsed},
        )
        return redirect(f"{reverse('due-list')}?year={year}")


class OfferStatusView(StaffRequiredMixin, View):
    """Change an offer's status by hand (e.g. the citizen called to decline), with a note."""

    permission_required = "fhb.view_offers"

    def post(self, request, pk):
        offer = get_object_or_404(due.offers_visible_to(request.user), pk=pk)
        form = OfferStatusForm(request.POST)
        if form.is_valid():
            try:
                offer_transition(offer=offer, user=request.user, **form.cleaned_data)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Tilbuddet er opdateret."))
        else:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(reverse("citizen-detail", args=[offer.citizen_id]) + "#tilbud")
