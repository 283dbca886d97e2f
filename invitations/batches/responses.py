"""Letter batches, sending and answers: send (offers invited), cancel (bookings cancelled), the
citizen's response to a letter (a new time, declined, no answer) and the call list."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format

from fhb.errors import DomainError
from fhb.models import Citizen, InvitationKind, Municipality, OfferStatus, User
from fhb.offers import ALLOWED, Move, offer_transition, offers_move
from fhb.registry.bulk import insert_with_history
from visits.bookings import booking_cancel, booking_create
from visits.models import (
    Booking,
    BookingStatus,
    CancelReason,
    ConsultantCalendar,
    EventRegistration,
    RegistrationStatus,
)
from visits.workdays import closed_days

from ..models import BatchStatus, CallAttempt, CallOutcome, Letter, LetterBatch, LetterResponse
from ..planner import free_slots
from .planning import UNSENT, batch_approve, capacities, tz


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


SLOT_HORIZON_DAYS = 730


def slot_window(letter: Letter | None, start: dt.date | None = None) -> dt.date:
    """Where the move dialog's two weeks begin: the date asked for, else a week before the letter's
    time (so the times just before and after it show), never before today nor more than two years
    ahead (no calendar is planned further, and a date like 9999-12-31 would overflow)."""
    today = timezone.localdate()
    if start is None and letter is not None and letter.starts_at:
        start = timezone.localtime(letter.starts_at).date() - dt.timedelta(days=7)
    return min(max(start or today, today), today + dt.timedelta(days=SLOT_HORIZON_DAYS))


def free_slots_for(
    citizen: Citizen,
    *,
    start: dt.date | None = None,
    days: int = 14,
    consultant_id: int | None = None,
    exclude_booking: int | None = None,
    limit: int | None = None,
) -> list[tuple[User, dt.datetime]]:
    """Free visit times in [start, start + days) with consultants covering the citizen's postal code
    (one consultant when asked), earliest first: open days, not taken (booked or completed), within
    each week's capacity. `exclude_booking`: the booking being moved frees its own time and place."""
    start = slot_window(None, start)
    end = start + dt.timedelta(days=days - 1)
    caps = [
        c
        for c in capacities(citizen.municipality, start, end, exclude_booking=exclude_booking)
        if c.covers(citizen.postal_code) and (consultant_id is None or c.consultant_id == consultant_id)
    ]
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
            booking_cancel(booking=booking, user=user, reason=CancelReason.MOVED, note="Flyttet af borgeren")
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
            booking_cancel(booking=booking, user=user, reason=CancelReason.DECLINED)
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


CALL_ORDERS = {
    # Fewest attempts first, the longest since the last call next: a call moves the citizen down.
    "forsoeg": ["attempts", F("last_call").asc(nulls_first=True), "batch__letter_date", "citizen__last_name", "id"],
    "brev": ["batch__letter_date", "citizen__last_name", "id"],
    "navn": ["citizen__last_name", "citizen__first_name", "id"],
    "postnr": ["citizen__postal_code", "citizen__last_name", "id"],
}


def call_list(
    municipality: Municipality,
    *,
    days: int | None = None,
    group: str | None = None,
    consultant: User | None = None,
    order: str = "forsoeg",
    later: bool = False,
):
    """Open-letter citizens who have not answered `days` after the letter: phone them. Annotated
    with the calls so far; a citizen whose last call set a later attempt is left out until that
    day (`later=True` lists just those). Filter by target group and by the postal codes a
    consultant covers; order by `CALL_ORDERS`."""
    days = settings.FHB["CALL_LIST_AFTER_DAYS"] if days is None else days
    today = timezone.localdate()
    cutoff = today - dt.timedelta(days=days)
    latest = CallAttempt.objects.filter(letter=OuterRef("pk")).order_by("-called_at", "-id")
    rows = (
        Letter.objects.filter(
            batch__municipality=municipality,
            batch__status=BatchStatus.SENT,
            batch__letter_date__lte=cutoff,
            kind=InvitationKind.OPEN_LETTER,
            response="",
            offer__status=OfferStatus.INVITED,
        )
        .annotate(
            attempts=Count("calls"),
            last_call=Max("calls__called_at"),
            next_attempt=Subquery(latest.values("next_attempt")[:1]),
            last_outcome=Subquery(latest.values("outcome")[:1]),
        )
        .select_related("citizen", "batch", "offer")
    )
    waiting = Q(next_attempt__gt=today)
    rows = rows.filter(waiting) if later else rows.exclude(waiting & Q(next_attempt__isnull=False))
    if group:
        rows = rows.filter(group=group)
    if consultant is not None:
        calendar = ConsultantCalendar.objects.filter(consultant=consultant).prefetch_related("districts").first()
        codes = {code for d in calendar.districts.all() for code in d.postal_codes} if calendar else set()
        if codes:  # a consultant without districts covers the whole municipality
            rows = rows.filter(citizen__postal_code__in=codes)
    return rows.order_by(*CALL_ORDERS.get(order, CALL_ORDERS["forsoeg"]))


