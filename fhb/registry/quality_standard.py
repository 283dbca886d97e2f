"""Import of the annual quality standard as JSON (interfaces.md § 6)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.db import transaction

from ..law import BUILTIN_RISK_GROUPS, SEL_79A_STK_6, TARGET_GROUP_CODES
from ..models import Exemption, InvitationKind, Municipality, QualityStandard, RiskGroup, User
from .tables import ImportFileError, decode

_CODE = re.compile(r"^[a-z][a-z0-9_]{1,49}$")
_KINDS = {k.value for k in InvitationKind}
# Local deviations from § 79 a that a municipality may record with their legal basis.
DEVIATIONS = {"exempt_practical_help": Exemption.PRACTICAL_HELP}
FIRST_YEAR = 2010  # § 79 a rules before 2010 are not modelled (see fhb.eligibility)


@dataclass
class QualityStandardResult:
    standard: QualityStandard
    created: bool

    @property
    def summary(self) -> str:
        verb = "created" if self.created else "replaced"
        return f"{verb} quality standard {self.standard.municipality.code} {self.standard.year}"


def quality_standard_import(
    *, data: bytes | str, municipality: Municipality | None = None, user: User | None = None
) -> QualityStandardResult:
    """Create or replace a municipality's standard for a year. Every problem in the document is
    reported at once (as `field: reason`); nothing is stored unless the whole document is valid."""
    try:
        doc = json.loads(decode(data, kind="JSON"))
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"Filen er ikke gyldig JSON (linje {exc.lineno}, kolonne {exc.colno}: {exc.msg})."
        ) from None
    if not isinstance(doc, dict):
        raise ImportFileError("Filen skal indeholde ét JSON-objekt.")
    problems: list[str] = []

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
    legal_basis = SEL_79A_STK_6 if exempt is True else ""
    deviations = doc.get("deviations", [])
    if not isinstance(deviations, list):
        problems.append("deviations: skal være en liste")
        deviations = []
    for i, deviation in enumerate(deviations):
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
    if problems:
        raise ImportFileError("Kvalitetsstandarden er ikke gyldig:\n" + "\n".join(f"- {p}" for p in problems))

    with transaction.atomic():
        groups = []
        for group_code, label in wanted:
            if group_code in BUILTIN_RISK_GROUPS:
                groups.append(RiskGroup.objects.get(municipality__isnull=True, code=group_code))
            else:
                group, _ = RiskGroup.objects.update_or_create(
                    municipality=muni, code=group_code, defaults={"label": label, "is_active": True}
                )
                groups.append(group)
        standard, created = QualityStandard.objects.select_for_update().get_or_create(
            municipality=muni, year=year, defaults={"adopted_by": user}
        )
        standard.exemption = exemption
        standard.exemption_legal_basis = legal_basis
        standard.risk_window_months = window
        standard.invitations = dict(sorted(invitations.items()))
        standard.document = doc
        standard.adopted_by = user
        standard.save()
        standard.risk_groups.set(groups)
    return QualityStandardResult(standard=standard, created=created)
