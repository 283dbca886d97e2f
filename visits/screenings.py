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
    """One value of a screening: a measurement, or an instrument's item (`choices`: its answers,
    with the instrument's scoring). A measure `derived` is computed from the items (the total)."""

    code: str
    label: str
    unit: str
    low: Decimal
    high: Decimal
    decimals: int = 0
    required: bool = True
    choices: tuple[tuple[int, str], ...] = ()
    derived: bool = False
    short: str = ""  # an item's name in the summary ("faldet: ja"); items without one are left out

    @property
    def is_item(self) -> bool:
        return bool(self.choices)


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
    intro: str = ""  # the instrument's own instruction, read to the citizen
    chart: str = ""  # the measure shown over the years on the citizen's page

    @property
    def items(self) -> tuple[Measure, ...]:
        return tuple(m for m in self.measures if m.is_item)

    def summary(self, values: dict) -> str:
        parts = []
        for m in self.measures:
            if m.is_item:
                if m.short and values.get(m.code) is not None:
                    answer = dict(m.choices).get(int(values[m.code]), values[m.code])
                    parts.append(f"{m.short}: {str(answer).lower()}")
                continue
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


GAIT_METRES = 4  # the usual short walk: gait speed is 4 m over the seconds it takes
SLOW_GAIT = Decimal("0.8")  # m/s: below this, a risk of falls and of losing function


def chair_rise_low(ctx: Context) -> int:
    return next(n for age, n in _CHAIR_RISE_LOW.get(ctx.sex, _CHAIR_RISE_LOW["K"]) if ctx.age >= age)


def _chair_rise(v, ctx):
    """The 30-second chair stand is the primary physical screening; near the bottom of the normal
    range (within 2 of it, either side) gait speed over 4 metres decides."""
    reps = v["repetitions"]
    if reps == 0:
        return RED, str(_("Kan ikke rejse sig uden at bruge armene — høj risiko for fald"))
    low = chair_rise_low(ctx)
    if v.get("gait_seconds"):
        speed = (Decimal(GAIT_METRES) / v["gait_seconds"]).quantize(Decimal("0.01"))
        shown = format_value(speed, 2)
        if speed < SLOW_GAIT:
            return ATTENTION, str(_("Langsom gang (%(v)s m/s) — risiko for fald og tab af funktion") % {"v": shown})
        if reps < low:
            return NORMAL, str(_("Under normalområdet (under %(n)s), men normal ganghastighed (%(v)s m/s)") % {
                "n": low, "v": shown
            })  # fmt: skip
        return NORMAL, str(_("Ganghastighed %(v)s m/s") % {"v": shown})
    if reps < low:
        return ATTENTION, str(_("Under normalområdet for alder og køn (under %(n)s) — risiko for fald") % {"n": low})
    if reps < low + 2:
        return NORMAL, str(_("Lige inden for normalområdet — mål ganghastigheden over 4 meter"))
    return NORMAL, ""


def _items_total(kind_label, items: tuple[Measure, ...], total: str, factor: int = 1):
    """An instrument's total from its items (all answered), or the total typed in by itself (a
    paper form, an import): a check naming the first item left out when only some are answered."""

    def derive(values: dict[str, Decimal]) -> tuple[dict[str, Decimal], str, str]:
        answered = [m for m in items if values.get(m.code) is not None]
        if answered and len(answered) < len(items):
            missing = next(m for m in items if values.get(m.code) is None)
            return values, missing.code, str(_("%(kind)s: svar på alle %(n)s spørgsmål.") % {
                "kind": kind_label, "n": len(items)
            })  # fmt: skip
        if answered:
            values = {**values, total: sum(values[m.code] for m in items) * factor}
        elif values.get(total) is None:
            return values, items[0].code, str(_("%(kind)s: svar på spørgsmålene.") % {"kind": kind_label})
        return values, "", ""

    return derive


# WHO-5 Trivselsindeks: five statements about the last two weeks, each 0-5; the raw score (0-25)
# times 4 is the index (0-100). 50 or below: reduced wellbeing; 28 or below: likely depression.
WHO5_ANSWERS = (
    (5, _("Hele tiden")),
    (4, _("Det meste af tiden")),
    (3, _("Lidt mere end halvdelen af tiden")),
    (2, _("Lidt mindre end halvdelen af tiden")),
    (1, _("Lidt af tiden")),
    (0, _("På intet tidspunkt")),
)


def _items(answers: tuple[tuple[int, str], ...], questions: list) -> tuple[Measure, ...]:
    """An instrument's questions (item1, item2, …), each answered with one of `answers`; optional
    one by one (a total alone is accepted), all or none (`_items_total`)."""
    values = [value for value, _label in answers]
    return tuple(
        Measure(f"item{i}", label, "", Decimal(min(values)), Decimal(max(values)), required=False, choices=answers)
        for i, label in enumerate(questions, start=1)
    )


WHO5_ITEMS = _items(
    WHO5_ANSWERS,
    [
        _("I de sidste 2 uger har jeg været glad og i godt humør"),
        _("I de sidste 2 uger har jeg følt mig rolig og afslappet"),
        _("I de sidste 2 uger har jeg følt mig aktiv og energisk"),
        _("I de sidste 2 uger er jeg vågnet frisk og udhvilet"),
        _("I de sidste 2 uger har min dagligdag været fyldt med ting, der interesserer mig"),
    ],
)
# The Three-Item Loneliness Scale (T-ILS, from UCLA): three questions, each 1-3; 6 or more: lonely.
TILS_ANSWERS = ((1, _("Næsten aldrig")), (2, _("Nogle gange")), (3, _("Ofte")))
TILS_ITEMS = _items(
    TILS_ANSWERS,
    [
        _("Hvor ofte føler du, at du savner nogen at være sammen med?"),
        _("Hvor ofte føler du dig udenfor?"),
        _("Hvor ofte føler du dig isoleret fra andre?"),
    ],
)
# Three questions about falls (the Danish Health Authority's guidance for preventive visits): a
# yes to any of them is a reason to look at fall prevention.
YES_NO = ((1, _("Ja")), (0, _("Nej")))
FALL_ITEMS = tuple(
    Measure(code, label, "", Decimal(0), Decimal(1), choices=YES_NO, short=short)
    for code, label, short in [
        ("fallen", _("Er du faldet inden for det seneste år?"), _("faldet")),
        ("unsteady", _("Føler du dig usikker, når du står eller går?"), _("usikker")),
        ("worried", _("Er du bekymret for at falde?"), _("bekymret")),
    ]
)