def next_working_day(municipality_id: int, after: dt.date) -> dt.date:
    """The first day after `after` that is a weekday and not closed (holiday or closing day)."""
    closed = closed_days(municipality_id, after, after + dt.timedelta(days=30))
    day = after + dt.timedelta(days=1)
    while day.weekday() >= 5 or day in closed:
        day += dt.timedelta(days=1)
    return day


@transaction.atomic
def call_record(
    *,
    letter: Letter,
    user: User,
    outcome: str,
    note: str = "",
    next_attempt: dt.date | None = None,
    starts_at: dt.datetime | None = None,
    consultant: User | None = None,
) -> CallAttempt:
    """Record a call to a citizen on the call list: a contact, never a visit. No answer keeps them
    on the list from the next working day (or the day chosen); 'call again' from the day agreed;
    booked books the time chosen, declined declines the offer, given up registers no answer — those
    three take the citizen off the list, all or nothing with the call."""
    if outcome not in CallOutcome.values:
        raise DomainError("Vælg, hvordan opkaldet gik.", field="outcome")
    today = timezone.localdate()
    if next_attempt is not None and next_attempt < today:
        raise DomainError("Næste forsøg kan ikke ligge før i dag.", field="next_attempt")
    if outcome == CallOutcome.NO_ANSWER:
        next_attempt = next_attempt or next_working_day(letter.batch.municipality_id, today)
    elif outcome == CallOutcome.CALL_AGAIN:
        if next_attempt is None:
            raise DomainError("Vælg dagen, I har aftalt at ringe igen.", field="next_attempt")
    else:
        next_attempt = None
        response = {
            CallOutcome.BOOKED: LetterResponse.ACCEPTED,
            CallOutcome.DECLINED: LetterResponse.DECLINED,
            CallOutcome.GAVE_UP: LetterResponse.NO_ANSWER,
        }[outcome]
        if outcome == CallOutcome.BOOKED and (starts_at is None or consultant is None):
            raise DomainError("Vælg en ledig tid.", field="slot")
        letter_respond(
            letter=letter, user=user, response=response, reason=note, starts_at=starts_at, consultant=consultant
        )
    return CallAttempt.objects.create(
        letter=letter,
        citizen_id=letter.citizen_id,
        outcome=outcome,
        note=note.strip()[:300],
        next_attempt=next_attempt,
        called_by=user,
    )


# --- confirmations and undo ------------------------------------------------------------------------


# Which batches each confirmed action applies to (the services refuse the others).
APPLIES = {
    "approve": lambda b: b.status == BatchStatus.DRAFT,
    "cancel": lambda b: b.status not in (BatchStatus.SENT, BatchStatus.CANCELLED),
    "send": lambda b: b.status == BatchStatus.READY,
    "restore": lambda b: b.status == BatchStatus.CANCELLED and not b.sent_at,
}


