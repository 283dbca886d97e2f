"""Legal keys and target-group codes of § 79 a, shared by imports, eligibility and reports.

The rule sets themselves (which group applies in which year) live in `fhb.eligibility`.
"""

import datetime as dt

from django.utils.translation import gettext_lazy as _

# § 79 a was repealed on 1 July 2025 (L 92 2024-25); since then the visits are the municipality's
# own outreach under Ældreloven § 4 (lov nr. 1651 af 30. december 2024).
SEL_79A_REPEALED = dt.date(2025, 7, 1)


def legal_basis_on(day: dt.date) -> tuple[str, str]:
    """The law the visits rest on that day: (its name for a heading, and as a letter says it,
    "efter ..."). Never the repealed § 79 a after 30 June 2025."""
    if day < SEL_79A_REPEALED:
        return str(_("Serviceloven § 79 a")), "servicelovens § 79 a"
    return str(_("Ældreloven § 4")), "ældrelovens § 4"


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
