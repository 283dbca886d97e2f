"""Screenings a consultant may do during a visit when professionally relevant (domain.md § 5), as
data: each kind names its measurements (unit and plausible range) and how a result is read.

A result is `normal`, `attention` (talk about it, consider a follow-up) or `red` (act on it: the
visit registers a `screening_red` risk event, interfaces.md § 2). The thresholds are the usual
Danish practice for older adults; a municipality that reads them differently changes this table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

NORMAL, ATTENTION, RED = "normal", "attention", "red"
LEVEL_LABELS = {NORMAL: _("Normal"), ATTENTION: _("Opmærksomhed"), RED: _("Rød — handling")}


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    unit: str
    low: Decimal
    high: Decimal
    decimals: int = 0
    required: bool = True


@dataclass(frozen=True)
class Context:
    """What a reading depends on besides the values."""

    age: int
    sex: str  # "M" / "K"


@dataclass(frozen=True)
class ScreeningKind:
    code: str
    label: str
    measures: tuple[Measure, ...]
    assess: Callable[[dict[str, Decimal], Context], tuple[str, str]]
    check: Callable[[dict[str, Decimal]], str] = lambda values: ""  # a reason the values cannot be right

    def summary(self, values: dict) -> str:
        parts = []
        for m in self.measures:
            if values.get(m.code) is not None:
                parts.append(f"{m.label.lower()} {format_value(values[m.code], m.decimals)} {m.unit}".strip())
        return ", ".join(parts)


def format_value(value, decimals: int) -> str:
    return f"{Decimal(str(value)):.{decimals}f}".replace(".", ",")


def _blood_pressure(v, ctx):
    sys_, dia = v["systolic"], v["diastolic"]
    if sys_ >= 180 or dia >= 110:
        return RED, str(_("Meget højt blodtryk — kontakt til egen læge"))
    if sys_ >= 140 or dia >= 90:
        return ATTENTION, str(_("Forhøjet blodtryk"))
    if sys_ < 100:
        return ATTENTION, str(_("Lavt blodtryk — spørg til svimmelhed og fald"))
    return NORMAL, ""


def _blood_pressure_check(v):
    if v["diastolic"] >= v["systolic"]:
        return str(_("Det diastoliske tryk skal være lavere end det systoliske."))
    return ""


def bmi_of(v) -> Decimal:
    metres = v["height_cm"] / 100
    return (v["weight_kg"] / (metres * metres)).quantize(Decimal("0.1"))


def _bmi(v, ctx):
    bmi = bmi_of(v)
    shown = format_value(bmi, 1)
    if bmi < Decimal("18.5"):
        return RED, str(_("BMI %(bmi)s: undervægt — vurdér ernæring") % {"bmi": shown})
    if bmi < 22:
        return ATTENTION, str(_("BMI %(bmi)s: lav for en ældre — risiko for underernæring") % {"bmi": shown})
    if bmi >= 30:
        return ATTENTION, str(_("BMI %(bmi)s: svær overvægt") % {"bmi": shown})
    return NORMAL, str(_("BMI %(bmi)s") % {"bmi": shown})


# 30-second chair stand: repetitions below the normal range for age and sex (Rikli & Jones).
_CHAIR_RISE_LOW = {
    "M": [(90, 7), (85, 8), (80, 10), (75, 11), (70, 12), (0, 12)],
    "K": [(90, 4), (85, 8), (80, 9), (75, 10), (70, 10), (0, 12)],
}


def _chair_rise(v, ctx):
    reps = v["repetitions"]
    if reps == 0:
        return RED, str(_("Kan ikke rejse sig uden at bruge armene — høj risiko for fald"))
    low = next(n for age, n in _CHAIR_RISE_LOW.get(ctx.sex, _CHAIR_RISE_LOW["K"]) if ctx.age >= age)
    if reps < low:
        return ATTENTION, str(_("Under normalområdet for alder og køn (under %(n)s) — risiko for fald") % {"n": low})
    return NORMAL, ""


def _loneliness(v, ctx):
    if v["score"] >= 6:
        return ATTENTION, str(_("Tegn på ensomhed (score 6–9)"))
    return NORMAL, ""


def _wellbeing(v, ctx):
    if v["score"] <= 28:
        return RED, str(_("Meget lav trivsel — mulig depression; tal om kontakt til egen læge"))
    if v["score"] <= 50:
        return ATTENTION, str(_("Nedsat trivsel"))
    return NORMAL, ""


SCREENINGS: dict[str, ScreeningKind] = {
    s.code: s
    for s in [
        ScreeningKind(
            "blood_pressure",
            _("Blodtryk"),
            (
                Measure("systolic", _("Systolisk"), "mmHg", Decimal(60), Decimal(260)),
                Measure("diastolic", _("Diastolisk"), "mmHg", Decimal(30), Decimal(160)),
                Measure("pulse", _("Puls"), "/min", Decimal(30), Decimal(220), required=False),
            ),
            _blood_pressure,
            _blood_pressure_check,
        ),
        ScreeningKind(
            "bmi",
            _("Vægt og BMI"),
            (
                Measure("weight_kg", _("Vægt"), "kg", Decimal(25), Decimal(300), decimals=1),
                Measure("height_cm", _("Højde"), "cm", Decimal(100), Decimal(230)),
            ),
            _bmi,
        ),
        ScreeningKind(
            "chair_rise",
            _("Rejse-sætte-sig-test (30 sek.)"),
            (Measure("repetitions", _("Antal rejsninger"), "", Decimal(0), Decimal(60)),),
            _chair_rise,
        ),
        ScreeningKind(
            "loneliness",
            _("Ensomhed (T-ILS, 3 spørgsmål)"),
            (Measure("score", _("Score"), "(3–9)", Decimal(3), Decimal(9)),),
            _loneliness,
        ),
        ScreeningKind(
            "wellbeing",
            _("Trivsel (WHO-5)"),
            (Measure("score", _("Score"), "(0–100)", Decimal(0), Decimal(100)),),
            _wellbeing,
        ),
    ]
}


class ScreeningError(ValueError):
    def __init__(self, kind: str, measure: str, message: str):
        super().__init__(message)
        self.kind, self.measure, self.message = kind, measure, message


def screening_read(code: str, raw: dict, *, birth_date: dt.date, sex: str, on: dt.date) -> dict:
    """Validate one screening's values and read it. `raw` maps measure codes to numbers (or
    strings with a decimal comma, or None). Returns {"kind", "values", "level", "finding"} with
    the values as JSON numbers; raises ScreeningError naming the measure."""
    kind = SCREENINGS.get(code)
    if kind is None:
        raise ScreeningError(code, "", f"Ukendt screening: {code}.")
    values: dict[str, Decimal] = {}
    for m in kind.measures:
        value = raw.get(m.code)
        if value in (None, ""):
            if m.required:
                raise ScreeningError(code, m.code, f"{kind.label}: {m.label.lower()} skal udfyldes.")
            continue
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except ArithmeticError:
            raise ScreeningError(code, m.code, f"{kind.label}: {m.label.lower()} skal være et tal.") from None
        if not number.is_finite() or not (m.low <= number <= m.high):
            raise ScreeningError(
                code,
                m.code,
                f"{kind.label}: {m.label.lower()} skal ligge mellem {m.low} og {m.high} {m.unit}".rstrip() + ".",
            )
        if m.decimals == 0 and number != number.to_integral_value():
            raise ScreeningError(code, m.code, f"{kind.label}: {m.label.lower()} skal være et helt tal.")
        values[m.code] = number.quantize(Decimal(1).scaleb(-m.decimals))
    problem = kind.check(values)
    if problem:
        raise ScreeningError(code, kind.measures[0].code, f"{kind.label}: {problem}")
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    level, finding = kind.assess(values, Context(age=age, sex=sex))
    return {
        "kind": code,
        "values": {k: (int(v) if v == v.to_integral_value() else float(v)) for k, v in values.items()},
        "level": level,
        "finding": finding,
    }
