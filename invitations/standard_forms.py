"""The year's quality standard as a form a team leader fills in without JSON (Ældreloven § 4, from
2026): the municipality's target groups in priority order (add, edit, remove, move up and down),
the risk groups, the window, the § 83-style exclusion as the municipality's choice, and the letter
kind per group. The forms build the same document as the JSON import (interfaces.md § 6 a), which
`quality_standard_read` validates: one set of rules for both ways in."""

from __future__ import annotations

import json

from django import forms
from django.db.models import Q
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from fhb.forms import DkfdsForm, style_widgets
from fhb.law.serviceloven_79a import BUILTIN_RISK_GROUPS
from fhb.models import InvitationKind, Municipality, RiskGroup

YES_NO_ANY = [("", _("Ingen betydning")), ("yes", _("Ja")), ("no", _("Nej"))]
AGE_KINDS = [("turns", _("Fylder en bestemt alder i året")), ("range", _("Alder i året fra og/eller til"))]
PREFIX = "groups"


def risk_group_choices(municipality: Municipality, document: dict) -> list[tuple[str, str]]:
    """The built-in risk groups, the municipality's own, and any the document defines."""
    groups = RiskGroup.objects.filter(Q(municipality__isnull=True) | Q(municipality=municipality)).order_by(
        "municipality", "label"
    )
    choices = {g.code: str(BUILTIN_RISK_GROUPS.get(g.code, g.label)) if g.municipality_id is None else g.label
               for g in groups}  # fmt: skip
    for group in document.get("risk_groups") or []:  # a group the document defines (with its label)
        if isinstance(group, dict) and group.get("code") and group["code"] not in choices:
            choices[group["code"]] = group.get("label") or group["code"]
    return list(choices.items())


