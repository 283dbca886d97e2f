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
from .registry.bulk import insert_rows, update_rows

# Letter kind when a citizen is in several groups: the most supportive form wins.
LETTER_PRIORITY = [InvitationKind.DATE_LETTER, InvitationKind.OPEN_LETTER, InvitationKind.COLLECTIVE_EVENT]
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
        OfferStatus.BOOKED,
        OfferStatus.VISITED,
        OfferStatus.DECLINED,
        OfferStatus.NO_RESPONSE,
        OfferStatus.INVITED,
        OfferStatus.LAPSED,
    },
    OfferStatus.BOOKED: {
        OfferStatus.VISITED,
        OfferStatus.DECLINED,
        OfferStatus.NO_RESPONSE,
        OfferStatus.BOOKED,
        OfferStatus.INVITED,
        OfferStatus.LAPSED,
    },
    OfferStatus.NO_RESPONSE: {
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
    existing = {
        o.citizen_id: o
        for o in Offer.objects.filter(municipality=municipality, year=year).only(
            "id", "citizen_id", "status", "groups", "primary_group", "letter_kind", "exempt", "exemption_reason"
        )
    }
    to_create: list[Offer] = []
    to_update: list[Offer] = []
    transitions: list[OfferTransition] = []
    eligible = 0
    seen: set[int] = set()
    for row in eligibility_rows(municipality=municipality, year=year, as_of=as_of, policy=policy):
        eligible += 1
        seen.add(row.citizen_id)
        values = _offer_values(row, policy)
        offer = existing.get(row.citizen_id)
        if offer is None:
            offer = Offer(
                municipality=municipality,
                citizen_id=row.citizen_id,
                year=year,
                birth_date=row.birth_date,
                created_at=now,
                updated_at=now,
                **values,
            )
            to_create.append(offer)
            transitions.append(
                OfferTransition(
                    offer=offer,
                    from_status="",
                    to_status=offer.status,
                    at=now,
                    by=user,
                    note="Beregnet af målgruppeberegningen",
                )
            )
        elif offer.status in OPEN and any(getattr(offer, k) != v for k, v in values.items()):
            if offer.status != values["status"]:
                transitions.append(
                    OfferTransition(
                        offer=offer,
                        from_status=offer.status,
                        to_status=values["status"],
                        at=now,
                        by=user,
                        note="Fritagelse ændret i kvalitetsstandarden",
                    )
                )
            for key, value in values.items():
                setattr(offer, key, value)
            offer.updated_at = now
            to_update.append(offer)

    gone = [o for cid, o in existing.items() if cid not in seen and o.status in OPEN]
    lapsed = []
    if gone:
        left = set(
            Citizen.objects.filter(pk__in=[o.citizen_id for o in gone])
            .exclude(pk__in=Citizen.objects.filter(pk__in=[o.citizen_id for o in gone]).alive_and_resident_on(as_of))
            .values_list("pk", flat=True)
        )
        for offer in gone:
            if offer.citizen_id in left:
                transitions.append(
                    OfferTransition(
                        offer=offer,
                        from_status=offer.status,
                        to_status=OfferStatus.LAPSED,
                        at=now,
                        by=user,
                        note="Borgeren er død eller fraflyttet",
                    )
                )
                offer.status, offer.updated_at = OfferStatus.LAPSED, now
                lapsed.append(offer)

    insert_rows(Offer, to_create)
    update_rows(
        Offer,
        to_update + lapsed,
        ["groups", "primary_group", "letter_kind", "exempt", "exemption_reason", "status", "updated_at"],
    )
    for transition in transitions:
        transition.offer_id = transition.offer.pk
    insert_rows(OfferTransition, transitions)
    run = EligibilityRun.objects.create(
        municipality=municipality,
        year=year,
        as_of=as_of,
        by=user,
        standard_adopted=policy.adopted,
        created=len(to_create),
        updated=len(to_update),
        lapsed=len(lapsed),
        eligible=eligible,
        seconds=round(time.perf_counter() - started, 3),
    )
    return SyncResult(run=run)


def _offer_values(row: Eligibility, policy: Policy) -> dict:
    return {
        "groups": "|" + "|".join(row.groups) + "|",
        "primary_group": row.groups[0],
        "letter_kind": letter_kind_for(row.groups, policy),
        "exempt": row.exempt,
        "exemption_reason": row.exemption_reason or "",
        "status": OfferStatus.EXEMPT if row.exempt else OfferStatus.DUE,
    }


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
