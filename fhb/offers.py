"""Offers per citizen and year: the eligibility sync that makes and updates them, and the one
service that moves an offer's status (used by the web, the API, invitations and visits)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .eligibility import Eligibility, eligibility_rows, policy_for
from .eligibility.policy import Policy
from .errors import DomainError
from .models import Citizen, EligibilityRun, InvitationKind, Municipality, Offer, OfferStatus, OfferTransition, User
from .registry.bulk import insert_values, update_values

# Letter kind when a citizen is in several groups: the most supportive form wins.
LETTER_PRIORITY = [InvitationKind.DATE_LETTER, InvitationKind.OPEN_LETTER, InvitationKind.COLLECTIVE_EVENT]
# The letter for a citizen who declined a collective event and must be offered an individual visit
# (BEK 716/2019 § 2): a concrete time, the form that reaches those who tend to say no.
INDIVIDUAL_LETTER = InvitationKind.DATE_LETTER
# Statuses the sync may still change (nothing has been done yet).
OPEN = {OfferStatus.DUE, OfferStatus.EXEMPT}
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
        OfferStatus.INVITED,
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
    OfferStatus.EXEMPT: {OfferStatus.DUE, OfferStatus.INVITED, OfferStatus.BOOKED, OfferStatus.VISITED},
    OfferStatus.VISITED: {OfferStatus.VISITED},
    OfferStatus.LAPSED: set(),
}


def default_as_of(year: int, today: dt.date) -> dt.date:
    """Today, within the year: the current year is read as it stands, next year from 1 January."""
    return min(max(today, dt.date(year, 1, 1)), dt.date(year, 12, 31))


def letter_kind_for(groups: tuple[str, ...], policy: Policy) -> str:
    kinds = {policy.invitation_for(g) for g in groups}
    return next(k for k in LETTER_PRIORITY if k in kinds)


@dataclass
class SyncResult:
    run: EligibilityRun

    @property
    def summary(self) -> str:
        r = self.run
        return f"eligible {r.eligible}, created {r.created}, updated {r.updated}, lapsed {r.lapsed}"


@transaction.atomic
def offers_sync(
    *, municipality: Municipality, year: int, as_of: dt.date | None = None, user: User | None = None
) -> SyncResult:
    """Compute the year's eligibility (one set-based query) and bring the offers in line with it:
    new offers for newly eligible citizens; groups, exemption and planned letter kind refreshed on
    offers nothing has happened to yet; open offers of citizens who died or moved out lapse.
    Offers already acted on (invited, visited, ...) keep their status."""
    started = time.perf_counter()
    now = timezone.now()
    as_of = as_of or default_as_of(year, timezone.localdate())
    policy = policy_for(municipality, year)
    user_id = user.pk if user else None
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
    new_statuses: list[str] = []
    updates: list[list] = []
    transitions: list[list] = []  # [offer_id, from_status, to_status, note]
    eligible = 0
    seen: set[int] = set()
    for row in eligibility_rows(municipality=municipality, year=year, as_of=as_of, policy=policy):
        eligible += 1
        seen.add(row.citizen_id)
        values = _offer_values(row, policy)
        if row.citizen_id in individual and values[3] == InvitationKind.COLLECTIVE_EVENT:
            values[3] = INDIVIDUAL_LETTER
        current = existing.get(row.citizen_id)
        if current is None:
            new_rows.append([municipality.pk, row.citizen_id, year, row.birth_date, now, now, *values])
            new_statuses.append(values[0])
        elif current[1] in OPEN and current[1:] != values:
            if current[1] != values[0]:
                transitions.append([current[0], current[1], values[0], "Fritagelse ændret i kvalitetsstandarden"])
            updates.append([current[0], *values, now])

    gone = {cid: cur for cid, cur in existing.items() if cid not in seen and cur[1] in OPEN}
    lapsed = 0
    if gone:
        alive = set(Citizen.objects.filter(pk__in=list(gone)).alive_and_resident_on(as_of).values_list("pk", flat=True))
        for citizen_id, current in gone.items():
            if citizen_id not in alive:
                transitions.append([current[0], current[1], OfferStatus.LAPSED, "Borgeren er død eller fraflyttet"])
                updates.append([current[0], OfferStatus.LAPSED, *current[2:], now])
                lapsed += 1

    ids = insert_values(
        Offer, ["municipality_id", "citizen_id", "year", "birth_date", "created_at", "updated_at", *SYNCED], new_rows
    )
    transitions += [
        [pk, "", status, "Beregnet af målgruppeberegningen"] for pk, status in zip(ids, new_statuses, strict=True)
    ]
    update_values(Offer, [*SYNCED, "updated_at"], updates)
    insert_values(
        OfferTransition,
        ["offer_id", "from_status", "to_status", "note", "at", "by_id", "on", "letter_kind"],
        [[*t, now, user_id, None, ""] for t in transitions],
    )
    run = EligibilityRun.objects.create(
        municipality=municipality,
        year=year,
        as_of=as_of,
        by=user,
        standard_adopted=policy.adopted,
        created=len(new_rows),
        updated=len(updates) - lapsed,
        lapsed=lapsed,
        eligible=eligible,
        seconds=round(time.perf_counter() - started, 3),
    )
    return SyncResult(run=run)


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
    """Move an offer to `to_status` if the step is allowed, and record it."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if to_status not in ALLOWED[offer.status]:
        old, new = OfferStatus(offer.status).label, OfferStatus(to_status).label
        raise DomainError(f"Et tilbud med status »{old}« kan ikke ændres til »{new}«.", field="to_status")
    if to_status == OfferStatus.INVITED:
        offer.invited_on = on or timezone.localdate()
        if letter_kind:
            offer.letter_kind = letter_kind
    OfferTransition.objects.create(
        offer=offer, from_status=offer.status, to_status=to_status, by=user, on=on, letter_kind=letter_kind, note=note
    )
    offer.status = to_status
    offer.save(update_fields=["status", "invited_on", "letter_kind", "updated_at"])
    return offer


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