class StandardForm(DkfdsForm):
    """What applies to every group: the exclusion, the risk groups and their window."""

    exempt = forms.BooleanField(
        label=_("Lad borgere, der modtager både personlig pleje og praktisk hjælp (§ 83), være ude (kommunens valg)"),
        required=False,
    )
    risk_window_months = forms.IntegerField(
        label=_("Risikovindue (måneder)"),
        min_value=1,
        max_value=60,
        help_text=_("Hvor langt tilbage en risikohændelse tæller, når en målgruppe ikke siger andet."),
    )
    risk_groups = forms.MultipleChoiceField(
        label=_("Aktive risikogrupper"), widget=forms.CheckboxSelectMultiple, required=False
    )
    base = forms.CharField(widget=forms.HiddenInput, required=False)  # the rest of the document, kept as it was

    def __init__(self, *args, risk_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_groups"].choices = risk_choices
        style_widgets(self)

    @classmethod
    def initial_from(cls, document: dict, builtin: list[str]) -> dict:
        rest = {k: v for k, v in document.items() if k not in ("target_groups",)}
        risk = document.get("risk_groups")
        return {
            "exempt": bool(document.get("exempt_personal_care_and_practical_help")),
            "risk_window_months": document.get("risk_window_months", 12),
            "risk_groups": [g.get("code") for g in risk] if isinstance(risk, list) else builtin,
            "base": json.dumps(rest, ensure_ascii=False),
        }


class TargetGroupForm(DkfdsForm):
    """One target group, exactly the keys of interfaces.md § 6 a."""

    label = forms.CharField(label=_("Navn"), max_length=200, help_text=_("Det navn, brugerne og brevene ser."))
    code = forms.RegexField(
        label=_("Kode"),
        regex=r"^[a-z][a-z0-9_]{0,39}$",
        max_length=40,
        help_text=_("Små bogstaver, tal og _ (fx mistet_aegtefaelle): gruppens kode i statistikken."),
        error_messages={"invalid": _("Kun små bogstaver a–z, tal og _, og først et bogstav (højst 40 tegn).")},
    )
    age_kind = forms.ChoiceField(label=_("Alder"), choices=AGE_KINDS, initial="range", widget=forms.RadioSelect)
    turns = forms.IntegerField(label=_("Fylder"), min_value=0, max_value=120, required=False)
    age_from = forms.IntegerField(label=_("Fra alder"), min_value=0, max_value=120, required=False)
    age_to = forms.IntegerField(label=_("Til og med alder"), min_value=0, max_value=120, required=False)
    living_alone = forms.ChoiceField(label=_("Bor alene"), choices=YES_NO_ANY, required=False)
    receives_help = forms.ChoiceField(label=_("Modtager hjemmehjælp"), choices=YES_NO_ANY, required=False)
    risk_groups = forms.MultipleChoiceField(
        label=_("Har en risikohændelse i en af disse grupper"), widget=forms.CheckboxSelectMultiple, required=False
    )
    window_months = forms.IntegerField(
        label=_("Risikovindue for gruppen (måneder)"),
        min_value=1,
        max_value=60,
        required=False,
        help_text=_("Tomt: standardens risikovindue."),
    )
    not_visited_years = forms.IntegerField(
        label=_("Ikke besøgt i antal år"),
        min_value=1,
        max_value=20,
        required=False,
        help_text=_("Tomt: uden betydning."),
    )
    visits_per_year = forms.IntegerField(label=_("Besøg om året"), min_value=1, max_value=12, initial=1)
    invitation = forms.ChoiceField(
        label=_("Invitation"), choices=InvitationKind.choices, initial=InvitationKind.DATE_LETTER
    )

    def __init__(self, *args, risk_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_groups"].choices = list(risk_choices)
        style_widgets(self)

    def clean(self):
        data = super().clean()
        if data.get("age_kind") == "turns":
            if data.get("turns") is None:
                self.add_error("turns", _("Skriv den alder, borgerne fylder i året."))
        elif data.get("age_kind") == "range" and data.get("age_from") is None and data.get("age_to") is None:
            self.add_error("age_from", _("Skriv en fra-alder, en til-alder eller begge."))
        if data.get("window_months") and not data.get("risk_groups"):
            self.add_error("window_months", _("Et risikovindue kræver mindst én risikogruppe."))
        return data

    def as_json(self) -> dict:
        """The group as the standard's document writes it (defaults left out)."""
        d = self.cleaned_data
        age = (
            {"turns": d["turns"]}
            if d["age_kind"] == "turns"
            else {k: d[f] for k, f in (("from", "age_from"), ("to", "age_to")) if d[f] is not None}
        )
        group: dict = {"code": d["code"], "label": d["label"].strip(), "age": age}
        for key in ("living_alone", "receives_help"):
            if d[key]:
                group[key] = d[key] == "yes"
        if d["risk_groups"]:
            group["risk_groups"] = list(d["risk_groups"])
        for key in ("window_months", "not_visited_years"):
            if d[key] is not None:
                group[key] = d[key]
        if d["visits_per_year"] != 1:
            group["visits_per_year"] = d["visits_per_year"]
        if d["invitation"] != InvitationKind.DATE_LETTER:
            group["invitation"] = d["invitation"]
        return group

    @staticmethod
    def initial_from(group: dict, invitations: dict | None = None) -> dict:
        """The form's values for a group of the document (and the former `invitations` map, when
        the group came from a statutory code)."""
        age = group.get("age") or {}

        def yes_no(value) -> str:
            return "" if value is None else ("yes" if value else "no")

        return {
            "label": group.get("label", ""),
            "code": group.get("code", ""),
            "age_kind": "turns" if "turns" in age else "range",
            "turns": age.get("turns"),
            "age_from": age.get("from"),
            "age_to": age.get("to"),
            "living_alone": yes_no(group.get("living_alone")),
            "receives_help": yes_no(group.get("receives_help")),
            "risk_groups": group.get("risk_groups") or [],
            "window_months": group.get("window_months"),
            "not_visited_years": group.get("not_visited_years"),
            "visits_per_year": group.get("visits_per_year", 1),
            "invitation": group.get("invitation")
            or (invitations or {}).get(group.get("code", ""))
            or InvitationKind.DATE_LETTER,
        }


class BaseTargetGroupFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = _("Prioritet")
        form.fields["ORDER"].widget.attrs["min"] = 1
        form.fields["DELETE"].label = _("Fjern målgruppen")
        style_widgets(form)

    def clean(self):
        if any(self.errors):
            return
        codes = [f.cleaned_data["code"] for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise forms.ValidationError(
                _("Koden %(codes)s er brugt af flere målgrupper; hver målgruppe skal have sin egen kode.")
                % {"codes": ", ".join(duplicates)}
            )

    def groups_in_order(self) -> list[dict]:
        return [form.as_json() for form in self.ordered_forms]


TargetGroupFormSet = formset_factory(
    TargetGroupForm, formset=BaseTargetGroupFormSet, extra=0, can_order=True, can_delete=True, max_num=50
)


def document_from_forms(
    standard: StandardForm, groups: BaseTargetGroupFormSet, *, year: int, municipality: Municipality
) -> dict:
    """The standard's document from the editor (both forms valid): what the JSON import would read."""
    try:
        base = json.loads(standard.cleaned_data["base"] or "{}")
    except json.JSONDecodeError:
        base = {}
    base = base if isinstance(base, dict) else {}
    own = RiskGroup.objects.filter(municipality=municipality)
    labels = dict(own.values_list("code", "label"))
    labels.update(
        {g["code"]: g.get("label") for g in base.get("risk_groups") or [] if isinstance(g, dict) and g.get("label")}
    )
    builtin = set(RiskGroup.objects.filter(municipality=None).values_list("code", flat=True))
    in_groups = [code for group in groups.groups_in_order() for code in group.get("risk_groups", [])]
    chosen = list(dict.fromkeys([*standard.cleaned_data["risk_groups"], *in_groups]))
    document = {
        **base,
        "municipality_code": municipality.code,
        "year": year,
        "exempt_personal_care_and_practical_help": standard.cleaned_data["exempt"],
        "risk_window_months": standard.cleaned_data["risk_window_months"],
        "risk_groups": [
            {"code": c} if c in builtin or not labels.get(c) else {"code": c, "label": labels[c]} for c in chosen
        ],
        "target_groups": groups.groups_in_order(),
    }
    document.pop("invitations", None)  # from 2026 each group names its own letter kind
    return document


def moved(data, prefix: str, index: int, step: int):
    """The posted formset with group `index` moved `step` places (−1 up, +1 down) in priority."""
    data = data.copy()
    total = int(data.get(f"{prefix}-TOTAL_FORMS") or 0)

    def order(i: int) -> float:
        try:
            return float(data.get(f"{prefix}-{i}-ORDER") or "inf")
        except ValueError:
            return float("inf")

    ranking = sorted(range(total), key=lambda i: (order(i), i))
    if index in ranking:
        at = ranking.index(index)
        to = min(max(at + step, 0), len(ranking) - 1)
        ranking[at], ranking[to] = ranking[to], ranking[at]
    for position, i in enumerate(ranking, start=1):
        if data.get(f"{prefix}-{i}-code") or data.get(f"{prefix}-{i}-label"):  # an added, empty group stays empty
            data[f"{prefix}-{i}-ORDER"] = str(position)
    return data


def added(data, prefix: str):
    """The posted formset with one more, empty group at the end."""
    data = data.copy()
    total = int(data.get(f"{prefix}-TOTAL_FORMS") or 0)
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    for name, field in TargetGroupForm.base_fields.items():  # the new group shows the fields' defaults
        if field.initial is not None:
            data[f"{prefix}-{total}-{name}"] = str(field.initial)
    return data