def batch_consequence(batch: LetterBatch, action: str) -> str:
    """What an action will do, in plain Danish, for the confirmation the team leader reads first.
    An action that does not apply to the batch as it stands says so (DomainError)."""
    if action in APPLIES and not APPLIES[action](batch):
        raise DomainError(f"Brevrunden er {batch.get_status_display().lower()}: det kan ikke gøres nu.")
    letters = batch.letters.all()
    dated = letters.filter(kind=InvitationKind.DATE_LETTER).exclude(starts_at=None)
    people = dated.values("consultant_id").distinct().count()
    n_letters, n_dated, n_paper = letters.count(), dated.count(), letters.filter(paper=True).count()
    if action == "approve":
        letters_made = f"{n_letters} breve dannes ({n_paper} på papir, resten til Digital Post)."
        if n_dated:
            text = f"{_visits(n_dated)} bookes i {_consultants(people)} kalendere, og {letters_made}"
        else:
            text = f"Ingen besøg bookes (brevrunden har ingen datobreve). {letters_made[0].upper()}{letters_made[1:]}"
        if n_dated:
            first, last = (timezone.localtime(dated.aggregate(v=f("starts_at"))["v"]).date() for f in (Min, Max))
            text += f" Besøgene ligger fra {date_format(first, 'j. F')} til {date_format(last, 'j. F Y')}."
        return text + " Indtil brevene er sendt, kan brevrunden annulleres, så tiderne bliver ledige igen."
    if action == "cancel":
        booked = Booking.objects.filter(letter__batch=batch, status=BookingStatus.BOOKED).count()
        text = f"{n_letters} breve sendes ikke, og borgerne kan planlægges i en ny brevrunde."
        if booked:
            text = f"{_visits(booked)} aflyses i {_consultants(people)} kalendere. " + text
        return text + " Annulleringen kan fortrydes, så længe tiderne er ledige."
    if action == "send":
        return (
            f"{n_letters} borgere står som inviteret med brevdatoen {date_format(batch.letter_date, 'j. F Y')}. "
            "Det kan ikke fortrydes: brevene er gået. Borgere med åbent brev, der ikke svarer, kommer på "
            "ringelisten."
        )
    if action == "restore":
        if batch.approved_at:
            return (
                f"Brevrunden godkendes igen: {_visits(n_dated)} bookes på de samme tider i "
                f"{_consultants(people)} kalendere. Er en tid blevet optaget eller passeret, bliver brevrunden "
                "en kladde, som du planlægger igen."
            )
        return "Brevrunden bliver en kladde igen."
    raise DomainError("Ukendt handling.")


def _visits(n: int) -> str:
    return "1 besøg" if n == 1 else f"{n} besøg"


def _consultants(n: int) -> str:
    return "1 konsulents" if n == 1 else f"{n} konsulenters"


@transaction.atomic
def batch_restore(*, batch: LetterBatch, user: User) -> LetterBatch:
    """Undo a cancellation (the batch was never sent). A batch that had been approved is approved
    again on the same times when every one is still free and ahead; otherwise it becomes a draft to
    plan again (the message says why). A draft comes back as a draft."""
    batch = LetterBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != BatchStatus.CANCELLED or batch.sent_at:
        raise DomainError("Kun en annulleret brevrunde, der ikke er sendt, kan gendannes.")
    elsewhere = (
        Letter.objects.filter(offer_id__in=batch.letters.values("offer_id"), batch__status__in=UNSENT)
        .exclude(batch=batch)
        .values_list("batch_id", flat=True)
        .distinct()
    )
    if elsewhere:
        numbers = ", ".join(str(pk) for pk in sorted(elsewhere))
        raise DomainError(f"Nogle af borgerne er nu i brevrunde {numbers}. Annullér den først, eller lav en ny.")
    was_approved = batch.approved_at is not None
    batch.status, batch.cancelled_by, batch.cancelled_at = BatchStatus.DRAFT, None, None
    batch.message = f"Annulleringen er fortrudt af {user.get_full_name() or user}."
    batch.save()
    if not was_approved:
        return batch
    passed = batch.letters.filter(starts_at__lt=timezone.now() + dt.timedelta(days=1)).count()
    if passed:
        batch.message += f" {passed} af tiderne er passeret: planlæg brevrunden igen, før den godkendes."
        batch.save(update_fields=["message"])
        return batch
    try:
        with transaction.atomic():
            return batch_approve(batch=batch, user=user)
    except DomainError as error:
        batch.message += f" {error.message}"
        batch.save(update_fields=["message"])
        return batch
