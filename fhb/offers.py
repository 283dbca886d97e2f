"""Offers per citizen and year: the eligibility sync that makes and updates them, and the one
writer of an offer's life.

Every change of an offer's status — the sync (exemption changed, died or moved out), intake,
visits recorded or imported, bookings and their cancellation, letter batches sent, collective-event
invitations and declines, a user's own correction — goes through `offers_move` (in bulk) or
`offer_transition` (one offer), which check the step against ALLOWED and write one history row per
change; offers are made by `offers_open`, which writes the first row; an undo within minutes (a
check-in at the wrong name) is `offer_step_back`, the exact reverse of the last step. Nothing else writes
`Offer.status` or `OfferTransition` (tests/fhb/test_offer_lifecycle.py holds every entry point to
that).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .eligibility import Eligibility, eligibility_rows, policy_for
from .eligibility.policy import Policy
from .errors import DomainError
from .jobs import given_up, job_claim, job_lease
from .law.bek_716 import INDIVIDUAL_LETTER, individual_letter_kind
from .models import (
    Citizen,
    EligibilityRun,
    InvitationKind,
    Municipality,
    Offer,
    OfferStatus,
    OfferSync,
    OfferTransition,
    User,
)
from .registry.bulk import analyze, insert_values, update_values

# Letter kind when a citizen is in several groups: the most supportive form wins.
LETTER_PRIORITY = [InvitationKind.DATE_LETTER, InvitationKind.OPEN_LETTER, InvitationKind.COLLECTIVE_EVENT]
# Statuses the sync may still change (nothing has been done yet).
OPEN = {OfferStatus.DUE, OfferStatus.EXEMPT}
# Nothing comes after these.
FINAL = {OfferStatus.VISITED, OfferStatus.LAPSED}
# What an offer may have when it is made.
INITIAL = {OfferStatus.DUE, OfferStatus.EXEMPT}
# Offers that lapse when the citizen dies or moves out: all but the final ones and a refusal.
LAPSABLE = {OfferStatus.DUE, OfferStatus.EXEMPT, OfferStatus.INVITED, OfferStatus.BOOKED, OfferStatus.NO_RESPONSE}
# The steps an offer may take. A step to the same status is a new letter (invited again) or a new
# time (booked again); nothing leaves a final status.
ALLOWED = {
    OfferStatus.DUE: {
        OfferStatus.INVITED,
        OfferStatus.BOOKED,
        OfferStatus.VISITED,
        OfferStatus.DECLINED,
        OfferStatus.EXEMPT,
        OfferStatus.LAPSED,
    },
    OfferStatus.INVITED: {
        OfferStatus.DUE,  # declined the alternative format (an event): offered an individual visit
        OfferStatus.BOOKED,
        OfferStatus.VISITED,
        OfferStatus.DECLINED,
        OfferStatus.NO_RESPONSE,
        OfferStatus.INVITED,
        OfferStatus.LAPSED,
    },
    OfferStatus.BOOKED: {
        OfferStatus.DUE,  # a booking made before any letter was cancelled
        OfferStatus.VISITED,
        OfferStatus.DECLINED,
        OfferStatus.NO_RESPONSE,
        OfferStatus.BOOKED,
        OfferStatus.INVITED,  # the booking after a letter was cancelled
        OfferStatus.LAPSED,
    },
    OfferStatus.NO_RESPONSE: {
        OfferStatus.DUE,  # declined the alternative format (an event): offered an individual visit
        OfferStatus.INVITED,
        OfferStatus.BOOKED,
        OfferStatus.VISITED,
        OfferStatus.DECLINED,
        OfferStatus.LAPSED,
    },
    OfferStatus.DECLINED: {OfferStatus.INVITED, OfferStatus.BOOKED, OfferStatus.VISITED},
    OfferStatus.EXEMPT: {
        OfferStatus.DUE,
        OfferStatus.INVITED,
        OfferStatus.BOOKED,
        OfferStatus.VISITED,
        OfferStatus.LAPSED,
    },
    OfferStatus.VISITED: set(),
    OfferStatus.LAPSED: set(),
}


@dataclass(frozen=True)
class Move:
    """One step of one offer: to `to_status`, with the day it happened (the letter date, the
    call), the letter kind of an invitation, and why."""

    offer_id: int
    to_status: str
    note: str = ""
    on: dt.date | None = None
    letter_kind: str = ""


@transaction.atomic
def offers_move(
    moves: list[Move],
    *,
    user: User | None,
    only_from: set[str] | None = None,
    strict: bool = False,
) -> list[int]:
    """The one writer of offers' statuses. Locks the offers, checks each step against ALLOWED (and,
    when given, that the offer is still in one of `only_from`: what the caller planned from), and
    writes the status — with the letter date and kind on an invitation — and one history row per
    step, in two statements whatever the number. A step that is not allowed any more (the offer
    moved on meanwhile: a citizen visited after the letters were approved stays visited) is left
    out, or with `strict` refused with the reason. Returns the ids of the offers moved, in order."""
    if not moves:
        return []
    ids = sorted({m.offer_id for m in moves})
    state: dict[int, list] = {}
    for start in range(0, len(ids), 900):
        for pk, *rest in (
            Offer.objects.select_for_update()
            .filter(pk__in=ids[start : start + 900])
            .order_by("pk")
            .values_list("pk", "status", "letter_kind", "invited_on")
        ):
            state[pk] = rest
    now = timezone.now()
    user_id = user.pk if user else None
    history, moved = [], []
    changed: dict[int, list] = {}
    for m in moves:
        status, kind, invited_on = state[m.offer_id]
        if m.to_status not in ALLOWED[status] or (only_from is not None and status not in only_from):
            if strict:
                old, new = OfferStatus(status).label, OfferStatus(m.to_status).label
                raise DomainError(f"Et tilbud med status »{old}« kan ikke ændres til »{new}«.", field="to_status")
            continue
        if m.to_status == OfferStatus.INVITED:
            invited_on = m.on or timezone.localdate()
            kind = m.letter_kind or kind
        state[m.offer_id] = changed[m.offer_id] = [m.to_status, kind, invited_on]
        history.append([m.offer_id, status, m.to_status, now, user_id, m.note, m.on, m.letter_kind])
        moved.append(m.offer_id)
    update_values(
        Offer,
        ["status", "letter_kind", "invited_on", "updated_at"],
        [[pk, *values, now] for pk, values in changed.items()],
    )
    insert_values(
        OfferTransition, ["offer_id", "from_status", "to_status", "at", "by_id", "note", "on", "letter_kind"], history
    )
    return moved


def offers_open(fields: list[str], rows: list[list], *, user: User | None, note: str) -> list[int]:
    """Make offers (rows of values of `fields`, which include `status`) with their first history
    row. Returns their ids."""
    index = fields.index("status")
    if any(row[index] not in INITIAL for row in rows):
        raise ValueError("an offer starts due or exempt")
    ids = insert_values(Offer, fields, rows)
    now = timezone.now()
    insert_values(
        OfferTransition,
        ["offer_id", "from_status", "to_status", "at", "by_id", "note", "on", "letter_kind"],
        [
            [pk, "", row[index], now, user.pk if user else None, note, None, ""]
            for pk, row in zip(ids, rows, strict=True)
        ],
    )
    return ids


def default_as_of(year: int, today: dt.date) -> dt.date:
    """Today, within the year: the current year is read as it stands, next year from 1 January."""
    return min(max(today, dt.date(year, 1, 1)), dt.date(year, 12, 31))


def letter_kind_for(groups: tuple[str, ...], policy: Policy) -> str:
    kinds = {policy.invitation_for(g) for g in groups}
    return next(k for k in LETTER_PRIORITY if k in kinds)


@dataclass
class SyncResult:
    run: EligibilityRun
    withdrawn: int = 0  # untouched offers of citizens no longer in any group (a newly adopted standard)

    @property
    def summary(self) -> str:
        r = self.run
        return f"eligible {r.eligible}, created {r.created}, updated {r.updated}, lapsed {r.lapsed}"


@transaction.atomic
def offers_sync(
    *,
    municipality: Municipality,
    year: int,
    as_of: dt.date | None = None,
    user: User | None = None,
    withdraw_dropped: bool = False,
) -> SyncResult:
    """Compute the year's eligibility (one set-based query) and bring the offers in line with it:
    new offers for newly eligible citizens; groups, exemption and planned letter kind refreshed on
    offers nothing has happened to yet; offers of citizens who died or moved out lapse unless they
    were visited or declined. Offers already acted on (invited, visited, ...) keep their status.
    `withdraw_dropped` (a standard was adopted): offers nothing has happened to (due or exempt, no
    letter, no booking) of living citizens who are in none of the year's groups any more are
    removed — the standard that made them is no longer the year's."""
    started = time.perf_counter()
    now = timezone.now()
    as_of = as_of or default_as_of(year, timezone.localdate())
    policy = policy_for(municipality, year)
    # citizen_id -> [id, status, groups, primary_group, letter_kind, exempt, exemption_reason]
    existing = {
        row[0]: list(row[1:])
        for row in Offer.objects.filter(municipality=municipality, year=year).values_list("citizen_id", "id", *SYNCED)
    }
    individual = set(
        Offer.objects.filter(municipality=municipality, year=year, individual_required=True).values_list(
            "citizen_id", flat=True
        )
    )
    new_rows: list[list] = []
    updates: list[list] = []  # [offer_id, *SYNCED but status, updated_at]
    moves: list[Move] = []
    eligible = 0
    seen: set[int] = set()
    for row in eligibility_rows(municipality=municipality, year=year, as_of=as_of, policy=policy):
        eligible += 1
        seen.add(row.citizen_id)
        values = _offer_values(row, policy)
        values[3] = individual_letter_kind(values[3], row.citizen_id in individual)
        current = existing.get(row.citizen_id)
        if current is None:
            new_rows.append([municipality.pk, row.citizen_id, year, row.birth_date, now, now, *values])
        elif current[1] in OPEN and current[1:] != values:
            if current[1] != values[0]:
                moves.append(Move(current[0], values[0], "Fritagelse ændret i kvalitetsstandarden"))
            updates.append([current[0], *values[1:], now])

    gone = {cid: cur for cid, cur in existing.items() if cid not in seen and cur[1] in LAPSABLE}
    lapsing = []
    if gone:
        alive = set(Citizen.objects.filter(pk__in=list(gone)).alive_and_resident_on(as_of).values_list("pk", flat=True))
        lapsing = [
            Move(cur[0], OfferStatus.LAPSED, "Borgeren er død eller fraflyttet")
            for cid, cur in gone.items()
            if cid not in alive
        ]

    withdrawn = 0
    if withdraw_dropped:
        untouched = [cur[0] for cid, cur in existing.items() if cid not in seen and cur[1] in OPEN]
        for chunk in range(0, len(untouched), 5000):
            withdrawn += (
                Offer.objects.filter(pk__in=untouched[chunk : chunk + 5000], letters__isnull=True)
                .exclude(bookings__isnull=False)
                .delete()[1]
                .get(Offer._meta.label, 0)
            )

    offers_open(
        ["municipality_id", "citizen_id", "year", "birth_date", "created_at", "updated_at", *SYNCED],
        new_rows,
        user=user,
        note="Beregnet af målgruppeberegningen",
    )
    update_values(Offer, [*SYNCED[1:], "updated_at"], updates)
    offers_move(moves, user=user, only_from=OPEN)
    lapsed = len(offers_move(lapsing, user=user, only_from=LAPSABLE))
    if len(new_rows) + len(updates) + lapsed + withdrawn > 1000:  # a bulk write: fresh planner statistics
        transaction.on_commit(lambda: analyze(Offer, OfferTransition))
    run = EligibilityRun.objects.create(
        municipality=municipality,
        year=year,
        as_of=as_of,
        by=user,
        standard_adopted=policy.adopted,
        created=len(new_rows),
        updated=len(updates),
        lapsed=lapsed,
        eligible=eligible,
        seconds=round(time.perf_counter() - started, 3),
    )
    if user is not None:  # a user's sync does what the year's failed or stalled background syncs did not
        _offer_syncs_settle(municipality=municipality, year=year, run=run, user=user)
    return SyncResult(run=run, withdrawn=withdrawn)