def _falls(v, ctx):
    yes = [m for m in FALL_ITEMS if v.get(m.code) == 1]
    if not yes:
        return NORMAL, ""
    if v.get("fallen") == 1 and len(yes) == 3:
        return RED, str(_("Faldet, usikker og bekymret for at falde — henvis til faldforebyggelse"))
    return ATTENTION, str(_("Øget risiko for fald — tal om faldforebyggelse"))


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
            (
                Measure("repetitions", _("Antal rejsninger"), "", Decimal(0), Decimal(60)),
                Measure(
                    "gait_seconds",
                    _("Gangtest, sekunder for 4 meter"),
                    "sek.",
                    Decimal(1),
                    Decimal(60),
                    decimals=1,
                    required=False,
                ),
            ),
            _chair_rise,
            intro=_(
                "Borgeren sidder midt på en stol med armene krydset over brystet og rejser sig helt op og sætter sig "
                "så mange gange som muligt på 30 sekunder. Er resultatet på grænsen, måles tiden for at gå 4 meter "
                "i sædvanligt tempo."
            ),
            chart="repetitions",
        ),
        ScreeningKind(
            "loneliness",
            _("Ensomhed (T-ILS, 3 spørgsmål)"),
            (*TILS_ITEMS, Measure("score", _("Score"), "(3–9)", Decimal(3), Decimal(9), required=False, derived=True)),
            _loneliness,
            intro=_("Læs spørgsmålene op. Scoren lægges sammen (3–9); 6 eller derover tyder på ensomhed."),
            chart="score",
        ),
        ScreeningKind(
            "wellbeing",
            _("Trivsel (WHO-5)"),
            (
                *WHO5_ITEMS,
                Measure("score", _("Score"), "(0–100)", Decimal(0), Decimal(100), required=False, derived=True),
            ),
            _wellbeing,
            intro=_(
                "Vælg for hvert udsagn det svar, der passer bedst på, hvordan borgeren har haft det i de sidste "
                "2 uger. Scoren er summen gange 4 (0–100)."
            ),
            chart="score",
        ),
        ScreeningKind(
            "falls",
            _("Fald (3 spørgsmål)"),
            FALL_ITEMS,
            _falls,
            intro=_("Et ja til et af spørgsmålene er en grund til at tale om faldforebyggelse."),
        ),
    ]
}


# Instruments whose total is computed from their items.
TOTAL_FACTOR = {"wellbeing": 4, "loneliness": 1}
DERIVE = {
    code: _items_total(SCREENINGS[code].label, SCREENINGS[code].items, "score", factor=factor)
    for code, factor in TOTAL_FACTOR.items()
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
    derive = DERIVE.get(code)
    if derive is not None:
        values, measure, problem = derive(values)
        if problem:
            raise ScreeningError(code, measure, problem)
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


@dataclass(frozen=True)
class Point:
    day: dt.date
    value: float
    level: str
    x: float
    y: float


@dataclass(frozen=True)
class Series:
    """One instrument's results over the years, placed in a small chart (WIDTH x HEIGHT)."""

    kind: ScreeningKind
    measure: Measure
    points: tuple[Point, ...]

    @property
    def path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    low: float = 0
    high: float = 0

    @property
    def latest(self) -> Point:
        return self.points[-1]


CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 320, 120, 14


def score_series(readings) -> list[Series]:
    """`readings`: (day, kind code, values, level) of a citizen's final visits, any order. One series
    per instrument with a charted measure, oldest first; the y axis is the measure's whole range."""
    by_kind: dict[str, list] = {}
    for day, code, values, level in sorted(readings, key=lambda r: r[0]):
        kind = SCREENINGS.get(code)
        if kind is None or not kind.chart or values.get(kind.chart) is None:
            continue
        by_kind.setdefault(code, []).append((day, float(values[kind.chart]), level))
    series = []
    for code, rows in by_kind.items():
        kind = SCREENINGS[code]
        measure = next(m for m in kind.measures if m.code == kind.chart)
        low, high = float(measure.low), float(measure.high)
        if code == "chair_rise":
            high = max(30.0, max(v for _d, v, _l in rows))  # 60 repetitions is the check's limit, not a scale
        first, last = rows[0][0], rows[-1][0]
        span = max((last - first).days, 1)
        inner_w, inner_h = CHART_WIDTH - 2 * CHART_PAD, CHART_HEIGHT - 2 * CHART_PAD
        points = tuple(
            Point(
                day=day,
                value=value,
                level=level,
                x=CHART_PAD + (inner_w * (day - first).days / span if len(rows) > 1 else inner_w / 2),
                y=CHART_PAD + inner_h * (1 - (min(value, high) - low) / ((high - low) or 1)),
            )
            for day, value, level in rows
        )
        series.append(Series(kind=kind, measure=measure, points=points, low=low, high=high))
    return sorted(series, key=lambda s: list(SCREENINGS).index(s.kind.code))
