"""Letter batches: plan (draft) → approve (slots booked) → render (PDFs) → ready → send (offers
invited), or cancel before sending; and the responses to the letters.

Every step is one service used by the web, the API, the commands and the Celery tasks. Re-running
a step never makes a second letter or booking: letters are unique per batch and offer, bookings are
made once at approval inside one transaction, and rendering skips letters that already have a PDF.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
from collections import Counter, defaultdict

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from fhb import background
from fhb.eligibility import policy_for
from fhb.errors import DomainError
from fhb.exports import SafeCsvWriter
from fhb.law.bek_716 import individual_letter_kind
from fhb.models import Citizen, InvitationKind, Municipality, Offer, OfferStatus, Role, User
from fhb.offers import ALLOWED, LETTER_PRIORITY, Move, offer_transition, offers_move
from fhb.pdf import document
from fhb.registry.bulk import insert_with_history, update_values
from fhb.services import citizen_access_log
from visits.bookings import booking_cancel, booking_create
from visits.models import (
    Absence,
    Booking,
    BookingStatus,
    ConsultantCalendar,
    EventRegistration,
    RegistrationStatus,
    Visit,
    VisitKind,
    VisitOutcome,
)

from . import letters as letterlib
from .models import BatchStatus, Letter, LetterBatch, LetterResponse
from .planner import Capacity, Demand, Plan, assign, free_slots
from .uptake import estimates

log = logging.getLogger(__name__)

# Which groups keep their date letters longest when capacity runs out (the first is moved last).
DEFAULT_PRIORITY = ["at_risk_65_81", "age_82_plus", "age_80", "age_70_living_alone", "age_75"]
PLANNABLE_STATUSES = [OfferStatus.DUE, OfferStatus.NO_RESPONSE]
UNSENT = [BatchStatus.DRAFT, BatchStatus.APPROVED, BatchStatus.RENDERING, BatchStatus.READY, BatchStatus.FAILED]
CHUNK = 50  # letters per WeasyPrint document


def priority_for(municipality: Municipality, groups: list[str] | None = None) -> list[str]:
    order = list(municipality.date_letter_priority or DEFAULT_PRIORITY)
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


def capacities(municipality: Municipality, start: dt.date, end: dt.date) -> list[Capacity]:
    """The consultants' calendars as the planner sees them, with their absences and bookings."""
    people = consultants(municipality)
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
    for b in Booking.objects.filter(consultant__in=people, status=BookingStatus.BOOKED, starts_at__range=window).only(
        "consultant_id", "starts_at", "duration_minutes"
    ):
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
) -> tuple[list[tuple[Offer, str, str]], Plan, dict]:
    """Choose each citizen's letter and plan the date letters. Returns (offer, group, kind) rows,
    the slot plan and the preview figures."""
    priority = priority_for(municipality, groups)
    offers = list(
        candidate_offers(municipality, year=period_start.year, groups=groups, statuses=statuses, on=period_start)
    )
    rows = []
    for offer in offers:
        group, kind = choose(offer.group_codes, groups, letter_kinds, priority, offer.individual_required)
        rows.append((offer, group, kind))
    date_rows = [r for r in rows if r[2] == InvitationKind.DATE_LETTER]
    previous = previous_consultants([o.citizen_id for o, _, _ in date_rows])
    now = timezone.now()
    # The letter must reach the citizen first: no visit earlier than three days from now.
    not_before = now + dt.timedelta(days=3)
    caps = capacities(municipality, period_start, period_end)
    plan = assign(
        [Demand(o.pk, o.citizen.postal_code, previous.get(o.citizen_id)) for o, _, _ in date_rows],
        caps,
        period_start,
        period_end,
        tz=tz(),
        not_before=not_before,
    )
    preview = _preview(municipality, period_start, rows, plan, caps, groups, letter_kinds, priority)
    return rows, plan, preview


