"""What team leaders steer by: the year's backlog, uptake by letter kind, the consultants' booked
load against capacity and visits against last year. Visit counts and uptake come from the same
export as the DST delivery (reports.dst), so the dashboard and the approval report agree."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from fhb.law import FIRST_YEAR, TARGET_GROUP_LABELS
from fhb.models import InvitationKind, Municipality, OfferStatus, QualityStandard
from fhb.models.offers import Offer
from fhb.selectors import target_group_labels
from invitations.batches.planning import capacities, consultants
from invitations.planner import week_capacity
from visits.models import OCCUPYING, Booking
from visits.workdays import closed_days

from . import charts
from .approval import MONTH_LABELS
from .figures import year_summary
from .targeting import targeting

BACKLOG_STATUSES = (
    OfferStatus.DUE,
    OfferStatus.INVITED,
    OfferStatus.BOOKED,
    OfferStatus.VISITED,
    OfferStatus.DECLINED,
    OfferStatus.NO_RESPONSE,
)
# Offers whose letter has gone out: the denominator of uptake by letter kind.
SENT = (OfferStatus.INVITED, OfferStatus.BOOKED, OfferStatus.VISITED, OfferStatus.DECLINED, OfferStatus.NO_RESPONSE)
WEEKS_AHEAD = 8


def _group_label(code: str, municipality: Municipality | None = None) -> str:
    """The group's name; the municipality's own groups' names from its quality standards."""
    labels = target_group_labels(municipality.pk) if municipality is not None else TARGET_GROUP_LABELS
    return str(labels.get(code, code))


def backlog(municipality: Municipality, year: int) -> list[dict]:
    rows = (
        Offer.objects.filter(municipality=municipality, year=year)
        .values("primary_group", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    table: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(BACKLOG_STATUSES, 0))
    for row in rows:
        if row["status"] in BACKLOG_STATUSES:
            table[row["primary_group"]][row["status"]] += row["n"]
    return [
        {"code": code, "label": _group_label(code, municipality), "counts": [table[code][s] for s in BACKLOG_STATUSES]}
        for code in sorted(table)
    ]


def uptake_by_letter(municipality: Municipality, year: int) -> list[dict]:
    """Visited / letters sent, per target group and letter kind (date vs open letter)."""
    rows = (
        Offer.objects.filter(municipality=municipality, year=year, status__in=SENT)
        .values("primary_group", "letter_kind")
        .annotate(sent=Count("id"), visited=Count("id", filter=Q(status=OfferStatus.VISITED)))
        .order_by("primary_group", "letter_kind")
    )
    cells: dict[str, dict[str, dict]] = defaultdict(dict)
    for row in rows:
        cells[row["primary_group"]][row["letter_kind"]] = {
            "sent": row["sent"],
            "visited": row["visited"],
            "rate": row["visited"] / row["sent"] if row["sent"] else None,
        }
    kinds = (InvitationKind.DATE_LETTER, InvitationKind.OPEN_LETTER, InvitationKind.COLLECTIVE_EVENT)
    empty = {"sent": 0, "visited": 0, "rate": None}
    return [
        {"code": code, "label": _group_label(code, municipality), "kinds": [cells[code].get(k, empty) for k in kinds]}
        for code in sorted(cells)
    ]


def consultant_load(municipality: Municipality, today: dt.date) -> dict:
    """Booked and completed visits per consultant per week for the next 8 weeks, against the week's capacity:
    the same figure the letter planner fills (`invitations.planner.week_capacity`: the calendar's
    slots on the week's open days, at most the weekly cap). A consultant without a calendar has no
    capacity (the planner does not plan with them) and shows a dash."""
    monday = today - dt.timedelta(days=today.weekday())
    weeks = [monday + dt.timedelta(weeks=i) for i in range(WEEKS_AHEAD)]
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(weeks[0], dt.time.min, tz)
    end = dt.datetime.combine(weeks[-1] + dt.timedelta(days=7), dt.time.min, tz)
    counts = (
        Booking.objects.filter(municipality=municipality, status__in=OCCUPYING, starts_at__gte=start, starts_at__lt=end)
        .annotate(week=TruncWeek("starts_at", tzinfo=tz))
        .values("consultant_id", "week")
        .annotate(n=Count("id"))
        .order_by()
    )
    booked: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for row in counts:
        week = row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]
        booked[row["consultant_id"]][week] = row["n"]
    caps = {c.consultant_id: c for c in capacities(municipality, weeks[0], weeks[-1] + dt.timedelta(days=6))}
    rows = []
    totals = [0] * len(weeks)
    capacity_totals = [0] * len(weeks)
    for user in consultants(municipality):
        cap = caps.get(user.pk)
        load = [booked[user.pk].get(w, 0) for w in weeks]
        week_caps = [week_capacity(cap, w) if cap else None for w in weeks]
        totals = [a + b for a, b in zip(totals, load, strict=True)]
        capacity_totals = [a + (b or 0) for a, b in zip(capacity_totals, week_caps, strict=True)]
        rows.append(
            {
                "consultant_id": user.pk,
                "name": user.get_full_name() or user.username,
                "weekly_cap": cap.weekly_cap if cap else None,
                "weeks": [
                    {"booked": n, "capacity": c, "share": n / c if c else None, "over": c is not None and n > c}
                    for n, c in zip(load, week_caps, strict=True)
                ],
            }
        )
    return {
        "weeks": weeks,
        "week_numbers": [w.isocalendar().week for w in weeks],
        "closed": closed_days(municipality.pk, weeks[0], weeks[-1] + dt.timedelta(days=6)),
        "rows": rows,
        "totals": totals,
        "capacity_totals": capacity_totals,
        "total_weeks": list(zip(totals, capacity_totals, strict=True)),
    }


