"""Letter batches, planning: which offers, the letter kind per target group within capacity (the
consultants' calendars, the slot planner), the draft and its preview, the proposal that moves
the lowest-priority date letters to open letters, and approval (bookings made, rendering queued)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format

from fhb.eligibility import policy_for
from fhb.errors import DomainError
from fhb.jobs import job_restart
from fhb.law.bek_716 import individual_letter_kind
from fhb.models import InvitationKind, Municipality, Offer, OfferStatus, Role, User
from fhb.offers import LETTER_PRIORITY
from fhb.registry.bulk import insert_with_history, update_values
from visits.models import (
    OCCUPYING,
    Absence,
    Booking,
    ConsultantCalendar,
    Visit,
    VisitKind,
    VisitOutcome,
)
from visits.workdays import closed_days

from ..models import BatchStatus, Letter, LetterBatch, Selection
from ..planner import Capacity, Demand, Plan, assign, booked_by_week, monday, week_capacity
from ..uptake import estimates
from .rendering import enqueue_render

log = logging.getLogger(__name__)

# Which groups keep their date letters longest when capacity runs out (the first is moved last).
DEFAULT_PRIORITY = ["at_risk_65_81", "age_82_plus", "age_80", "age_70_living_alone", "age_75"]
PLANNABLE_STATUSES = [OfferStatus.DUE, OfferStatus.NO_RESPONSE]
UNSENT = [BatchStatus.DRAFT, BatchStatus.APPROVED, BatchStatus.RENDERING, BatchStatus.READY, BatchStatus.FAILED]


def priority_for(municipality: Municipality, groups: list[str] | None = None, *, year: int | None = None) -> list[str]:
    """Which groups keep their date letters longest when capacity runs out: the municipality's
    own groups in its standard's order (from 2026), else its chosen order of the statutory groups."""
    local = policy_for(municipality, year).local_groups_for(year) if year else ()
    order = [g.code for g in local] or list(municipality.date_letter_priority or DEFAULT_PRIORITY)
    extra = sorted(g for g in (groups or []) if g not in order)
    return order + extra


def tz():
    return timezone.get_current_timezone()


# --- capacity --------------------------------------------------------------------------------------


def consultants(municipality: Municipality) -> list[User]:
    return list(
        User.objects.filter(municipality=municipality, role=Role.CONSULTANT, is_active=True)
        .select_related("calendar")
        .order_by("first_name", "last_name", "id")
    )


def capacities(
    municipality: Municipality, start: dt.date, end: dt.date, *, exclude_booking: int | None = None
) -> list[Capacity]:
    """The consultants' calendars as the planner sees them, with their absences, bookings (of the
    whole weeks, which the weekly cap counts), the weekly cap (the consultant's own, else the
    municipality's default) and the closed days."""
    people = consultants(municipality)
    start, end = monday(start), monday(end) + dt.timedelta(days=6)
    closed = frozenset(closed_days(municipality.pk, start, end))
    default_cap = settings.FHB["DEFAULT_WEEKLY_VISIT_CAPACITY"]
    calendars = {
        c.consultant_id: c
        for c in ConsultantCalendar.objects.filter(consultant__in=people).prefetch_related("districts")
    }
    absences = defaultdict(list)
    for a in Absence.objects.filter(consultant__in=people, ends_on__gte=start, starts_on__lte=end):
        absences[a.consultant_id].append((a.starts_on, a.ends_on))
    busy = defaultdict(list)
    window = (
        dt.datetime.combine(start - dt.timedelta(days=1), dt.time(), tzinfo=tz()),
        dt.datetime.combine(end + dt.timedelta(days=2), dt.time(), tzinfo=tz()),
    )
    bookings = Booking.objects.filter(consultant__in=people, status__in=OCCUPYING, starts_at__range=window)
    if exclude_booking:
        bookings = bookings.exclude(pk=exclude_booking)  # the one being moved
    for b in bookings.only("consultant_id", "starts_at", "duration_minutes"):
        busy[b.consultant_id].append((b.starts_at, b.ends_at))
    result = []
    for person in people:
        calendar = calendars.get(person.pk)
        if calendar is None:
            continue  # no working calendar: not planned with (the page says so)
        codes = {code for d in calendar.districts.all() for code in d.postal_codes}
        result.append(
            Capacity(
                consultant_id=person.pk,
                weekdays=frozenset(calendar.weekdays),
                slot_starts=tuple(calendar.slot_starts()),
                visit_minutes=calendar.visit_minutes,
                travel_minutes=calendar.travel_minutes,
                postal_codes=frozenset(codes) if codes else None,
                absences=tuple(absences[person.pk]),
                busy=tuple(busy[person.pk]),
                weekly_cap=person.weekly_visit_capacity or default_cap,
                closed=closed,
            )
        )
    return result