def _preview(municipality, period_start, rows, plan: Plan, caps, groups, letter_kinds, priority) -> dict:
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
        load.append(
            {
                "consultant_id": cap.consultant_id,
                "name": names.get(cap.consultant_id, ""),
                "planned": sum(days.values()),
                "weeks": {str(w): n for w, n in sorted(weeks.items())},
                "days": {d.isoformat(): n for d, n in sorted(days.items())},
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
            "date_letters": len(plan.assigned),
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
) -> LetterBatch:
    """Make (or, for a draft, remake) a batch: each citizen's letter, the date letters' slots, the
    preview. Nothing is booked and no offer changes until approval."""
    statuses = statuses or [OfferStatus.DUE]
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
    if batch is not None:
        batch = LetterBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != BatchStatus.DRAFT:
            raise DomainError("Kun en kladde kan planlægges om.")
        batch.letters.all().delete()
    rows, plan, preview = _plan(
        municipality, period_start=period_start, period_end=period_end, groups=groups, statuses=statuses,
        letter_kinds=kinds,
    )  # fmt: skip
    if batch is None:
        batch = LetterBatch(municipality=municipality, created_by=user)
    batch.period_start, batch.period_end = period_start, period_end
    batch.groups, batch.statuses, batch.letter_kinds = groups, statuses, kinds
    batch.letter_date = letter_date or timezone.localdate()
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
        groups=batch.groups, statuses=batch.statuses, letter_kinds=kinds, letter_date=batch.letter_date,
        event=batch.event, batch=batch,
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
    transaction.on_commit(lambda: _enqueue_render(batch.pk))
    return batch


def _clashes(dated: list[Letter], calendars) -> int:
    if not dated:
        return 0
    first = min(letter.starts_at for letter in dated) - dt.timedelta(days=1)
    last = max(letter.starts_at for letter in dated) + dt.timedelta(days=1)
    busy = defaultdict(list)
    for b in Booking.objects.filter(
        consultant_id__in=calendars, status=BookingStatus.BOOKED, starts_at__range=(first, last)
    ).only("consultant_id", "starts_at", "duration_minutes"):
        busy[b.consultant_id].append((b.starts_at, b.ends_at))
    clashes = 0
    for letter in dated:
        length = dt.timedelta(minutes=calendars[letter.consultant_id].visit_minutes)
        if any(s < letter.starts_at + length and letter.starts_at < e for s, e in busy[letter.consultant_id]):
            clashes += 1
    return clashes


def batch_retry(*, batch: LetterBatch) -> LetterBatch:
    """Resume rendering after a failure, or when it has stalled (a lost worker): the letters
    without a PDF are queued again. A lost chunk that comes back later finds its letters done."""
    if not (batch.status == BatchStatus.FAILED or batch.is_stalled):
        raise DomainError("Brevene kan kun dannes igen, når dannelsen er fejlet eller står stille.")
    transaction.on_commit(lambda: _enqueue_render(batch.pk))
    return batch


def _enqueue_render(batch_id: int) -> None:
    from .tasks import batch_render_task  # cycle: invitations.tasks runs this module's batch_render

    background.start(batch_render_task, batch_id)


def batch_render(batch_id: int, *, inline: bool = False, progress=None) -> LetterBatch:
    """Start (or resume) rendering: the letters without a PDF, in chunks, each chunk one task —
    or, `inline` (the render_letters command), each chunk rendered here, one after the other,
    reporting `progress(done, total)`."""
    from .tasks import render_chunk_task  # cycle: invitations.tasks runs this module's render_chunk

    with transaction.atomic():
        batch = LetterBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status not in (BatchStatus.APPROVED, BatchStatus.RENDERING, BatchStatus.FAILED):
            return batch
        batch.status = BatchStatus.RENDERING
        batch.message = ""
        batch.progress_at = timezone.now()
        batch.save(update_fields=["status", "message", "progress_at"])
    pending = list(batch.letters.filter(sha256="").order_by("id").values_list("id", flat=True))
    if not pending:
        batch_finish(batch_id)
        return LetterBatch.objects.get(pk=batch_id)
    for start in range(0, len(pending), CHUNK):
        chunk = pending[start : start + CHUNK]
        if not inline:
            render_chunk_task.delay(batch_id, chunk)
            continue
        render_chunk(batch_id, chunk)
        if progress:
            progress(start + len(chunk), len(pending))
    return LetterBatch.objects.get(pk=batch_id)


def render_chunk(batch_id: int, letter_ids: list[int]) -> int:
    """Render the chunk's letters that have no PDF yet as one document, split it into one PDF per
    letter and store them. Returns how many were rendered; 0 when a retry finds them done."""
    batch = LetterBatch.objects.select_related("municipality", "event").get(pk=batch_id)
    if batch.status != BatchStatus.RENDERING:
        return 0
    todo = list(
        Letter.objects.filter(batch_id=batch_id, pk__in=letter_ids, sha256="")
        .select_related("citizen", "consultant")
        .order_by("id")
    )
    if not todo:
        return 0
    municipality = batch.municipality
    templates = {kind: letterlib.template_for(municipality, kind) for kind in {letter.kind for letter in todo}}
    blocks = []
    for letter in todo:
        subject, body = templates[letter.kind]
        fields = letterlib.fields_for(
            citizen=letter.citizen,
            municipality=municipality,
            consultant=letter.consultant,
            starts_at=letter.starts_at,
            event=batch.event if letter.kind == InvitationKind.COLLECTIVE_EVENT else None,
        )
        blocks.append(
            letterlib.letter_block(
                anchor=f"letter-{letter.pk}", subject=subject, body=body, fields=fields, recipient=letter.citizen,
                municipality=municipality, letter_date=batch.letter_date,
            )
        )  # fmt: skip
    rendered = document(letterlib.document(blocks))
    starts = {}
    for index, page in enumerate(rendered.pages):
        for anchor in page.anchors:
            if anchor.startswith("letter-"):
                starts[int(anchor[7:])] = index
    reader = PdfReader(io.BytesIO(rendered.write_pdf()))
    bounds = [starts[letter.pk] for letter in todo] + [len(reader.pages)]
    updates = []
    for i, letter in enumerate(todo):
        writer = PdfWriter()
        for page in range(bounds[i], bounds[i + 1]):
            writer.add_page(reader.pages[page])
        writer.add_metadata({"/Title": f"Brev {letter.pk}", "/Producer": "fhb"})
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
        name = f"letters/batch-{batch_id}/letter-{letter.pk}.pdf"
        default_storage.delete(name)  # a retry overwrites, never adds a second file
        default_storage.save(name, ContentFile(data))
        updates.append([letter.pk, name, hashlib.sha256(data).hexdigest(), bounds[i + 1] - bounds[i]])
    with transaction.atomic():
        # Only letters still without a PDF: two runs of the same chunk count each letter once.
        fresh = set(Letter.objects.filter(pk__in=[u[0] for u in updates], sha256="").values_list("pk", flat=True))
        updates = [u for u in updates if u[0] in fresh]
        if updates:
            update_values(Letter, ["pdf", "sha256", "pages"], updates)
            LetterBatch.objects.filter(pk=batch_id).update(
                letters_done=F("letters_done") + len(updates), progress_at=timezone.now()
            )
    if not Letter.objects.filter(batch_id=batch_id, sha256="").exists():
        batch_finish(batch_id)
    return len(updates)


def batch_fail(batch_id: int, message: str) -> None:
    log.exception("letter batch %s failed", batch_id)
    LetterBatch.objects.filter(pk=batch_id, status=BatchStatus.RENDERING).update(
        status=BatchStatus.FAILED, message=message[:1000]
    )


def batch_finish(batch_id: int) -> LetterBatch:
    """All letters rendered: the print shop's PDF (paper letters, in postal-code order), the
    manifest for Digital Post, and the batch is ready. Deterministic, so running it twice is harmless."""
    with transaction.atomic():
        batch = LetterBatch.objects.select_for_update().select_related("municipality").get(pk=batch_id)
        if batch.status != BatchStatus.RENDERING:
            return batch
        letters = list(batch.letters.select_related("citizen", "consultant").order_by("id"))
        writer = PdfWriter()
        for letter in sorted((x for x in letters if x.paper), key=lambda x: (x.citizen.postal_code, x.pk)):
            with default_storage.open(letter.pdf.name, "rb") as fh:
                for page in PdfReader(io.BytesIO(fh.read())).pages:
                    writer.add_page(page)
        prefix = f"letters/batch-{batch_id}"
        if writer.pages:
            out = io.BytesIO()
            writer.write(out)
            _store(batch, "print_pdf", f"{prefix}/tryk.pdf", out.getvalue())
        manifest = manifest_rows(batch, letters)
        _store(batch, "manifest_json", f"{prefix}/manifest.json", manifest_json(batch, manifest))
        _store(batch, "manifest_csv", f"{prefix}/manifest.csv", manifest_csv(manifest))
        batch.status = BatchStatus.READY
        batch.rendered_at = timezone.now()
        batch.letters_done = len(letters)
        batch.save()
    return batch


def _store(batch, field: str, name: str, data: bytes) -> None:
    default_storage.delete(name)
    getattr(batch, field).name = default_storage.save(name, ContentFile(data))


MANIFEST_FIELDS = [
    "letter_id", "cpr", "name", "channel", "kind", "group", "visit_start", "consultant", "pdf", "sha256", "pages",
]  # fmt: skip


BATCH_FILES = {"print.pdf": "print_pdf", "manifest.json": "manifest_json", "manifest.csv": "manifest_csv"}


def batch_file(*, batch: LetterBatch, name: str, user: User, path: str):
    """Open one of a batch's files for download, logging the access for every citizen in it (the
    print PDF holds the paper letters; the manifests every letter, with CPR numbers)."""
    field = getattr(batch, BATCH_FILES.get(name, ""), None)
    if not field:
        raise DomainError("Filen er ikke dannet.")
    letters = batch.letters.select_related("citizen")
    if name == "print.pdf":
        letters = letters.filter(paper=True)

    citizen_access_log(user=user, citizens=[x.citizen for x in letters], endpoint=path, purpose="brevrunde")
    return default_storage.open(field.name, "rb")


def manifest_rows(batch: LetterBatch, letters: list[Letter]) -> list[dict]:
    """One row per letter: what a Digital Post (MeMo, SF1601) integration needs to send it, or that
    it goes on paper. The CPR is the recipient's identifier in MeMo."""
    return [
        {
            "letter_id": letter.pk,
            "cpr": letter.citizen.cpr,
            "name": f"{letter.citizen.first_name} {letter.citizen.last_name}",
            "channel": "paper" if letter.paper else "digital_post",
            "kind": letter.kind,
            "group": letter.group,
            "visit_start": timezone.localtime(letter.starts_at).isoformat() if letter.starts_at else "",
            "consultant": (letter.consultant.get_full_name() if letter.consultant else ""),
            "pdf": f"letter-{letter.pk}.pdf",
            "sha256": letter.sha256,
            "pages": letter.pages,
        }
        for letter in letters
    ]


def manifest_json(batch: LetterBatch, rows: list[dict]) -> bytes:
    municipality = batch.municipality
    document = {
        "batch": batch.pk,
        "sender": {"municipality_code": municipality.code, "name": municipality.name, "cvr": municipality.cvr},
        "letter_date": batch.letter_date.isoformat(),
        "memo": {"message_type": "DigitalPost", "label": "Forebyggende hjemmebesøg"},
        "letters": rows,
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def manifest_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = SafeCsvWriter(out, delimiter=";", lineterminator="\n")
    writer.writerow(MANIFEST_FIELDS)
    writer.writerows([row[f] for f in MANIFEST_FIELDS] for row in rows)
    return out.getvalue().encode()


@transaction.atomic
def batch_send(*, batch: LetterBatch, user: User) -> LetterBatch:
    """The letters have gone out: each offer is invited with its letter kind and the letter date;
    event invitations put the citizen on the event's list."""
    batch = LetterBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != BatchStatus.READY:
        raise DomainError("Kun en færdig brevrunde kan sendes.")
    now = timezone.now()
    rows = list(batch.letters.values_list("offer_id", "kind", "citizen_id", "starts_at"))
    # Only offers still where the batch found them: one visited, booked or declined since the
    # batch was planned keeps its status (the letter has gone, but it changes nothing).
    moved = offers_move(
        [
            Move(offer_id, OfferStatus.INVITED, _note(kind, at), batch.letter_date, kind)
            for offer_id, kind, _, at in rows
        ],
        user=user,
        only_from=set(batch.statuses),
    )
    unchanged = len(rows) - len(moved)
    batch.message = (
        f"{unchanged} af brevenes tilbud var ændret siden planlægningen (fx besøgt eller booket) og beholder "
        "deres status."
        if unchanged
        else ""
    )
    if batch.event_id:
        already = set(EventRegistration.objects.filter(event_id=batch.event_id).values_list("citizen_id", flat=True))
        regs = [
            EventRegistration(event_id=batch.event_id, citizen_id=c, status=RegistrationStatus.INVITED, invited_at=now)
            for _, kind, c, _ in rows
            if kind == InvitationKind.COLLECTIVE_EVENT and c not in already
        ]
        insert_with_history(EventRegistration, regs, user=user, reason="letter batch", now=now)
    batch.status = BatchStatus.SENT
    batch.sent_by, batch.sent_at = user, now
    batch.save()
    return batch


def _note(kind: str, starts_at) -> str:
    if kind == InvitationKind.DATE_LETTER and starts_at:
        return f"Datobrev: besøg {timezone.localtime(starts_at):%d-%m-%Y %H:%M}"
    return {"open_letter": "Åbent brev", "collective_event": "Invitation til arrangement"}.get(kind, kind)


@transaction.atomic
def batch_cancel(*, batch: LetterBatch, user: User) -> LetterBatch:
    """Cancel a batch before it is sent: its bookings are cancelled and its citizens can be planned
    again."""
    batch = LetterBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status in (BatchStatus.SENT, BatchStatus.CANCELLED):
        raise DomainError("En sendt eller annulleret brevrunde kan ikke annulleres.")
    Booking.objects.filter(letter__batch=batch, status=BookingStatus.BOOKED).update(
        status=BookingStatus.CANCELLED, note=f"Brevrunde {batch.pk} annulleret"
    )
    batch.status = BatchStatus.CANCELLED
    batch.cancelled_by, batch.cancelled_at = user, timezone.now()
    batch.save()
    return batch


# --- responses and the call list -------------------------------------------------------------------


def free_slots_for(citizen: Citizen, *, days: int = 42, limit: int = 40) -> list[tuple[User, dt.datetime]]:
    """The next free visit times with consultants covering the citizen's postal code."""
    start = timezone.localdate()
    end = start + dt.timedelta(days=days)
    caps = [c for c in capacities(citizen.municipality, start, end) if c.covers(citizen.postal_code)]
    people = {u.pk: u for u in User.objects.filter(pk__in=[c.consultant_id for c in caps])}
    slots = []
    for cap in caps:
        for day_slots in free_slots(cap, start, end, tz=tz(), not_before=timezone.now()).values():
            slots.extend((start_at, cap.consultant_id) for start_at in day_slots)
    slots.sort()
    return [(people[cid], start_at) for start_at, cid in slots[:limit]]


@transaction.atomic
def letter_respond(
    *,
    letter: Letter,
    user: User,
    response: str,
    reason: str = "",
    starts_at: dt.datetime | None = None,
    consultant: User | None = None,
) -> Letter:
    """Register the citizen's answer. Accept (an open letter needs a time), move (a new time; the old
    booking is cancelled), decline (the booking is cancelled, the offer declined), no answer."""
    letter = (
        Letter.objects.select_for_update(of=("self",))
        .select_related("batch", "offer", "citizen", "booking")
        .get(pk=letter.pk)
    )
    if letter.batch.status != BatchStatus.SENT:
        raise DomainError("Svar kan først registreres, når brevene er sendt.")
    if response not in LetterResponse.values or not response:
        raise DomainError("Vælg et svar.", field="response")
    offer = letter.offer
    booking = letter.booking if letter.booking and letter.booking.status == BookingStatus.BOOKED else None
    if response in (LetterResponse.MOVED, LetterResponse.ACCEPTED) and (
        response == LetterResponse.MOVED or not booking
    ):
        if starts_at is None or consultant is None:
            raise DomainError("Vælg en ledig tid.", field="slot")
        if booking is not None:
            booking_cancel(booking=booking, user=user, reason="Flyttet af borgeren")
        calendar = ConsultantCalendar.objects.filter(consultant=consultant).first()
        booking = booking_create(
            citizen=letter.citizen, consultant=consultant, starts_at=starts_at, user=user,
            duration_minutes=calendar.visit_minutes if calendar else 60,
            note=f"{'Flyttet' if response == 'moved' else 'Booket'} efter brev (brevrunde {letter.batch_id})",
        )  # fmt: skip
        letter.booking, letter.consultant, letter.starts_at = booking, consultant, starts_at
    elif response == LetterResponse.ACCEPTED:
        offer.refresh_from_db()
        if OfferStatus.BOOKED in ALLOWED[offer.status] and offer.status != OfferStatus.BOOKED:
            offer_transition(offer=offer, to_status=OfferStatus.BOOKED, user=user, note="Takket ja til datobrev")
    elif response == LetterResponse.DECLINED:
        if booking is not None:
            booking_cancel(booking=booking, user=user, reason="Borgeren takkede nej")
        offer.refresh_from_db()
        if OfferStatus.DECLINED in ALLOWED[offer.status]:
            offer_transition(offer=offer, to_status=OfferStatus.DECLINED, user=user, note=reason or "Takket nej")
    elif response == LetterResponse.NO_ANSWER:
        offer.refresh_from_db()
        if letter.kind != InvitationKind.DATE_LETTER and OfferStatus.NO_RESPONSE in ALLOWED[offer.status]:
            offer_transition(offer=offer, to_status=OfferStatus.NO_RESPONSE, user=user, note="Intet svar på brevet")
    letter.response, letter.response_reason = response, reason.strip()[:300]
    letter.responded_at, letter.responded_by = timezone.now(), user
    letter.save()
    return letter


def call_list(municipality: Municipality, *, days: int | None = None):
    """Open-letter citizens who have not answered `days` after the letter: phone them."""
    days = settings.FHB["CALL_LIST_AFTER_DAYS"] if days is None else days
    cutoff = timezone.localdate() - dt.timedelta(days=days)
    return (
        Letter.objects.filter(
            batch__municipality=municipality,
            batch__status=BatchStatus.SENT,
            batch__letter_date__lte=cutoff,
            kind=InvitationKind.OPEN_LETTER,
            response="",
            offer__status=OfferStatus.INVITED,
        )
        .select_related("citizen", "batch", "offer")
        .order_by("batch__letter_date", "citizen__last_name", "id")
    )
