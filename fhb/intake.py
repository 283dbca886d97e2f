"""Intake: a concern referral (from family, another unit, the GP) or a self-referral becomes a risk
event, and the citizen's offer for the year is brought in line with it at once — not at the next
nightly sync — so the team sees them on the due list the same day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .eligibility import Eligibility, policy_for
from .errors import DomainError
from .law.bek_716 import INDIVIDUAL_LETTER
from .models import Citizen, InvitationKind, Offer, OfferStatus, RiskEvent, RiskGroup, RiskSource, User
from .offers import OPEN, SYNCED, Move, _offer_values, default_as_of, offers_move, offers_open
from .selectors import citizen_eligibility
from .services import risk_event_register

REFERRAL_KINDS = (RiskSource.CONCERN_REFERRAL, RiskSource.SELF_REFERRAL)
REFERRAL_CHOICES = [(k.value, k.label) for k in REFERRAL_KINDS]


@dataclass(frozen=True)
class OfferRefresh:
    offer: Offer | None
    eligibility: Eligibility | None
    changed: bool


@transaction.atomic
def offer_refresh(*, citizen: Citizen, year: int, user: User | None, note: str) -> OfferRefresh:
    """One citizen's part of the offers sync: create the year's offer when they have become
    eligible, or refresh groups and letter kind on an offer nothing has happened to yet."""
    eligibility = citizen_eligibility(citizen, year=year, as_of=default_as_of(year, timezone.localdate()))
    offer = Offer.objects.select_for_update().filter(citizen=citizen, year=year).first()
    if eligibility is None:
        return OfferRefresh(offer, None, False)
    values = _offer_values(eligibility, policy_for(citizen.municipality, year))
    if offer is not None and offer.individual_required and values[3] == InvitationKind.COLLECTIVE_EVENT:
        values[3] = INDIVIDUAL_LETTER
    if offer is None:
        now = timezone.now()
        (pk,) = offers_open(
            ["municipality_id", "citizen_id", "year", "birth_date", "created_at", "updated_at", *SYNCED],
            [[citizen.municipality_id, citizen.pk, year, citizen.birth_date, now, now, *values]],
            user=user,
            note=note,
        )
        return OfferRefresh(Offer.objects.get(pk=pk), eligibility, True)
    current = [getattr(offer, f) for f in SYNCED]
    if offer.status not in OPEN or current == values:
        return OfferRefresh(offer, eligibility, False)
    for name, value in zip(SYNCED[1:], values[1:], strict=True):
        setattr(offer, name, value)
    offer.save(update_fields=[*SYNCED[1:], "updated_at"])
    if offer.status != values[0]:
        offers_move([Move(offer.pk, values[0], note)], user=user, only_from=OPEN)
    offer.refresh_from_db()
    return OfferRefresh(offer, eligibility, True)


@transaction.atomic
def referral_register(
    *,
    citizen: Citizen,
    user: User,
    kind: str,
    received_on: dt.date,
    referrer: str = "",
    note: str = "",
) -> tuple[RiskEvent, OfferRefresh]:
    """Register a concern referral or self-referral as a risk event of the group with the same
    code, and refresh the citizen's offer for this year."""
    if kind not in REFERRAL_KINDS:
        raise DomainError("Vælg bekymringshenvendelse eller selvhenvendelse.", field="kind")
    if kind == RiskSource.CONCERN_REFERRAL and not referrer.strip():
        raise DomainError("Skriv hvem henvendelsen kommer fra (fx datter, hjemmeplejen, egen læge).", field="referrer")
    if citizen.deceased_on or (citizen.moved_out_on and citizen.moved_out_on <= timezone.localdate()):
        raise DomainError("Borgeren er død eller fraflyttet kommunen.")
    group = RiskGroup.objects.filter(municipality=None, code=kind).get()
    try:
        event = risk_event_register(
            citizen=citizen, risk_group=group, registered_on=received_on, source=kind, note=note.strip(), user=user
        )
    except DomainError as exc:  # the date is what the user typed as "received"
        field = "received_on" if exc.field == "registered_on" else exc.field
        raise DomainError(exc.message, field=field) from None
    if referrer.strip():
        event.referrer = referrer.strip()[:200]
        event.save(update_fields=["referrer"])
    label = RiskSource(kind).label
    refresh = offer_refresh(citizen=citizen, year=timezone.localdate().year, user=user, note=f"{label} registreret")
    return event, refresh


@transaction.atomic
def risk_event_add(
    *,
    citizen: Citizen,
    user: User,
    risk_group: RiskGroup,
    registered_on: dt.date,
    source: str = RiskSource.OTHER,
    note: str = "",
) -> tuple[RiskEvent, OfferRefresh]:
    """A risk event registered by hand (the citizen page, the API): like a referral, the citizen's
    offer for this year is brought in line at once."""
    event = risk_event_register(
        citizen=citizen, risk_group=risk_group, registered_on=registered_on, source=source, note=note, user=user
    )
    note = f"Risikohændelse registreret: {risk_group.label}"
    return event, offer_refresh(citizen=citizen, year=timezone.localdate().year, user=user, note=note)


def referral_outcome_text(refresh: OfferRefresh) -> str:
    """What the intake did to the offer, in words for the page and the API."""
    if refresh.eligibility is None:
        return (
            "Henvendelsen er registreret. Borgeren er ikke i en målgruppe for forebyggende hjemmebesøg i år "
            "(fx uden for alderen 65–81 for borgere i særlig risiko, eller risikogruppen er ikke med i "
            "kvalitetsstandarden)."
        )
    offer = refresh.offer
    if offer.status == OfferStatus.DUE:
        return "Henvendelsen er registreret, og borgeren står nu på listen over borgere, der skal tilbydes besøg."
    return f"Henvendelsen er registreret. Årets tilbud har status »{OfferStatus(offer.status).label}«."