# --- planning ---------------------------------------------------------------------------------------


def candidate_offers(municipality: Municipality, *, year: int, groups: list[str], statuses: list[str], on: dt.date):
    """Offers a batch may write to: the year's, in the groups and statuses chosen, not exempt, the
    citizen alive and living here, and not already in a batch that has not been sent."""
    in_groups = Q()
    for group in groups:
        in_groups |= Q(groups__contains=f"|{group}|")
    return (
        Offer.objects.filter(municipality=municipality, year=year, status__in=statuses, exempt=False)
        .filter(in_groups)
        .filter(Q(citizen__deceased_on__isnull=True) | Q(citizen__deceased_on__gt=on))
        .filter(Q(citizen__moved_out_on__isnull=True) | Q(citizen__moved_out_on__gt=on))
        .exclude(letters__batch__status__in=UNSENT)
        .select_related("citizen")
        .order_by("birth_date", "id")
    )


def choose(offer_groups: list[str], chosen: list[str], kinds: dict[str, str], priority: list[str], individual: bool):
    """(group, letter kind) for one citizen: the most supportive kind among their chosen groups,
    named after the highest-priority group giving it."""
    mine = [g for g in priority if g in offer_groups and g in chosen]
    options = []
    for group in mine:
        # declined an event: an individual visit (BEK 716/2019 § 2)
        kind = individual_letter_kind(kinds.get(group, InvitationKind.DATE_LETTER), individual)
        options.append((LETTER_PRIORITY.index(kind), mine.index(group), group, kind))
    _, _, group, kind = min(options)
    return group, kind


def previous_consultants(citizen_ids: list[int]) -> dict[int, int]:
    """citizen -> the consultant of their latest completed visit (continuity)."""
    result: dict[int, int] = {}
    rows = (
        Visit.objects.filter(
            citizen_id__in=citizen_ids,
            consultant__isnull=False,
            outcome=VisitOutcome.COMPLETED,
            kind__in=[VisitKind.HOME_VISIT, VisitKind.FOLLOW_UP_VISIT],
        )
        .order_by("visit_date", "id")
        .values_list("citizen_id", "consultant_id")
    )
    for chunk_start in range(0, len(citizen_ids), 5000):
        ids = citizen_ids[chunk_start : chunk_start + 5000]
        for citizen_id, consultant_id in rows.filter(citizen_id__in=ids):
            result[citizen_id] = consultant_id
    return result


def _month(month: int) -> str:
    """The month's Danish name (the reasons are stored, in Danish, whatever the user's language)."""
    with translation.override("da"):
        return date_format(dt.date(2000, month, 1), "F")


