"""Try a year's target groups before adopting them (`/maalgrupper/proev/`): the draft standard as
JSON (interfaces.md § 6 a), started from next year's adopted standard, a copy of this year's, or
the former statutory groups; the workbench's figures beside the year before; and adopting it."""

from __future__ import annotations

import json

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from fhb.law import LOCAL_GROUPS_FROM
from fhb.law.aeldreloven import FORMER_GROUPS
from fhb.models import Municipality, QualityStandard
from fhb.permissions import StaffRequiredMixin
from fhb.registry.quality_standard import quality_standard_import, quality_standard_read
from fhb.registry.tables import ImportFileError

from .workbench import trial

MAX_DRAFT_CHARS = 200_000


def draft_start(municipality: Municipality, year: int, start: str) -> dict:
    """The document a draft starts from: `former` (the former statutory groups as local groups),
    `copy` (this year's standard for next year), else the year's adopted standard, else `former`."""
    adopted = QualityStandard.objects.filter(municipality=municipality, year=year).first()
    earlier = QualityStandard.objects.filter(municipality=municipality, year=year - 1).first()
    if start == "copy" and earlier is not None:
        return {**earlier.document, "year": year}
    if start != "former" and adopted is not None:
        return adopted.document
    base = {k: v for k, v in (earlier.document if earlier else {}).items() if k != "invitations"}
    return {**base, "municipality_code": municipality.code, "year": year, "target_groups": FORMER_GROUPS}


class TrialView(StaffRequiredMixin, View):
    permission_required = "invitations.plan_batches"

    def year(self, request) -> int:
        asked = request.GET.get("aar") or request.POST.get("aar") or ""
        this = timezone.localdate().year
        return (
            int(asked)
            if asked.isdigit() and LOCAL_GROUPS_FROM <= int(asked) <= this + 1
            else max(this + 1, LOCAL_GROUPS_FROM)
        )

    def get(self, request):
        year = self.year(request)
        document = draft_start(request.user.municipality, year, request.GET.get("start", ""))
        return self.page(request, year, json.dumps(document, ensure_ascii=False, indent=2))

    def post(self, request):
        year = self.year(request)
        text = request.POST.get("document", "")[:MAX_DRAFT_CHARS]
        municipality = request.user.municipality
        try:
            draft = quality_standard_read(data=text, municipality=municipality)
        except ImportFileError as exc:
            return self.page(request, year, text, errors=str(exc).splitlines())
        if draft.year != year:
            return self.page(
                request, year, text, errors=[_("Standarden er for %(y)s; vælg året øverst.") % {"y": draft.year}]
            )
        if request.POST.get("action") == "adopt":
            if not request.user.has_perm("fhb.adopt_standard"):
                return self.page(request, year, text, errors=[_("Kun teamledere og kommunens administrator vedtager.")])
            quality_standard_import(data=text, municipality=municipality, user=request.user)
            messages.success(request, _("Målgrupperne for %(y)s er vedtaget.") % {"y": year})
            return redirect(reverse("due-list") + f"?year={year}")
        return self.page(request, year, text, result=trial(municipality, year=year, policy=draft.policy()))

    def page(self, request, year: int, text: str, *, errors=None, result=None):
        this = timezone.localdate().year
        years = [y for y in (this, this + 1) if y >= LOCAL_GROUPS_FROM]
        return render(
            request,
            "invitations/trial.html",
            {
                "year": year,
                "years": years,
                "document": text,
                "errors": errors or [],
                "result": result,
                "can_adopt": request.user.has_perm("fhb.adopt_standard"),
            },
            status=400 if errors else 200,
        )
