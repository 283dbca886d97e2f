"""Serviceloven § 79 a (forebyggende hjemmebesøg), in force until 30 June 2025, by version:

- 2010-2015: at least one visit a year from 75 (stk. 1);
- 2016-30 June 2019: the year they turn 75, every year from 80, at special risk 65-79;
- from 1 July 2019 (lov nr. 508 af 7. maj 2019): 70 and living alone, 75, 80, every year from 82,
  at special risk 65-81; offers earned under the 2016 rules before 1 July 2019 still stand that
  year (the transition rule);
- stk. 6: the municipality may exempt citizens who receive both personal care and practical help
  under § 83.

Repealed on 1 July 2025 by L 92 2024-25 (`REPEALED`); see `fhb.law.legal_basis_on`.
"""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from .rulesets import AgeRule, RiskRule, RuleSet

# § 79 a was repealed on 1 July 2025 (L 92 2024-25); since then the visits are the municipality's
# own outreach under Ældreloven § 4 (lov nr. 1651 af 30. december 2024).
REPEALED = dt.date(2025, 7, 1)

SEL_79A_STK_1 = "SEL § 79 a, stk. 1"  # annual visits from 82 (80 before 1 July 2019)
SEL_79A_STK_2 = "SEL § 79 a, stk. 2"  # the year they turn 75 and 80
SEL_79A_STK_3 = "SEL § 79 a, stk. 3"  # 70 and living alone
SEL_79A_STK_4 = "SEL § 79 a, stk. 4"  # at special risk
SEL_79A_STK_6 = "SEL § 79 a, stk. 6"  # optional § 83 exemption

TARGET_GROUP_LABELS = {
    # from 1 July 2019
    "age_70_living_alone": _("70 år og bor alene"),
    "age_75": _("75 år"),
    "age_80": _("80 år"),
    "age_82_plus": _("82 år og derover"),
    "at_risk_65_81": _("Særlig risiko, 65-81 år"),
    # 2016-2018
    "age_80_plus": _("80 år og derover"),
    "at_risk_65_79": _("Særlig risiko, 65-79 år"),
    # 2010-2015
    "age_75_plus": _("75 år og derover"),
}
TARGET_GROUP_CODES = frozenset(TARGET_GROUP_LABELS)
TARGET_GROUP_CHOICES = list(TARGET_GROUP_LABELS.items())

BUILTIN_RISK_GROUPS = {
    "widowed": _("Mistet ægtefælle/samlever"),
    "spouse_nursing_home": _("Ægtefælle flyttet på plejehjem"),
    "spouse_seriously_ill": _("Ægtefælle alvorligt syg"),
    "newcomer": _("Tilflytter til kommunen"),
    "hospital_discharge": _("Udskrevet fra sygehus uden yderligere tilbud"),
    "lonely": _("Ensom eller isoleret"),
    "concern_referral": _("Bekymringshenvendelse"),
    "self_referral": _("Selvhenvendelse"),
    "ethnic_minority": _("Etnisk minoritetsbaggrund"),
    "screening_red": _("Rød i screening"),
}


class Exemption(models.TextChoices):
    """Stk. 6: who the municipality has exempted from the offer (the quality standard says)."""

    NONE = "", _("Ingen fritagelse")
    PERSONAL_CARE_AND_PRACTICAL_HELP = (
        "personal_care_and_practical_help",
        _("Modtagere af både personlig pleje og praktisk hjælp (§ 83)"),
    )
    # A municipal deviation (e.g. Langeland's welfare agreement): practical help alone exempts.
    PRACTICAL_HELP = "practical_help", _("Modtagere af praktisk hjælp (§ 83) — lokal afvigelse")


RULES_2010 = RuleSet(
    key="2010",
    valid_from=dt.date(2010, 1, 1),
    legal_basis="Serviceloven § 79 a (2010-2015): mindst ét besøg om året fra 75 år",
    age_rules=(AgeRule("age_75_plus", SEL_79A_STK_1, min_age=75),),
    risk_rule=None,
)
RULES_2016 = RuleSet(
    key="2016",
    valid_from=dt.date(2016, 1, 1),
    legal_basis="Serviceloven § 79 a (2016-30. juni 2019)",
    age_rules=(
        AgeRule("age_75", SEL_79A_STK_2, exact_age=75),
        AgeRule("age_80_plus", SEL_79A_STK_1, min_age=80),
    ),
    risk_rule=RiskRule("at_risk_65_79", SEL_79A_STK_4, 65, 79),
)
RULES_2019 = RuleSet(
    key="2019",
    valid_from=dt.date(2019, 7, 1),
    legal_basis="Serviceloven § 79 a som ændret ved lov nr. 508 af 7. maj 2019",
    age_rules=(
        AgeRule("age_70_living_alone", SEL_79A_STK_3, exact_age=70, living_alone=True),
        AgeRule("age_75", SEL_79A_STK_2, exact_age=75),
        AgeRule("age_80", SEL_79A_STK_2, exact_age=80),
        AgeRule("age_82_plus", SEL_79A_STK_1, min_age=82),
    ),
    risk_rule=RiskRule("at_risk_65_81", SEL_79A_STK_4, 65, 81),
    transition_from=RULES_2016,
)
