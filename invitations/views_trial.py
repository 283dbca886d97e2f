"""Try a year's target groups before adopting them (`/maalgrupper/proev/`): the draft standard in
a form (`standard_forms.py`) or as JSON (interfaces.md § 6 a), started from the year's adopted
standard, a copy of last year's, or the former statutory groups; the workbench's figures beside
the year before; adopting it; and the year's earlier versions."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views import View

from fhb.law import LOCAL_GROUPS_FROM
from fhb.law.aeldreloven import FORMER_GROUPS
from fhb.models import RiskGroup
from fhb.permissions import StaffRequiredMixin
from fhb.registry.quality_standard import quality_standard_read
from fhb.registry.tables import ImportFileError

from .selectors import drafts_visible_to, standard_versions_visible_to, standards_visible_to
from .services import target_group_draft_adopt, target_group_draft_save
from .standard_forms import (
    PREFIX,
    StandardForm,
    TargetGroupForm,
    TargetGroupFormSet,
    added,
    document_from_forms,
    moved,
    risk_group_choices,
)
from .workbench import trial

MAX_DRAFT_CHARS = 200_000


def draft_start(user, year: int, start: str) -> dict:
    """The document a draft starts from: `former` (the former statutory groups as local groups),
    `copy` (last year's standard), `adopted` (the year's adopted standard); else the year's saved
    draft, else its adopted standard, else `former`."""
    adopted = standards_visible_to(user).filter(year=year).first()
    earlier = standards_visible_to(user).filter(year=year - 1).first()
    saved = drafts_visible_to(user).filter(year=year).first()
    if start == "copy" and earlier is not None:
        return {**earlier.document, "year": year}
    if start == "" and saved is not None:
        return saved.document
    if start != "former" and adopted is not None:
        return adopted.document
    base = {k: v for k, v in (earlier.document if earlier else {}).items() if k != "invitations"}
    return {**base, "municipality_code": user.municipality.code, "year": year, "target_groups": FORMER_GROUPS}


class TrialView(StaffRequiredMixin, View):
    """The editor (forms, or the document as JSON), the trial's figures, adopting, and the year's
    adopted versions (who and when; each can be opened again)."""

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
        municipality = request.user.municipality
        version = None
        if request.GET.get("version", "").isdigit():
            version = get_object_or_404(
                standard_versions_visible_to(request.user).select_related("history_user"),
                history_id=int(request.GET["version"]),
                year=year,
            )
            document = version.document
        else:
            document = draft_start(request.user, year, request.GET.get("start", ""))
        if request.GET.get("format") == "json":
            response = HttpResponse(
                json.dumps(document, ensure_ascii=False, indent=2) + "\n", content_type="application/json"
            )
            response["Content-Disposition"] = (
                f'attachment; filename="kvalitetsstandard_{municipality.code}_{year}.json"'
            )
            return response
        return self.page(request, year, document=document, version=version)

    def post(self, request):
        year = self.year(request)
        municipality = request.user.municipality
        action = request.POST.get("action", "try")
        if action == "json":  # the document pasted as JSON: read it into the editor
            text = request.POST.get("document", "")[:MAX_DRAFT_CHARS]
            try:
                draft = quality_standard_read(data=text, municipality=municipality)
            except ImportFileError as exc:
                return self.page(request, year, text=text, errors=str(exc).splitlines())
            return self.page(request, year, document=draft.document)
        if action == "add":
            return self.page(request, year, data=added(request.POST, PREFIX))
        if action.startswith(("up:", "down:")) and action.split(":")[1].isdigit():
            direction, index = action.split(":")
            return self.page(
                request, year, data=moved(request.POST, PREFIX, int(index), -1 if direction == "up" else 1)
            )

        standard, groups = self.editor(request, year, data=request.POST)
        if not (standard.is_valid() and groups.is_valid()):
            return self.page(request, year, data=request.POST, status=400)
        document = document_from_forms(standard, groups, year=year, municipality=municipality)
        text = json.dumps(document, ensure_ascii=False, indent=2)
        try:
            draft = quality_standard_read(data=text, municipality=municipality)
        except ImportFileError as exc:
            return self.page(request, year, data=request.POST, errors=str(exc).splitlines())
        if action == "adopt":
            if not request.user.has_perm("fhb.adopt_standard"):
                return self.page(
                    request, year, data=request.POST, errors=[_("Kun teamledere og kommunens administrator vedtager.")]
                )
            synced = target_group_draft_adopt(municipality=municipality, text=text, year=year, user=request.user)
            messages.success(
                request,
                _(
                    "Målgrupperne for %(y)s er vedtaget: %(n)s borgere er i årets målgrupper, %(new)s nye tilbud, "
                    "%(gone)s tilbud til borgere uden for de nye målgrupper er trukket tilbage."
                )
                % {"y": year, "n": number_format(synced.run.eligible, force_grouping=True),
                   "new": number_format(synced.run.created, force_grouping=True),
                   "gone": number_format(synced.withdrawn, force_grouping=True)},
            )  # fmt: skip
            return redirect(reverse("target-group-trial") + f"?aar={year}")
        if action == "save":
            target_group_draft_save(municipality=municipality, year=year, document=document, user=request.user)
            messages.success(
                request, _("Udkastet for %(y)s er gemt. Det gælder først, når det er vedtaget.") % {"y": year}
            )
            return redirect(reverse("target-group-trial") + f"?aar={year}")
        result = trial(municipality, year=year, policy=draft.policy())
        return self.page(request, year, data=request.POST, text=text, result=result)

    def editor(self, request, year: int, *, document: dict | None = None, data=None):
        municipality = request.user.municipality
        base = document or {}
        if data is not None:
            try:
                base = json.loads(data.get("base") or "{}")
            except json.JSONDecodeError:
                base = {}
            base = base if isinstance(base, dict) else {}
        choices = risk_group_choices(municipality, base)
        if data is not None:
            return (
                StandardForm(data, risk_choices=choices),
                TargetGroupFormSet(data, prefix=PREFIX, form_kwargs={"risk_choices": choices}),
            )
        builtin = list(RiskGroup.objects.filter(municipality=None).values_list("code", flat=True))
        invitations = base.get("invitations") or {}
        return (
            StandardForm(initial=StandardForm.initial_from(base, builtin), risk_choices=choices),
            TargetGroupFormSet(
                prefix=PREFIX,
                initial=[
                    {**TargetGroupForm.initial_from(g, invitations), "ORDER": i}
                    for i, g in enumerate(base.get("target_groups") or [], start=1)
                ],
                form_kwargs={"risk_choices": choices},
            ),
        )

    def page(self, request, year: int, *, document=None, data=None, text=None, errors=None, result=None, version=None,
             status=None):  # fmt: skip
        this = timezone.localdate().year
        years = [y for y in (this, this + 1) if y >= LOCAL_GROUPS_FROM]
        standard, groups = self.editor(request, year, document=document, data=data)
        if text is None:
            text = json.dumps(document, ensure_ascii=False, indent=2) if document is not None else ""
        versions = standard_versions_visible_to(request.user).filter(year=year).select_related("history_user")[:20]

        def priority(form) -> tuple[float, int]:
            index = int(form.prefix.rsplit("-", 1)[1])
            value = form["ORDER"].value()
            try:
                return float(value), index
            except (TypeError, ValueError):
                return float("inf"), index

        return render(
            request,
            "invitations/trial.html",
            {
                "group_forms": [
                    (form, int(form.prefix.rsplit("-", 1)[1])) for form in sorted(groups.forms, key=priority)
                ],
                "year": year,
                "years": years,
                "document": text,
                "standard_form": standard,
                "groups": groups,
                "errors": errors or [],
                "result": result,
                "version": version,
                "versions": versions,
                "saved_draft": drafts_visible_to(request.user).filter(year=year).select_related("updated_by").first(),
                "adopted": standards_visible_to(request.user).filter(year=year).select_related("adopted_by").first(),
                "can_adopt": request.user.has_perm("fhb.adopt_standard"),
            },
            status=status or (400 if errors else 200),
        )
