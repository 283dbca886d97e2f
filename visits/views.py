"""Recording a visit: one form for new and existing visits, drafts, and optimistic locking."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from fhb import selectors, services
from fhb.errors import DomainError
from fhb.permissions import StaffRequiredMixin

from .forms import VisitForm
from .models import Visit, VisitSource
from .services import visit_record, visit_update


def visits_visible_to(user):
    if not getattr(user, "is_municipality_staff", False):
        return Visit.objects.none()
    return Visit.objects.filter(municipality_id=user.municipality_id).select_related("citizen")


class VisitCreateView(StaffRequiredMixin, View):
    permission_required = "visits.add_visit"

    def get(self, request, pk, form=None):
        citizen = get_object_or_404(selectors.citizens_visible_to(request.user), pk=pk)
        return render(request, "visits/visit_form.html", {"citizen": citizen, "form": form or VisitForm()})

    def post(self, request, pk):
        citizen = get_object_or_404(selectors.citizens_visible_to(request.user), pk=pk)
        form = VisitForm(request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                visit = visit_record(
                    citizen=citizen, user=request.user, is_draft=request.POST.get("action") == "draft", **data
                )
            except DomainError as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(request, _("Kladden er gemt.") if visit.is_draft else _("Besøget er registreret."))
                return redirect("citizen-detail", pk=citizen.pk)
        return self.get(request, pk, form=form)


class VisitEditView(StaffRequiredMixin, View):
    permission_required = "visits.add_visit"

    def get_visit(self, request, pk) -> Visit:
        return get_object_or_404(visits_visible_to(request.user).filter(source=VisitSource.RECORDED), pk=pk)

    def get(self, request, pk, form=None):
        visit = self.get_visit(request, pk)
        services.citizen_access_log(user=request.user, citizens=visit.citizen, endpoint="visit-edit", purpose="Besøg")
        if form is None:
            initial = {name: getattr(visit, name) for name in VisitForm.base_fields if name != "version"}
            form = VisitForm(initial={**initial, "version": visit.version})
        return render(request, "visits/visit_form.html", {"citizen": visit.citizen, "form": form, "visit": visit})

    def post(self, request, pk):
        visit = self.get_visit(request, pk)
        form = VisitForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version") or 0
            try:
                visit = visit_update(
                    visit=visit,
                    user=request.user,
                    version=version,
                    is_draft=request.POST.get("action") == "draft",
                    **data,
                )
            except DomainError as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(request, _("Kladden er gemt.") if visit.is_draft else _("Besøget er gemt."))
                return redirect("citizen-detail", pk=visit.citizen_id)
        return self.get(request, pk, form=form)