def _offer_syncs_settle(*, municipality: Municipality, year: int, run: EligibilityRun, user: User) -> int:
    now = timezone.now()
    return OfferSync.objects.filter(given_up(OfferSync), municipality=municipality, year=year).update(
        status=OfferSync.Status.DONE, finished_at=now, run=run, restarted_at=now, restarted_by=user, message=""
    )


def offer_sync_state(municipality: Municipality, year: int) -> OfferSync | None:
    """The year's latest background sync, when it is still to come, under way, stalled or failed
    (the due list says so); None when it is done (or there is none)."""
    latest = OfferSync.objects.filter(municipality=municipality, year=year).select_related("restarted_by").first()
    return latest if latest is not None and latest.status != OfferSync.Status.DONE else None


# The fields the sync owns on an offer, in this order.
SYNCED = ["status", "groups", "primary_group", "letter_kind", "exempt", "exemption_reason"]


def _offer_values(row: Eligibility, policy: Policy) -> list:
    """The SYNCED fields' values for an eligibility row."""
    return [
        OfferStatus.EXEMPT if row.exempt else OfferStatus.DUE,
        "|" + "|".join(row.groups) + "|",
        row.groups[0],
        letter_kind_for(row.groups, policy),
        row.exempt,
        row.exemption_reason or "",
    ]