def select_share(rows: list[tuple[Offer, str, str]], selection: str, start: dt.date, end: dt.date):
    """The month's share of the year's group. Returns (the rows in the batch, why each is in it by
    offer id, who waits: group -> birth month -> count).

    - `all`: everyone (the reason is the group);
    - `birth_month`: citizens whose birthday falls in the period's months, and those whose birthday
      came earlier in the year and who have not been invited yet; the rest wait for their month;
    - `even`: per group, the remaining citizens spread evenly over the year's remaining months
      (this period's months of those left, rounded up), earliest birthday first."""
    first, last = start.month, end.month
    chosen, reasons = [], {}
    waiting: dict[str, Counter] = defaultdict(Counter)
    if selection == Selection.ALL:
        return rows, {o.pk: "" for o, _, _ in rows}, {}
    if selection == Selection.BIRTH_MONTH:
        for row in rows:
            offer, group, _kind = row
            month = offer.citizen.birth_date.month
            if month > last:
                waiting[group][month] += 1
                continue
            chosen.append(row)
            reasons[offer.pk] = (
                f"Fødselsdag i {_month(month)}"
                if month >= first
                else f"Fødselsdag i {_month(month)}, endnu ikke inviteret"
            )
        return chosen, reasons, {g: dict(sorted(c.items())) for g, c in waiting.items()}
    if selection == Selection.EVEN:
        months_left = 12 - first + 1
        months_here = last - first + 1
        by_group: dict[str, list] = defaultdict(list)
        for row in rows:
            by_group[row[1]].append(row)
        for group, members in by_group.items():
            members.sort(key=lambda r: (r[0].citizen.birth_date.month, r[0].citizen.birth_date.day, r[0].pk))
            quota = -(-len(members) * months_here // months_left)  # rounded up
            for row in members[:quota]:
                chosen.append(row)
                reasons[row[0].pk] = (
                    f"Jævn fordeling: {quota} af gruppens {len(members)} i denne brevrunde "
                    f"({months_left} måneder tilbage af året)"
                )
            for row in members[quota:]:
                waiting[group][row[0].citizen.birth_date.month] += 1
        chosen.sort(key=lambda r: (r[0].birth_date, r[0].pk))
        return chosen, reasons, {g: dict(sorted(c.items())) for g, c in waiting.items()}
    raise DomainError("Vælg hele gruppen, fødselsmåned eller jævn fordeling.", field="selection")


def _validate(municipality, *, period_start, period_end, groups, statuses, letter_kinds, event) -> None:
    if period_end < period_start:
        raise DomainError("Perioden slutter før den begynder.", field="period_end")
    if (period_end - period_start).days > 92:
        raise DomainError("En brevrunde kan højst dække tre måneder.", field="period_end")
    if period_start.year != period_end.year:
        raise DomainError("En brevrunde skal ligge inden for ét kalenderår.", field="period_end")
    if not groups:
        raise DomainError("Vælg mindst én målgruppe.", field="groups")
    if not statuses or any(s not in PLANNABLE_STATUSES for s in statuses):
        raise DomainError("Vælg tilbud, der skal tilbydes, eller som ikke har svaret.", field="statuses")
    for group, kind in letter_kinds.items():
        if kind not in InvitationKind.values:
            raise DomainError(f"Ukendt brevtype for {group}: {kind}.", field="letter_kinds")
    uses_event = any(letter_kinds.get(g) == InvitationKind.COLLECTIVE_EVENT for g in groups)
    if uses_event and event is None:
        raise DomainError("Vælg det arrangement, invitationerne gælder.", field="event")
    if event is not None and (event.municipality_id != municipality.pk or event.cancelled):
        raise DomainError("Arrangementet findes ikke eller er aflyst.", field="event")


def _plan(
    municipality: Municipality,
    *,
    period_start: dt.date,
    period_end: dt.date,
    groups: list[str],
    statuses: list[str],
    letter_kinds: dict[str, str],
    letter_date: dt.date | None = None,
    selection: str = "all",
) -> tuple[list[tuple[Offer, str, str]], Plan, dict, dict[int, str]]:
    """Choose each citizen's letter, the period's share of the group, and plan the date letters.
    Returns (offer, group, kind) rows, the slot plan, the preview figures and why each is in."""
    priority = priority_for(municipality, groups, year=period_start.year)
    offers = list(
        candidate_offers(municipality, year=period_start.year, groups=groups, statuses=statuses, on=period_start)
    )
    rows = []
    for offer in offers:
        group, kind = choose(offer.group_codes, groups, letter_kinds, priority, offer.individual_required)
        rows.append((offer, group, kind))
    rows, reasons, waiting = select_share(rows, selection, period_start, period_end)
    date_rows = [r for r in rows if r[2] == InvitationKind.DATE_LETTER]
    previous = previous_consultants([o.citizen_id for o, _, _ in date_rows])
    # The letter must reach the citizen first: no visit earlier than three days after the letter
    # date (and never earlier than three days from now).
    sent = dt.datetime.combine(letter_date or timezone.localdate(), dt.time(), tzinfo=tz())
    not_before = max(timezone.now(), sent) + dt.timedelta(days=3)
    caps = capacities(municipality, period_start, period_end)
    plan = assign(
        [Demand(o.pk, o.citizen.postal_code, previous.get(o.citizen_id)) for o, _, _ in date_rows],
        caps,
        period_start,
        period_end,
        tz=tz(),
        not_before=not_before,
    )
    preview = _preview(municipality, period_start, rows, plan, caps, groups, letter_kinds, priority, period_end)
    preview["selection"] = selection
    preview["waiting"] = {
        group: {"total": sum(months.values()), "months": [[_month(m), n] for m, n in months.items()]}
        for group, months in waiting.items()
    }
    for row in preview["groups"]:
        row["waiting"] = preview["waiting"].get(row["group"], {}).get("total", 0)
    return rows, plan, preview, reasons


def _preview(municipality, period_start, rows, plan: Plan, caps, groups, letter_kinds, priority, period_end) -> dict:
    unplaced = set(plan.unplaced)
    counts: dict[str, Counter] = defaultdict(Counter)
    for offer, group, kind in rows:
        counts[group][kind] += 1
        if offer.pk in unplaced:
            counts[group]["unplaced"] += 1
    uptake = estimates(municipality, period_start.year, groups)
    group_rows = []
    for group in [g for g in priority if g in groups]:
        c = counts.get(group, Counter())
        expected = sum(c[k] * uptake[(group, k)].rate for k in InvitationKind.values)
        expected -= c["unplaced"] * uptake[(group, InvitationKind.DATE_LETTER)].rate  # left out: no letter
        group_rows.append(
            {
                "group": group,
                "kind": letter_kinds.get(group, InvitationKind.DATE_LETTER),
                "date_letter": c[InvitationKind.DATE_LETTER],
                "open_letter": c[InvitationKind.OPEN_LETTER],
                "collective_event": c[InvitationKind.COLLECTIVE_EVENT],
                "unplaced": c["unplaced"],
                "expected_visits": round(expected, 1),
                "uptake_date": uptake[(group, InvitationKind.DATE_LETTER)].rate,
                "uptake_open": uptake[(group, InvitationKind.OPEN_LETTER)].rate,
                "uptake_source": uptake[(group, InvitationKind.DATE_LETTER)].source,
            }
        )
    proposal = _proposal(rows, plan, groups, letter_kinds, priority, uptake)
    names = {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=[c.consultant_id for c in caps])}
    load = []
    for cap in caps:
        days = plan.load.get(cap.consultant_id, {})
        weeks: Counter = Counter()
        for day, n in days.items():
            weeks[day.isocalendar().week] += n
        booked = booked_by_week(cap, tz=tz())
        planned_by_week = Counter(monday(day) for day in days for _ in range(days[day]))
        load.append(
            {
                "consultant_id": cap.consultant_id,
                "name": names.get(cap.consultant_id, ""),
                "planned": sum(days.values()),
                "weeks": {str(w): n for w, n in sorted(weeks.items())},
                "days": {d.isoformat(): n for d, n in sorted(days.items())},
                # Each week of the period against the one capacity figure the dashboard shows:
                # bookings already there, this batch's, and the week's capacity.
                "week_load": [
                    {
                        "week": week.isocalendar().week,
                        "monday": week.isoformat(),
                        "booked": booked.get(week, 0),
                        "planned": planned_by_week.get(week, 0),
                        "capacity": week_capacity(cap, week),
                    }
                    for week in _mondays(period_start, period_end)
                ],
            }
        )
    return {
        "letters": sum(1 for o, _, _ in rows if o.pk not in unplaced),
        "date_letters": len(plan.assigned),
        "unplaced": len(unplaced),
        "unplaced_offers": sorted(unplaced),
        "free_slots_before": plan.free_before,
        "free_slots_after": plan.free_after,
        "consultants_without_calendar": _without_calendar(municipality),
        "groups": group_rows,
        "expected_visits": round(sum(r["expected_visits"] for r in group_rows), 1),
        "proposal": proposal,
        "load": load,
        "priority": [g for g in priority if g in groups],
    }


