"""How the targeting works (Ældreloven § 4): per target group and year, whom the municipality
invited, visited and was declined by, the uptake by letter kind, the follow-ups and referrals the
visits led to, and the share of visited citizens who started receiving home help within 12 months
of the visit — side by side with the year before. What a municipality that chose its own groups
shows its committee (Gladsaxe, 2027), and the dashboard's uptake per group for such a year.

Read from the offers (one per citizen and year, with every group the citizen is in), the visits
and follow-ups, and the registry's change history of the citizens (home help is personal care or
practical help, § 83). A citizen in several groups counts in each.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q
from django.utils.translation import gettext as _

from fhb.exports import csv_bytes
from fhb.law import FIRST_YEAR, legal_basis_for_year
from fhb.models import Citizen, InvitationKind, Municipality, OfferStatus, QualityStandard
from fhb.models.offers import Offer
from fhb.selectors import target_group_labels
from reports.suppression import THRESHOLD
from visits.models import FollowUp, FollowUpKind, Visit, VisitKind, VisitOutcome

# Offers whose letter or invitation has gone out.
SENT = (OfferStatus.INVITED, OfferStatus.BOOKED, OfferStatus.VISITED, OfferStatus.DECLINED, OfferStatus.NO_RESPONSE)
# Follow-ups that refer the citizen to someone else: an activity, another unit, their GP.
REFERRAL_KINDS = (FollowUpKind.CIVIL_SOCIETY, FollowUpKind.HANDOVER, FollowUpKind.GP)
KINDS = (InvitationKind.DATE_LETTER, InvitationKind.OPEN_LETTER, InvitationKind.COLLECTIVE_EVENT)
HELP_WINDOW = dt.timedelta(days=365)


@dataclass
class GroupYear:
    """One target group in one year."""

    code: str
    in_group: int = 0  # offers (not exempt)
    invited: int = 0
    visited: int = 0
    declined: int = 0
    no_response: int = 0
    by_kind: dict[str, dict[str, int]] = field(default_factory=lambda: {k: {"sent": 0, "visited": 0} for k in KINDS})
    follow_ups: int = 0
    referrals: int = 0
    help_base: int = 0  # visited without home help on the day of their visit
    help_started: int = 0  # of those, receiving home help within 12 months
    help_open: int = 0  # of those, whose 12 months are not over yet

    @property
    def uptake(self) -> float | None:
        return self.visited / self.invited if self.invited else None

    @property
    def help_share(self) -> float | None:
        return self.help_started / self.help_base if self.help_base else None

    def kind_rate(self, kind: str) -> float | None:
        cell = self.by_kind[kind]
        return cell["visited"] / cell["sent"] if cell["sent"] else None

    def as_dict(self) -> dict:
        return {
            "in_group": self.in_group,
            "invited": self.invited,
            "visited": self.visited,
            "declined": self.declined,
            "no_response": self.no_response,
            "uptake": round(self.uptake, 4) if self.uptake is not None else None,
            "uptake_by_letter_kind": {
                k: {**self.by_kind[k], "rate": round(r, 4) if (r := self.kind_rate(k)) is not None else None}
                for k in KINDS
            },
            "follow_ups": self.follow_ups,
            "referrals": self.referrals,
            "home_help_within_12_months": {
                "visited_without_help": self.help_base,
                "started": self.help_started,
                "share": round(self.help_share, 4) if self.help_share is not None else None,
                "window_not_over": self.help_open,
            },
        }


def _codes(groups: str) -> list[str]:
    return [g for g in groups.split("|") if g]


def group_year(
    municipality: Municipality, year: int, today: dt.date, *, home_help: bool = True
) -> dict[str, GroupYear]:
    """Every group with offers in `year`, with its figures. A handful of grouped queries; the
    home-help measure reads the change history of the year's visited citizens only."""
    figures: dict[str, GroupYear] = {}

    def get(code: str) -> GroupYear:
        return figures.setdefault(code, GroupYear(code))

    offers = Offer.objects.filter(municipality=municipality, year=year, exempt=False)
    for row in offers.values("groups", "status", "letter_kind").annotate(n=Count("id")).order_by():
        for code in _codes(row["groups"]):
            g, n, status = get(code), row["n"], row["status"]
            if status == OfferStatus.LAPSED:
                continue
            g.in_group += n
            if status in SENT:
                g.invited += n
                g.by_kind[row["letter_kind"]]["sent"] += n
            if status == OfferStatus.VISITED:
                g.visited += n
                g.by_kind[row["letter_kind"]]["visited"] += n
            g.declined += n * (status == OfferStatus.DECLINED)
            g.no_response += n * (status == OfferStatus.NO_RESPONSE)

    follow_ups = (
        FollowUp.objects.filter(
            municipality=municipality,
            visit__visit_date__year=year,
            citizen__offers__year=year,
            citizen__offers__exempt=False,
        )
        .values("citizen__offers__groups")
        .annotate(n=Count("id"), referrals=Count("id", filter=Q(kind__in=REFERRAL_KINDS)))
        .order_by()
    )
    for row in follow_ups:
        for code in _codes(row["citizen__offers__groups"]):
            get(code).follow_ups += row["n"]
            get(code).referrals += row["referrals"]

    if home_help:
        _home_help(municipality, year, today, offers, get)
    return figures