@transaction.atomic
def offer_transition(
    *,
    offer: Offer,
    to_status: str,
    user: User | None,
    on: dt.date | None = None,
    letter_kind: str = "",
    note: str = "",
) -> Offer:
    """Move one offer to `to_status` if the step is allowed (else a DomainError saying why), and
    record it."""
    offers_move([Move(offer.pk, to_status, note, on, letter_kind)], user=user, strict=True)
    return Offer.objects.get(pk=offer.pk)


@transaction.atomic
def offer_step_back(*, offer: Offer, since: dt.datetime, user: User | None, note: str) -> bool:
    """Undo the offer's last step when it was taken at or after `since` — the step a user is
    undoing within minutes (a check-in at the wrong name, which made the offer visited). The undo
    is its own history row, the exact reverse of the step, so the history still tells the whole
    life; this is the one way out of visited. Returns whether the offer moved."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    last = OfferTransition.objects.filter(offer=offer).order_by("-at", "-id").first()
    if last is None or not last.from_status or last.at < since or last.to_status != offer.status:
        return False
    now = timezone.now()
    Offer.objects.filter(pk=offer.pk).update(status=last.from_status, updated_at=now)
    OfferTransition.objects.create(
        offer=offer, from_status=offer.status, to_status=last.from_status, by=user, note=note[:300]
    )
    return True


@transaction.atomic
def offer_require_individual(*, offer: Offer, user: User | None, note: str) -> Offer:
    """The citizen declined the alternative format (a collective event). BEK 716/2019 § 2: they must
    be offered an individual visit, so the offer is due again, planned as a date letter, and the
    sync never turns it back into an event invitation. An offer already past that point (booked,
    visited) is left as it is."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    offer.individual_required = True
    if offer.letter_kind == InvitationKind.COLLECTIVE_EVENT:
        offer.letter_kind = INDIVIDUAL_LETTER
    offer.save(update_fields=["individual_required", "letter_kind", "updated_at"])
    if offer.status in (OfferStatus.INVITED, OfferStatus.NO_RESPONSE):
        offer = offer_transition(offer=offer, to_status=OfferStatus.DUE, user=user, note=note)
    return offer