def _mondays(start: dt.date, end: dt.date) -> list[dt.date]:
    weeks, week = [], monday(start)
    while week <= end:
        weeks.append(week)
        week += dt.timedelta(days=7)
    return weeks


def _without_calendar(municipality) -> list[str]:
    return [
        u.get_full_name() or u.username
        for u in User.objects.filter(
            municipality=municipality, role=Role.CONSULTANT, is_active=True, calendar__isnull=True
        )
    ]


def _proposal(rows, plan: Plan, groups, letter_kinds, priority, uptake) -> list[dict]:
    """When date letters do not fit: move groups to open letters, lowest priority first, one more
    group per option, until the remaining date letters fit the free slots. Each option with its
    expected visits. The first row is the plan as it stands (the date letters that do not fit are
    left out of the batch)."""
    if not plan.unplaced:
        return []
    capacity = plan.free_before
    date_groups = [g for g in priority if g in groups and letter_kinds.get(g) == InvitationKind.DATE_LETTER]
    by_group = Counter(g for _, g, k in rows if k == InvitationKind.DATE_LETTER)
    unplaced = set(plan.unplaced)
    left_out = Counter(g for o, g, k in rows if k == InvitationKind.DATE_LETTER and o.pk in unplaced)

    def rate(group, kind):
        return uptake[(group, kind)].rate

    options = [
        {
            "move_to_open": [],
            # Counted as every other row: the date letters wanted, and those left without a time.
            "date_letters": sum(by_group.values()),
            "left_out": len(unplaced),
            "fits": False,
            "expected_visits": round(sum((n - left_out[g]) * rate(g, "date_letter") for g, n in by_group.items()), 1),
        }
    ]
    moved: list[str] = []
    for group in reversed(date_groups):
        moved.append(group)
        demand = sum(n for g, n in by_group.items() if g not in moved)
        expected = sum(n * rate(g, "open_letter" if g in moved else "date_letter") for g, n in by_group.items())
        if demand > capacity:  # the date letters that still do not fit get no letter in this batch
            kept = [g for g in by_group if g not in moved]
            average = sum(by_group[g] * rate(g, "date_letter") for g in kept) / max(demand, 1)
            expected -= (demand - capacity) * average
        options.append(
            {
                "move_to_open": list(moved),
                "date_letters": demand,
                "left_out": max(demand - capacity, 0),
                "fits": demand <= capacity,
                "expected_visits": round(expected, 1),
            }
        )
        if demand <= capacity:
            break
    return options