def _home_help(municipality: Municipality, year: int, today: dt.date, offers, get) -> None:
    """Visited citizens without home help on the day of their first completed visit of the year,
    and how many of them received it within 12 months, by the registry's change history (the
    latest recorded state on or before the visit; the earliest when the history starts later)."""
    first_visits = dict(
        Visit.objects.filter(
            municipality=municipality,
            visit_date__year=year,
            outcome=VisitOutcome.COMPLETED,
            is_draft=False,
            kind__in=(VisitKind.HOME_VISIT, VisitKind.FOLLOW_UP_VISIT),
            citizen__offers__year=year,
            citizen__offers__status=OfferStatus.VISITED,
        )
        .values("citizen_id")
        .annotate(first=Min("visit_date"))
        .values_list("citizen_id", "first")
    )
    if not first_visits:
        return
    states: dict[int, list[tuple[dt.date, bool]]] = defaultdict(list)
    history = (
        Citizen.history.filter(id__in=list(first_visits))
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_date", "personal_care", "practical_help")
    )
    for pk, when, care, practical in history.iterator(chunk_size=5000):
        states[pk].append((when.date() if isinstance(when, dt.datetime) else when, bool(care or practical)))
    groups = dict(offers.filter(citizen_id__in=list(first_visits)).values_list("citizen_id", "groups"))
    for pk, visited_on in first_visits.items():
        changes = states.get(pk)
        if not changes:
            continue
        before = [helped for day, helped in changes if day <= visited_on]
        if before[-1:] == [True] or (not before and changes[0][1]):
            continue  # had help already on the day of the visit
        end = visited_on + HELP_WINDOW
        started = any(helped for day, helped in changes if visited_on < day <= end)
        for code in _codes(groups.get(pk, "")):
            g = get(code)
            g.help_base += 1
            g.help_started += started
            g.help_open += (not started) and end > today


def targeting(municipality: Municipality, year: int, today: dt.date, *, home_help: bool = True) -> dict:
    """`year` and the year before, per group: the year's groups in the standard's priority order,
    then groups of the year before that were dropped or renamed (their history stays readable)."""
    labels = target_group_labels(municipality.pk)
    this = group_year(municipality, year, today, home_help=home_help)
    last = group_year(municipality, year - 1, today, home_help=home_help)
    standards = dict(
        QualityStandard.objects.filter(municipality=municipality, year__in=(year, year - 1)).values_list(
            "year", "target_groups"
        )
    )
    order = [g["code"] for g in standards.get(year) or []]
    codes = [c for c in order if c in this or c in last]
    codes += sorted(c for c in this if c not in codes) + sorted(c for c in last if c not in codes and c not in this)
    rows = [
        {
            "code": code,
            "label": labels.get(code, code),
            "in_year": code in this,
            "years": (pair := [this.get(code, GroupYear(code)), last.get(code, GroupYear(code))]),
            "kind_rows": [(str(InvitationKind(k).label), [g.by_kind[k] for g in pair]) for k in KINDS],
        }
        for code in codes
    ]
    return {
        "year": year,
        "compare_year": year - 1,
        "local": bool(order),
        "legal_basis": legal_basis_for_year(year, local_groups=bool(order)),
        "compare_legal_basis": (
            legal_basis_for_year(year - 1, local_groups=bool(standards.get(year - 1))) if year > FIRST_YEAR else ""
        ),
        "rows": rows,
        "kinds": [(k, str(InvitationKind(k).label)) for k in KINDS],
    }


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def targeting_csv(report: dict) -> bytes:
    """The report as a table: a row per group and year, the group's code in a column of its own."""
    header = [
        str(_("Målgruppe")), "code", str(_("År")), str(_("I målgruppen")), str(_("Inviteret")), str(_("Besøgt")),
        str(_("Takket nej")), str(_("Intet svar")), str(_("Andel besøgt af inviterede")),
        *(str(_("Andel besøgt: %(kind)s") % {"kind": label}) for _k, label in report["kinds"]),
        str(_("Opfølgninger")), str(_("Henvisninger")), str(_("Besøgt uden hjemmehjælp")),
        str(_("Fik hjemmehjælp inden 12 måneder")), str(_("Andel")), str(_("12 måneder ikke gået")),
    ]  # fmt: skip
    rows = []
    for row in report["rows"]:
        for year, g in zip((report["year"], report["compare_year"]), row["years"], strict=True):
            line = [row["label"], row["code"], year, g.in_group, g.invited, g.visited, g.declined, g.no_response]
            line += [_rate(g.uptake), *(_rate(g.kind_rate(k)) for k, _label in report["kinds"])]
            line += [g.follow_ups, g.referrals, g.help_base, g.help_started, _rate(g.help_share), g.help_open]
            rows.append(line)
    return csv_bytes(header, rows)


def _published(n: int) -> int | None:
    """A count in a public document: 1 or 2 hidden (None), as in the approval report."""
    return None if 0 < n < THRESHOLD else n


def council_rows(report: dict) -> list[dict]:
    """The report for the council's PDF (a public document): per group, the counts with cells
    under 3 hidden, and a share only where its numerator and denominator are published."""

    def share(part: int, whole: int) -> float | None:
        return part / whole if whole and _published(part) is not None and _published(whole) is not None else None

    measures = (
        (_("I målgruppen"), lambda g: _published(g.in_group), False),
        (_("Inviteret"), lambda g: _published(g.invited), False),
        (_("Besøgt"), lambda g: _published(g.visited), False),
        (_("Takket nej"), lambda g: _published(g.declined), False),
        (_("Andel besøgt af inviterede"), lambda g: share(g.visited, g.invited), True),
        (_("Opfølgninger"), lambda g: _published(g.follow_ups), False),
        (_("Heraf henvisninger"), lambda g: _published(g.referrals), False),
        (_("Fik hjemmehjælp inden 12 måneder"), lambda g: share(g.help_started, g.help_base), True),
    )
    return [
        {
            "label": row["label"],
            "measures": [(str(name), [value(g) for g in row["years"]], rate) for name, value, rate in measures],
        }
        for row in report["rows"]
    ]
