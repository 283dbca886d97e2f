"""Demo data of the invitations (the `demo_seed` hook): a draft of next year's target groups of
the demo municipality's own (Ældreloven § 4), so the workbench can be tried at once. This year it
continues the former § 79 a groups (its adopted standard has no `target_groups`)."""

from __future__ import annotations

import json

from fhb.demo import DEMO_MUNICIPALITY, Demo, quality_standard_document
from fhb.law import LOCAL_GROUPS_FROM
from fhb.models import Role, User
from fhb.registry.quality_standard import quality_standard_read

from .models import TargetGroupDraft
from .services import target_group_draft_save

# Groups chosen to reach those with the greatest need rather than whole age groups (as Gladsaxe
# did from 2026), in priority order.
NEXT_YEAR_GROUPS = [
    {"code": "widowed_65_89", "label": "Mistet ægtefælle", "age": {"from": 65, "to": 89},
     "risk_groups": ["widowed"], "window_months": 6},
    {"code": "discharged_75_plus", "label": "75+ udskrevet fra sygehus", "age": {"from": 75},
     "risk_groups": ["hospital_discharge"], "window_months": 6},
    {"code": "no_help_80_plus", "label": "80+ uden hjemmehjælp", "age": {"from": 80}, "receives_help": False},
    {"code": "alone_70", "label": "Fylder 70 og bor alene", "age": {"turns": 70}, "living_alone": True,
     "invitation": "open_letter"},
    {"code": "unseen_78_plus", "label": "78+ ikke set i 3 år", "age": {"from": 78}, "not_visited_years": 3},
]  # fmt: skip


def next_year_document(year: int) -> dict:
    document = {k: v for k, v in quality_standard_document(year).items() if k != "invitations"}
    return {**document, "municipality_code": DEMO_MUNICIPALITY, "year": year, "target_groups": NEXT_YEAR_GROUPS}


def demo_seed(demo: Demo) -> dict:
    year = demo.today.year + 1
    if year < LOCAL_GROUPS_FROM or TargetGroupDraft.objects.filter(municipality=demo.municipality, year=year).exists():
        return {}
    document = next_year_document(year)
    quality_standard_read(
        data=json.dumps(document, ensure_ascii=False), municipality=demo.municipality
    )  # the demo's draft is valid
    leader = User.objects.filter(municipality=demo.municipality, role=Role.TEAM_LEADER).first()
    target_group_draft_save(municipality=demo.municipality, year=year, document=document, user=leader)
    return {"target_group_draft": year}