@transaction.atomic
def batch_plan(
    *,
    municipality: Municipality,
    user: User,
    period_start: dt.date,
    period_end: dt.date,
    groups: list[str],
    statuses: list[str] | None = None,
    letter_kinds: dict[str, str] | None = None,
    letter_date: dt.date | None = None,
    event=None,
    batch: LetterBatch | None = None,
    selection: str = Selection.ALL,
) -> LetterBatch:
    """Make (or, for a draft, remake) a batch: each citizen's letter, the date letters' slots, the
    preview. Nothing is booked and no offer changes until approval."""
    statuses = statuses or [OfferStatus.DUE]
    if selection not in Selection.values:
        raise DomainError("Vælg hele gruppen, fødselsmåned eller jævn fordeling.", field="selection")
    policy = policy_for(municipality, period_start.year)
    kinds = {g: policy.invitation_for(g) for g in groups}
    kinds.update({g: k for g, k in (letter_kinds or {}).items() if g in groups})
    _validate(
        municipality,
        period_start=period_start,
        period_end=period_end,
        groups=groups,
        statuses=statuses,
        letter_kinds=kinds,
        event=event,
    )
    letter_date = letter_date or timezone.localdate()
    if letter_date < timezone.localdate():
        # A letter dated in the past would land every citizen on the call list at once.
        raise DomainError("Brevdatoen ligger før i dag. Vælg i dag eller en senere dato.", field="letter_date")
    if letter_date > period_end:
        raise DomainError("Brevdatoen ligger efter perioden for besøgene.", field="letter_date")
    if batch is not None:
        batch = LetterBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != BatchStatus.DRAFT:
            raise DomainError("Kun en kladde kan planlægges om.")
        batch.letters.all().delete()
    rows, plan, preview, reasons = _plan(
        municipality, period_start=period_start, period_end=period_end, groups=groups, statuses=statuses,
        letter_kinds=kinds, letter_date=letter_date, selection=selection,
    )  # fmt: skip
    if batch is None:
        batch = LetterBatch(municipality=municipality, created_by=user)
    batch.period_start, batch.period_end = period_start, period_end
    batch.groups, batch.statuses, batch.letter_kinds = groups, statuses, kinds
    batch.letter_date = letter_date
    batch.selection = selection
    batch.event = event
    batch.plan = preview
    batch.letters_total = preview["letters"]
    batch.save()
    letters = []
    for offer, group, kind in rows:
        slot = plan.assigned.get(offer.pk)
        if kind == InvitationKind.DATE_LETTER and slot is None:
            continue  # does not fit: left for a later batch (the preview lists them)
        letters.append(
            Letter(
                batch=batch,
                offer=offer,
                citizen_id=offer.citizen_id,
                kind=kind,
                group=group,
                consultant_id=slot[0] if slot else None,
                starts_at=slot[1] if slot else None,
                paper=offer.citizen.digital_post_exempt,
                reason=reasons.get(offer.pk, "")[:200],
            )
        )
    Letter.objects.bulk_create(letters, batch_size=2000)
    return batch