def local_uptake(municipality: Municipality, year: int, today: dt.date) -> list[dict] | None:
    """For a year under the municipality's own target groups: visited / in the group (not exempt), per group in the
    standard's order (the DST summary measures uptake for the age-determined statutory groups only)."""
    if not QualityStandard.objects.filter(municipality=municipality, year=year).exclude(target_groups=[]).exists():
        return None  # the statutory groups (or their continuation): the DST summary's uptake
    report = targeting(municipality, year, today, home_help=False)
    return [
        {
            "code": row["code"],
            "label": row["label"],
            "recipients": row["years"][0].visited,
            "eligible": row["years"][0].in_group,
            "rate": row["years"][0].visited / row["years"][0].in_group if row["years"][0].in_group else None,
            "national_2021": None,
        }
        for row in report["rows"]
        if row["in_year"]
    ]


def dashboard(municipality: Municipality, year: int, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    this_year = year_summary(municipality, year)
    # The year before the first modelled year has no figures to compare with (not zero: unknown).
    last_year = year_summary(municipality, year - 1) if year > FIRST_YEAR else None
    months_this = [c["visits"] for c in this_year["by_month"].values()]
    months_last = [c["visits"] for c in last_year["by_month"].values()] if last_year else [None] * 12
    if year == today.year:  # months not yet begun are unknown, not zero
        months_this = [v if i < today.month else None for i, v in enumerate(months_this)]
    backlog_rows = backlog(municipality, year)
    letters = uptake_by_letter(municipality, year)
    load = consultant_load(municipality, today)
    status_names = [str(OfferStatus(s).label) for s in BACKLOG_STATUSES]
    backlog_colors = ("#a6192e", "#f29900", "#ffd100", "#358000", "#747474", "#c8c8c8")
    context = {
        "year": year,
        "today": today,
        "summary": this_year,
        "last_year_summary": last_year,
        "backlog": backlog_rows,
        "backlog_statuses": status_names,
        "backlog_totals": [sum(r["counts"][i] for r in backlog_rows) for i in range(len(BACKLOG_STATUSES))],
        "letters": letters,
        "load": load,
        "months": [
            {"label": label, "this": a, "last": b}
            for label, a, b in zip(MONTH_LABELS, months_this, months_last, strict=True)
        ],
        "uptake": [
            {"code": code, "label": _group_label(code, municipality), **cell}
            for code, cell in this_year["uptake"].items()
        ],
        "uptake_local": False,
    }
    local = local_uptake(municipality, year, today)
    if local is not None:  # the municipality's own groups: uptake per group from its offers
        context["uptake"], context["uptake_local"] = local, True
    context["chart_backlog"] = charts.stacked_bars(
        _("Tilbud efter målgruppe og status"),
        [r["label"] for r in backlog_rows],
        [
            charts.Series(name, tuple(r["counts"][i] for r in backlog_rows), backlog_colors[i])
            for i, name in enumerate(status_names)
        ],
        height=40 + 34 * max(len(backlog_rows), 1),
    )
    context["chart_months"] = charts.bar_chart(
        _("Besøg pr. måned"),
        list(MONTH_LABELS),
        [
            charts.Series(str(year), tuple(months_this), charts.PALETTE[0]),
            charts.Series(str(year - 1), tuple(months_last), charts.PALETTE[5]),
        ],
    )
    context["chart_letters"] = charts.bar_chart(
        _("Andel besøgt efter invitationsform"),
        [r["label"] for r in letters],
        [
            charts.Series(_("Datobrev"), tuple(r["kinds"][0]["rate"] for r in letters), charts.PALETTE[0]),
            charts.Series(_("Åbent brev"), tuple(r["kinds"][1]["rate"] for r in letters), charts.PALETTE[1]),
        ],
        percent=True,
    )
    context["chart_load"] = charts.bar_chart(
        _("Bookede besøg pr. uge mod kapacitet"),
        [_("uge %(n)s") % {"n": n} for n in load["week_numbers"]],
        [charts.Series(_("Booket"), tuple(load["totals"]), charts.PALETTE[0])],
        capacity=tuple(load["capacity_totals"]),
    )
    context["chart_uptake"] = charts.bar_chart(
        _("Modtagere i forhold til målgruppen"),
        [u["label"] for u in context["uptake"]],
        [
            charts.Series(_("Kommunen"), tuple(u["rate"] for u in context["uptake"]), charts.PALETTE[0]),
            charts.Series(_("Landsplan 2021"), tuple(u["national_2021"] for u in context["uptake"]), charts.PALETTE[5]),
        ],
        percent=True,
    )
    return context
