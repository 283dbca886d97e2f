"""Web pages: the year's statistics (month by month, approvals, deliveries), a delivery with its
progress, files and changes, the approval report, and the team leaders' dashboard."""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from fhb.errors import DomainError
from fhb.jobs import job_restart
from fhb.law import FIRST_YEAR
from fhb.pdf import html_to_pdf
from fhb.permissions import StaffRequiredMixin

from . import services
from .approval import approval_context, reason_labels
from .dashboards import dashboard
from .models import Delivery
from .selectors import deliveries_visible_to
from .targeting import council_rows, targeting, targeting_csv

log = logging.getLogger(__name__)


def _year(request) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("aar") or request.POST.get("aar") or 0)
    except ValueError:
        year = 0
    return year if FIRST_YEAR <= year <= this_year + 1 else this_year


def _years() -> list[int]:
    this_year = timezone.localdate().year
    return list(range(this_year, this_year - 6, -1))


class StatisticsView(StaffRequiredMixin, View):
    permission_required = "reports.view_statistics"

    def get(self, request):
        year = _year(request)
        overview = services.month_overview(request.user.municipality, year)
        deliveries = deliveries_visible_to(request.user).filter(year=year).select_related("requested_by")
        return render(
            request,
            "reports/statistics.html",
            {
                "year": year,
                "years": _years(),
                "overview": overview,
                "summary": overview["summary"],
                "deliveries": deliveries,
                "can_deliver": request.user.has_perm("reports.deliver"),
            },
        )


class DeliveryCreateView(StaffRequiredMixin, View):
    permission_required = "reports.deliver"

    def post(self, request):
        year = _year(request)
        try:
            delivery = services.delivery_create(
                municipality=request.user.municipality, year=year, user=request.user, source=Delivery.Source.WEB
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(f"{reverse('statistics')}?aar={year}")
        return redirect("delivery-detail", pk=delivery.pk)


class MonthApproveView(StaffRequiredMixin, View):
    """Approve a finished month: GET shows what approving does (the figures it locks in), only a
    POST carrying the confirmation approves. POST with `fortryd` undoes an approval while no
    delivery of the year has counted it."""

    permission_required = "reports.deliver"

    def get(self, request, year: int, month: int):
        if not 1 <= month <= 12 or not FIRST_YEAR <= year <= timezone.localdate().year:
            raise Http404
        return render(
            request,
            "reports/month_confirm.html",
            {
                "year": year,
                "month": month,
                "when": dt.date(year, month, 1),
                "consequence": services.month_consequence(request.user.municipality, year, month),
            },
        )

    def post(self, request, year: int, month: int):
        municipality = request.user.municipality
        try:
            if request.POST.get("fortryd") == "1":
                services.month_unapprove(municipality=municipality, year=year, month=month, user=request.user)
                messages.success(request, _("Godkendelsen er fortrudt. Måneden kan godkendes igen."))
            elif request.POST.get("bekraeft") != "1":
                return redirect("month-approve", year=year, month=month)
            else:
                services.month_approve(municipality=municipality, year=year, month=month, user=request.user)
                messages.success(request, _("Måneden er godkendt."))
        except services.DeliveryError as exc:
            messages.error(request, str(exc))
        return redirect(f"{reverse('statistics')}?aar={year}")


class DeliveryDetailView(StaffRequiredMixin, View):
    permission_required = "reports.view_statistics"

    def get(self, request, pk):
        delivery = get_object_or_404(
            deliveries_visible_to(request.user).select_related("requested_by", "previous"), pk=pk
        )
        context = {"delivery": delivery, "reason_labels": reason_labels()}
        if delivery.status == Delivery.Status.DONE:
            # Records of other years are counted, not listed: the ones to act on are the year's own.
            context["excluded_preview"] = delivery.summary["excluded_in_year"]
            context["excluded_total"] = delivery.summary["excluded_in_year_count"]
            context["excluded_by_reason"] = delivery.summary["excluded_by_reason"]
            context["criteria"] = approval_context(delivery.summary)["criteria"]
        template = "reports/_delivery_status.html" if request.htmx else "reports/delivery_detail.html"
        return render(request, template, context)


class DeliveryRestartView(StaffRequiredMixin, View):
    """Start a stalled or failed delivery again now; who and when are kept."""

    permission_required = "reports.deliver"

    def post(self, request, pk):
        delivery = get_object_or_404(deliveries_visible_to(request.user), pk=pk)
        if (delivery.is_stalled or delivery.status == Delivery.Status.FAILED) and job_restart(
            delivery, user=request.user
        ):
            messages.success(request, _("Indberetningen dannes igen."))
        else:
            messages.info(request, _("Indberetningen dannes eller er færdig; den er ikke startet igen."))
        return redirect("delivery-detail", pk=delivery.pk)


class DeliveryFileView(StaffRequiredMixin, View):
    permission_required = "reports.view_statistics"

    def get(self, request, pk, kind):
        delivery = get_object_or_404(deliveries_visible_to(request.user), pk=pk)
        if kind == "csv" and not request.user.has_perm("reports.deliver"):
            raise Http404  # the record-level file holds every visited citizen's CPR: the reporting user only
        try:
            content, name, content_type = services.delivery_file(
                delivery, kind, user=request.user, endpoint=request.path
            )
        except services.DeliveryError:
            raise Http404 from None
        log.info("DST delivery %s: %s downloaded by user %s", delivery.pk, kind, request.user.pk)
        response = HttpResponse(content, content_type=content_type)
        disposition = "inline" if kind == "pdf" else "attachment"
        response["Content-Disposition"] = f'{disposition}; filename="{name}"'
        return response


class ApprovalReportView(StaffRequiredMixin, View):
    permission_required = "reports.view_statistics"

    def get(self, request, pk):
        delivery = get_object_or_404(deliveries_visible_to(request.user), pk=pk, status=Delivery.Status.DONE)
        return render(
            request, "reports/approval_report.html", {"delivery": delivery, **approval_context(delivery.summary)}
        )


class DashboardView(StaffRequiredMixin, View):
    permission_required = "reports.view_statistics"

    def get(self, request):
        year = _year(request)
        context = dashboard(request.user.municipality, year)
        context["years"] = _years()
        return render(request, "reports/dashboard.html", context)


class CouncilReportView(StaffRequiredMixin, View):
    """The year in a PDF for the municipal council: the dashboard's figures and the approval
    report's suppressed tables (it is a public document)."""

    permission_required = "reports.view_statistics"

    def get(self, request):

        year = _year(request)
        municipality = request.user.municipality
        context = dashboard(municipality, year)
        report = targeting(municipality, year, timezone.localdate())
        context.update(
            {
                "approval": approval_context(context["summary"]),
                "municipality": municipality,
                "targeting": report,
                "targeting_rows": council_rows(report),
            }
        )
        html = render_to_string("reports/council_pdf.html", context, request=request)
        pdf = html_to_pdf(html)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="aarsrapport_{municipality.code}_{year}.pdf"'
        return response


class TargetingView(StaffRequiredMixin, View):
    """How the targeting works: per target group, this year beside the year before — invited,
    visited, declined, uptake by letter kind, follow-ups and referrals, home help within 12 months.
    `?format=csv` gives the same table for a spreadsheet."""

    permission_required = "reports.view_statistics"

    def get(self, request):
        year = _year(request)
        municipality = request.user.municipality
        report = targeting(municipality, year, timezone.localdate())
        if request.GET.get("format") == "csv":
            response = HttpResponse(targeting_csv(report), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="maalretning_{municipality.code}_{year}.csv"'
            return response
        return render(request, "reports/targeting.html", {**report, "years": _years()})