SYNCS_KEPT = dt.timedelta(days=30)


def offers_sync_job_run(*, job_id: int) -> OfferSync:
    """Run a queued sync (an OfferSync: after an import, nightly) once; or run again one whose worker
    was lost (its lease ran out: the sync is one transaction, so nothing of the lost run was
    applied). A second delivery of the task while it runs, or after it is done, leaves it alone.
    Syncs done more than 30 days ago are dropped (their result is the EligibilityRun, kept)."""
    job = job_claim(OfferSync, job_id)
    if job is None:
        return OfferSync.objects.get(pk=job_id)
    try:
        with job_lease(OfferSync, job.pk):
            result = offers_sync(municipality=job.municipality, year=job.year)
    except Exception as exc:
        OfferSync.objects.filter(pk=job.pk).update(
            status=OfferSync.Status.FAILED, finished_at=timezone.now(), message=str(exc)[:1000]
        )
        raise
    now = timezone.now()
    OfferSync.objects.filter(pk=job.pk).update(status=OfferSync.Status.DONE, finished_at=now, run=result.run)
    OfferSync.objects.filter(
        municipality_id=job.municipality_id, status=OfferSync.Status.DONE, finished_at__lt=now - SYNCS_KEPT
    ).delete()
    return OfferSync.objects.get(pk=job.pk)
