"""Import of the annual quality standard as JSON (interfaces.md § 6)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.db import transaction

from ..eligibility.policy import Policy
from ..law import BUILTIN_RISK_GROUPS, LOCAL_GROUPS_FROM, SEL_79A_STK_6, TARGET_GROUP_CODES, LocalGroup
from ..models import Exemption, InvitationKind, Municipality, QualityStandard, RiskGroup, User
from .tables import ImportFileError, decode

_CODE = re.compile(r"^[a-z][a-z0-9_]{1,49}$")
_GROUP_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Every key the document may have (interfaces.md §§ 6, 6 a): any other is refused, wherever it is.
TOP_KEYS = {
    "municipality_code",
    "year",
    "exempt_personal_care_and_practical_help",
    "risk_window_months",
    "risk_groups",
    "invitations",
    "deviations",
    "target_groups",
}
RISK_GROUP_KEYS = {"code", "label"}
DEVIATION_KEYS = {"code", "legal_basis"}
GROUP_KEYS = {
    "code",
    "label",
    "age",
    "living_alone",
    "receives_help",
    "risk_groups",
    "window_months",
    "not_visited_years",
    "visits_per_year",
    "invitation",
}
AGE_KEYS = {"turns", "from", "to"}
_KINDS = {k.value for k in InvitationKind}
# Local deviations from § 79 a that a municipality may record with their legal basis.
DEVIATIONS = {"exempt_practical_help": Exemption.PRACTICAL_HELP}
# From 2026 there is no statutory § 83 exemption: leaving out § 83 recipients is the municipality's choice.
EXEMPTION_LOCAL = "Ældreloven § 4: kommunens eget valg (ingen lovbestemt fritagelse)"
FIRST_YEAR = 2010  # § 79 a rules before 2010 are not modelled (see fhb.eligibility)


@dataclass
class QualityStandardResult:
    standard: QualityStandard
    created: bool

    @property
    def summary(self) -> str:
        verb = "created" if self.created else "replaced"
        return f"{verb} quality standard {self.standard.municipality.code} {self.standard.year}"


@dataclass
class StandardDraft:
    """A standard that has passed validation, not (yet) stored: what `eligibility
    --quality-standard` evaluates, and what the import stores."""

    municipality: Municipality
    year: int
    exemption: str
    exemption_legal_basis: str
    risk_window_months: int
    risk_groups: list[tuple[str, str | None]]  # (code, label for a local group)
    invitations: dict[str, str]
    target_groups: list[LocalGroup]
    document: dict

    def policy(self) -> Policy:
        """The eligibility policy the standard would give (nothing is stored)."""
        return Policy(
            exemption=self.exemption,
            risk_window_months=self.risk_window_months,
            active_risk_groups=frozenset(code for code, _label in self.risk_groups),
            invitations=tuple(sorted(self.invitations.items())),
            adopted=False,
            exemption_legal_basis=self.exemption_legal_basis,
            target_groups=tuple(self.target_groups),
        )


def quality_standard_import(
    *, data: bytes | str, municipality: Municipality | None = None, user: User | None = None
) -> QualityStandardResult:
    """Create or replace a municipality's standard for a year. Every problem in the document is
    reported at once (as `field: reason`); nothing is stored unless the whole document is valid."""
    draft = quality_standard_read(data=data, municipality=municipality)
    muni, year = draft.municipality, draft.year
    with transaction.atomic():
        groups = []
        for group_code, label in draft.risk_groups:
            if group_code in BUILTIN_RISK_GROUPS:
                groups.append(RiskGroup.objects.get(municipality__isnull=True, code=group_code))
            else:
                group, _ = RiskGroup.objects.update_or_create(
                    municipality=muni, code=group_code, defaults={"label": label, "is_active": True}
                )
                groups.append(group)
        # One version in the history per adoption: the new standard is saved once, whole.
        standard = QualityStandard.objects.select_for_update().filter(municipality=muni, year=year).first()
        created = standard is None
        standard = standard or QualityStandard(municipality=muni, year=year)
        standard.exemption = draft.exemption
        standard.exemption_legal_basis = draft.exemption_legal_basis
        standard.risk_window_months = draft.risk_window_months
        standard.invitations = dict(sorted(draft.invitations.items()))
        standard.target_groups = [g.as_json() for g in draft.target_groups]
        standard.document = draft.document
        standard.adopted_by = user
        # One version in the history per adoption, with its fields and risk groups: the writes
        # below record none (each m2m change would record its own), the last save records it.
        standard.skip_history_when_saving = True
        try:
            standard.save()
            standard.risk_groups.set(groups)
        finally:
            del standard.skip_history_when_saving
        standard._history_user = user
        standard.save()
    return QualityStandardResult(standard=standard, created=created)


def quality_standard_read(*, data: bytes | str, municipality: Municipality | None = None) -> StandardDraft:
    """Validate a standard without storing anything; ImportFileError lists every problem."""
    try:
        doc = json.loads(decode(data, kind="JSON"))
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"Filen er ikke gyldig JSON (linje {exc.lineno}, kolonne {exc.colno}: {exc.msg})."
        ) from None
    if not isinstance(doc, dict):
        raise ImportFileError("Filen skal indeholde ét JSON-objekt.")
    problems: list[str] = [f"{key}: ukendt nøgle" for key in doc if key not in TOP_KEYS]

    code = str(doc.get("municipality_code", "")).strip()
    muni = Municipality.objects.filter(code=code.zfill(3) if code.isdigit() else code).first()
    if muni is None:
        problems.append("municipality_code: ukendt eller manglende kommunekode")
    elif municipality is not None and muni.pk != municipality.pk:
        problems.append(f"municipality_code: standarden hører til {muni.name}, ikke {municipality.name}")
    year = doc.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= 2100:
        problems.append(f"year: skal være et årstal fra {FIRST_YEAR}")
    exempt = doc.get("exempt_personal_care_and_practical_help", False)
    if not isinstance(exempt, bool):
        problems.append("exempt_personal_care_and_practical_help: skal være true eller false")
    exemption = Exemption.PERSONAL_CARE_AND_PRACTICAL_HELP if exempt is True else Exemption.NONE
    legal_basis = (
        (SEL_79A_STK_6 if isinstance(year, int) and year < LOCAL_GROUPS_FROM else EXEMPTION_LOCAL)
        if exempt is True
        else ""
    )
    deviations = doc.get("deviations", [])
    if not isinstance(deviations, list):
        problems.append("deviations: skal være en liste")
        deviations = []
    for i, deviation in enumerate(deviations):
        if isinstance(deviation, dict):
            problems += [f"deviations[{i}].{key}: ukendt nøgle" for key in deviation if key not in DEVIATION_KEYS]
        code = deviation.get("code") if isinstance(deviation, dict) else None
        basis = deviation.get("legal_basis") if isinstance(deviation, dict) else None
        if code not in DEVIATIONS:
            problems.append(f"deviations[{i}].code: ukendt afvigelse; brug {', '.join(sorted(DEVIATIONS))}")
        elif not (isinstance(basis, str) and basis.strip()):
            problems.append(f"deviations[{i}].legal_basis: en lokal afvigelse kræver en hjemmel (fx en velfærdsaftale)")
        else:
            exemption, legal_basis = DEVIATIONS[code], basis.strip()
    window = doc.get("risk_window_months", 12)
    if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= 60:
        problems.append("risk_window_months: skal være et helt antal måneder mellem 1 og 60")

    risk_groups = doc.get("risk_groups")
    wanted: list[tuple[str, str | None]] = []
    if risk_groups is None:
        wanted = [(c, None) for c in BUILTIN_RISK_GROUPS]
    elif not isinstance(risk_groups, list):
        problems.append("risk_groups: skal være en liste")
    else:
        for i, item in enumerate(risk_groups):
            if not isinstance(item, dict) or not isinstance(item.get("code"), str):
                problems.append(f"risk_groups[{i}]: skal være et objekt med en code")
                continue
            problems += [f"risk_groups[{i}].{key}: ukendt nøgle" for key in item if key not in RISK_GROUP_KEYS]
            group_code, label = item["code"].strip(), item.get("label")
            if not _CODE.match(group_code):
                problems.append(f"risk_groups[{i}].code: kun små bogstaver, tal og _ ({group_code!r})")
            elif group_code not in BUILTIN_RISK_GROUPS and not (isinstance(label, str) and label.strip()):
                problems.append(f"risk_groups[{i}]: den lokale risikogruppe {group_code!r} kræver en label")
            elif group_code in [c for c, _ in wanted]:
                problems.append(f"risk_groups[{i}]: {group_code!r} står mere end én gang")
            else:
                wanted.append((group_code, label.strip() if isinstance(label, str) else None))

    invitations = doc.get("invitations", {})
    if not isinstance(invitations, dict):
        problems.append("invitations: skal være et objekt (målgruppe → invitationsform)")
        invitations = {}
    for group, kind in invitations.items():
        if group not in TARGET_GROUP_CODES:
            problems.append(f"invitations.{group}: ukendt målgruppe")
        if kind not in _KINDS:
            problems.append(f"invitations.{group}: ukendt invitationsform {kind!r}; brug {', '.join(sorted(_KINDS))}")
    known_risk_groups = set(BUILTIN_RISK_GROUPS) | {c for c, _ in wanted}
    target_groups = target_groups_read(doc, year=year, known_risk_groups=known_risk_groups, problems=problems)
    if problems:
        raise ImportFileError("Kvalitetsstandarden er ikke gyldig:\n" + "\n".join(f"- {p}" for p in problems))

    return StandardDraft(
        municipality=muni,
        year=year,
        exemption=exemption,
        exemption_legal_basis=legal_basis,
        risk_window_months=window,
        risk_groups=wanted,
        invitations=invitations,
        target_groups=target_groups,
        document=doc,
    )


def _int(value, *, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def target_groups_read(doc: dict, *, year, known_risk_groups: set[str], problems: list[str]) -> list[LocalGroup]:
    """The municipality's own target groups (interfaces.md § 6 a), or the problems that refuse the
    whole standard, each naming the group's code and the key."""
    items = doc.get("target_groups")
    if items is None:
        return []
    if isinstance(year, int) and year < LOCAL_GROUPS_FROM:
        problems.append(
            f"target_groups: egne målgrupper gælder fra {LOCAL_GROUPS_FROM}; {year} følger servicelovens § 79 a"
        )
        return []
    if not isinstance(items, list):
        problems.append("target_groups: skal være en liste")
        return []
    groups, seen = [], set()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(f"target_groups[{i}]: skal være et objekt")
            continue
        code = item.get("code")
        name = f"target_groups[{code if isinstance(code, str) and code else i}]"
        before = len(problems)
        problems += [f"{name}.{key}: ukendt nøgle" for key in item if key not in GROUP_KEYS]
        if not isinstance(code, str) or not code:
            problems.append(f"{name}.code: mangler")
        elif not _GROUP_CODE.match(code):
            problems.append(f"{name}.code: kun små bogstaver, tal og _, højst 40 tegn, begynder med et bogstav")
        elif code in seen:
            problems.append(f"{name}.code: står mere end én gang")
        else:
            seen.add(code)
        label = item.get("label")
        if not (isinstance(label, str) and label.strip()):
            problems.append(f"{name}.label: mangler")
        age = item.get("age")
        if age is None:
            problems.append(f"{name}.age: mangler")
        elif not isinstance(age, dict) or not age:
            problems.append(f"{name}.age: skal være et objekt med turns, from eller to")
        else:
            problems += [f"{name}.age.{key}: ukendt nøgle" for key in age if key not in AGE_KEYS]
            for key in AGE_KEYS & set(age):
                if not _int(age[key], low=0, high=130):
                    problems.append(f"{name}.age.{key}: skal være en alder (et helt tal fra 0)")
            if "turns" in age and ({"from", "to"} & set(age)):
                problems.append(f"{name}.age: turns står alene; brug from og to for et interval")
            if (
                _int(age.get("from"), low=0, high=130)
                and _int(age.get("to"), low=0, high=130)
                and age["to"] < age["from"]
            ):
                problems.append(f"{name}.age.to: er mindre end from")
        for key in ("living_alone", "receives_help"):
            if key in item and not isinstance(item[key], bool):
                problems.append(f"{name}.{key}: skal være true eller false")
        risk = item.get("risk_groups")
        if risk is not None:
            if not isinstance(risk, list) or not all(isinstance(c, str) for c in risk):
                problems.append(f"{name}.risk_groups: skal være en liste af risikogruppekoder")
            else:
                problems += [
                    f"{name}.risk_groups: ukendt risikogruppe {c!r}" for c in risk if c not in known_risk_groups
                ]
        if "window_months" in item and not _int(item["window_months"], low=1, high=60):
            problems.append(f"{name}.window_months: skal være et helt antal måneder mellem 1 og 60")
        if "not_visited_years" in item and not _int(item["not_visited_years"], low=1, high=50):
            problems.append(f"{name}.not_visited_years: skal være et helt antal år, mindst 1")
        if "visits_per_year" in item and not _int(item["visits_per_year"], low=1, high=52):
            problems.append(f"{name}.visits_per_year: skal være et helt tal fra 1")
        if "invitation" in item and item["invitation"] not in _KINDS:
            problems.append(f"{name}.invitation: ukendt invitationsform; brug {', '.join(sorted(_KINDS))}")
        if len(problems) == before:
            groups.append(LocalGroup.from_json(item))
    return groups