def batch_apply_proposal(*, batch: LetterBatch, user: User, move_to_open: list[str]) -> LetterBatch:
    kinds = dict(batch.letter_kinds)
    for group in move_to_open:
        if group not in kinds:
            raise DomainError(f"{group} er ikke med i brevrunden.")
        kinds[group] = InvitationKind.OPEN_LETTER
    return batch_plan(
        municipality=batch.municipality, user=user, period_start=batch.period_start, period_end=batch.period_end,
        groups=batch.groups, statuses=batch.statuses, letter_kinds=kinds,
        letter_date=max(batch.letter_date, timezone.localdate()),
        event=batch.event, batch=batch, selection=batch.selection,
    )  # fmt: skip


# --- approval, rendering, sending, cancelling ------------------------------------------------------


@transaction.atomic
def batch_approve(*, batch: LetterBatch, user: User) -> LetterBatch:
    """Book every date letter's slot, all or nothing, and start rendering."""
    batch = LetterBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != BatchStatus.DRAFT:
        raise DomainError("Kun en kladde kan godkendes.")
    dated = list(
        batch.letters.filter(kind=InvitationKind.DATE_LETTER).exclude(starts_at=None).select_related("consultant")
    )
    people = sorted({letter.consultant_id for letter in dated})
    list(User.objects.select_for_update().filter(pk__in=people).values_list("pk"))  # serialise per consultant
    calendars = {c.consultant_id: c for c in ConsultantCalendar.objects.filter(consultant_id__in=people)}
    clashes = _clashes(dated, calendars)
    if clashes:
        raise DomainError(
            f"{clashes} af brevrundens tider er blevet optaget, siden den blev planlagt. "
            "Planlæg brevrunden igen, før den godkendes."
        )
    now = timezone.now()
    bookings = [
        Booking(
            municipality_id=batch.municipality_id,
            citizen_id=letter.citizen_id,
            offer_id=letter.offer_id,
            consultant_id=letter.consultant_id,
            kind="home_visit",
            starts_at=letter.starts_at,
            duration_minutes=calendars[letter.consultant_id].visit_minutes,
            note=f"Datobrev (brevrunde {batch.pk})",
            created_by=user,
            created_at=now,  # the COPY path of insert_with_history does not run auto_now_add
        )
        for letter in dated
    ]
    insert_with_history(Booking, bookings, user=user, reason="letter batch", now=now)
    update_values(
        Letter, ["booking_id"], [[letter.pk, booking.pk] for letter, booking in zip(dated, bookings, strict=True)]
    )
    batch.status = BatchStatus.APPROVED
    batch.approved_by, batch.approved_at = user, now
    batch.letters_total = batch.letters.count()
    batch.letters_done = batch.letters.exclude(sha256="").count()
    batch.save()
    transaction.on_commit(lambda: enqueue_render(batch.pk))
    return batch


def _clashes(dated: list[Letter], calendars) -> int:
    if not dated:
        return 0
    first = min(letter.starts_at for letter in dated) - dt.timedelta(days=1)
    last = max(letter.starts_at for letter in dated) + dt.timedelta(days=1)
    busy = defaultdict(list)
    for b in Booking.objects.filter(
        consultant_id__in=calendars, status__in=OCCUPYING, starts_at__range=(first, last)
    ).only("consultant_id", "starts_at", "duration_minutes"):
        busy[b.consultant_id].append((b.starts_at, b.ends_at))
    clashes = 0
    for letter in dated:
        length = dt.timedelta(minutes=calendars[letter.consultant_id].visit_minutes)
        if any(s < letter.starts_at + length and letter.starts_at < e for s, e in busy[letter.consultant_id]):
            clashes += 1
    return clashes


def batch_retry(*, batch: LetterBatch, user: User) -> LetterBatch:
    """Resume rendering after a failure, or when it has stalled (a lost worker): the letters
    without a PDF are queued again (fhb.jobs: who and when are kept). A lost chunk that comes back
    later finds its letters done."""
    if not job_restart(batch, user=user):
        raise DomainError("Brevene kan kun dannes igen, når dannelsen er fejlet eller står stille.")
    batch.refresh_from_db()
    return batch
