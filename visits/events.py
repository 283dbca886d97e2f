"""Collective events (BEK 716/2019 § 1-2): create, invite from the year's offers, register answers,
check in at the door. Attendance is recorded as a visit of kind `collective_event`; a citizen who
declines is offered an individual visit instead (§ 2) and shows up on the due list again."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from fhb.errors import DomainError
from fhb.law.bek_716 import INDIVIDUAL_LETTER
from fhb.models import Citizen, InvitationKind, Offer, OfferStatus, User
from fhb.offers import Move, offer_require_individual, offer_step_back, offer_transition, offers_move
from fhb.registry.bulk import insert_with_history
from fhb.selectors import target_group_labels

from .models import CollectiveEvent, EventRegistration, RegistrationStatus, VisitKind, VisitOutcome
from .services import visit_record

EVENT_FIELDS = [
    "title",
    "theme",
    "description",
    "date",
    "starts_at",
    "ends_at",
    "venue",
    "capacity",
    "speakers",
    "target_groups",
]
# Offers that may still be invited to an event.
INVITABLE = (OfferStatus.DUE, OfferStatus.NO_RESPONSE)


def _check(values: dict, *, municipality_id: int | None) -> None:
    if not values.get("title", "").strip():
        raise DomainError("Giv arrangementet en titel.", field="title")
    if not values.get("venue", "").strip():
        raise DomainError("Angiv hvor arrangementet holdes.", field="venue")
    if not values.get("capacity") or values["capacity"] < 1:
        raise DomainError("Angiv antal pladser (mindst 1).", field="capacity")
    if values.get("ends_at") and values.get("starts_at") and values["ends_at"] <= values["starts_at"]:
        raise DomainError("Sluttidspunktet skal ligge efter starttidspunktet.", field="ends_at")
    known = target_group_labels(municipality_id)  # the statutory groups and the municipality's own
    unknown = [g for g in values.get("target_groups") or [] if g not in known]
    if unknown:
        raise DomainError(f"Ukendte målgrupper: {', '.join(unknown)}.", field="target_groups")


def event_save(*, user: User, event: CollectiveEvent | None = None, **values) -> CollectiveEvent:
    """Create an event for the user's municipality, or change one."""
    values["target_groups"] = list(values.get("target_groups") or [])
    _check(values, municipality_id=event.municipality_id if event else user.municipality_id)
    if event is None:
        if values["date"] < timezone.localdate():
            raise DomainError("Datoen ligger i fortiden.", field="date")
        event = CollectiveEvent(municipality_id=user.municipality_id, created_by=user)
    elif (
        event.registrations.filter(status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED]).count()
        > (values["capacity"])
    ):
        raise DomainError("Der er flere tilmeldte end pladser.", field="capacity")
    for name, value in values.items():
        setattr(event, name, value)
    event._history_user = user
    event.save()
    return event


@transaction.atomic
def event_cancel(*, event: CollectiveEvent, user: User) -> CollectiveEvent:
    """Cancel an event that has not taken place. Everyone still on the list who has not declined is
    offered an individual visit instead (their invitation was to this event)."""
    event = CollectiveEvent.objects.select_for_update().get(pk=event.pk)
    if event.cancelled:
        raise DomainError("Arrangementet er allerede aflyst.")
    if event.registrations.filter(status=RegistrationStatus.ATTENDED).exists():
        raise DomainError("Der er tjekket borgere ind; et afholdt arrangement kan ikke aflyses.")
    event.cancelled = True
    event._history_user = user
    event.save(update_fields=["cancelled"])
    waiting = event.registrations.filter(status__in=[RegistrationStatus.INVITED, RegistrationStatus.REGISTERED])
    for offer in Offer.objects.filter(
        citizen__in=waiting.values("citizen"), year=event.date.year, status=OfferStatus.INVITED
    ):
        offer = offer_transition(
            offer=offer,
            to_status=OfferStatus.DUE,
            user=user,
            note=f"»{event.title}« {event.date:%d-%m-%Y} er aflyst — tilbydes et individuelt besøg",
        )
        if offer.letter_kind == InvitationKind.COLLECTIVE_EVENT:
            offer.letter_kind = INDIVIDUAL_LETTER
            offer.save(update_fields=["letter_kind", "updated_at"])
    return event


def event_counts(event: CollectiveEvent) -> dict[str, int]:
    counts = dict(event.registrations.values_list("status").annotate(n=Count("id")).order_by())
    counts = {s: counts.get(s, 0) for s in RegistrationStatus.values}
    counts["taken"] = counts[RegistrationStatus.REGISTERED] + counts[RegistrationStatus.ATTENDED]
    counts["free"] = max(event.capacity - counts["taken"], 0)
    counts["total"] = sum(counts[s] for s in RegistrationStatus.values)
    return counts


def invitable_offers(event: CollectiveEvent, *, groups: list[str] | None = None):
    """The year's offers an invitation list for this event would take: citizens in the event's
    target groups (or `groups`), not yet invited, not exempt, alive and resident on the day, not
    already on the event's list, and not someone who must have an individual visit (§ 2)."""
    groups = groups or event.target_groups
    condition = Q()
    for code in groups:
        condition |= Q(groups__contains=f"|{code}|")
    return (
        Offer.objects.filter(municipality_id=event.municipality_id, year=event.date.year, status__in=INVITABLE)
        .filter(condition if groups else Q(pk__in=[]))
        .filter(exempt=False, individual_required=False)
        .filter(Q(citizen__deceased_on__isnull=True) | Q(citizen__deceased_on__gt=event.date))
        .filter(Q(citizen__moved_out_on__isnull=True) | Q(citizen__moved_out_on__gt=event.date))
        .exclude(citizen__event_registrations__event=event)
        .order_by("birth_date", "id")
    )


@transaction.atomic
def event_invite(
    *, event: CollectiveEvent, user: User, groups: list[str] | None = None, limit: int | None = None
) -> int:
    """Put the citizens of `invitable_offers` on the event's list (oldest first, at most `limit`)
    and mark their offers invited to a collective event today. Set-based; running it again only
    adds citizens who became eligible since. Returns how many were invited."""
    if event.cancelled:
        raise DomainError("Arrangementet er aflyst.")
    if event.date < timezone.localdate():
        raise DomainError("Arrangementet har allerede fundet sted.")
    rows = list(invitable_offers(event, groups=groups).values_list("id", "citizen_id", "status")[:limit])
    if not rows:
        return 0
    now, today = timezone.now(), timezone.localdate()
    insert_with_history(
        EventRegistration,
        [
            EventRegistration(event=event, citizen_id=citizen_id, status=RegistrationStatus.INVITED, invited_at=now)
            for _, citizen_id, _ in rows
        ],
        user=user,
        reason="invitation",
        now=now,
    )
    note = f"Inviteret til »{event.title}« {event.date:%d-%m-%Y}"
    offers_move(
        [Move(offer_id, OfferStatus.INVITED, note, today, InvitationKind.COLLECTIVE_EVENT) for offer_id, _, _ in rows],
        user=user,
        only_from=set(INVITABLE),
    )
    return len(rows)


@transaction.atomic
def event_add_citizen(*, event: CollectiveEvent, citizen: Citizen, user: User) -> EventRegistration:
    """Add one citizen to the list (a phone call, a walk-in at the door)."""
    if citizen.municipality_id != event.municipality_id:
        raise DomainError("Borgeren hører til en anden kommune.")
    if event.cancelled:
        raise DomainError("Arrangementet er aflyst.")
    if event.date < timezone.localdate():
        raise DomainError("Arrangementet har allerede fundet sted.")
    registration, created = EventRegistration.objects.get_or_create(
        event=event, citizen=citizen, defaults={"invited_at": timezone.now()}
    )
    if not created:
        raise DomainError("Borgeren står allerede på listen.")
    return registration


def _locked(registration: EventRegistration) -> EventRegistration:
    return EventRegistration.objects.select_for_update().select_related("event", "citizen").get(pk=registration.pk)


@transaction.atomic
def registration_respond(
    *, registration: EventRegistration, action: str, user: User, reason: str = ""
) -> EventRegistration:
    """`register` (a seat, within capacity), `decline` (-> an individual visit is offered),
    `check_in` (at the door, on or after the day: records the attendance as a visit), `no_show`."""
    registration = _locked(registration)
    event = registration.event
    status = registration.status
    now = timezone.now()
    if event.cancelled:
        raise DomainError("Arrangementet er aflyst.")
    if action == "register":
        if status not in (RegistrationStatus.INVITED, RegistrationStatus.DECLINED):
            raise DomainError("Borgeren er allerede tilmeldt eller har deltaget.")
        CollectiveEvent.objects.select_for_update().filter(pk=event.pk).first()  # one seat at a time
        if event_counts(event)["free"] < 1:
            raise DomainError(f"Arrangementet er fuldt ({event.capacity} pladser).")
        registration.status, registration.responded_at = RegistrationStatus.REGISTERED, now
    elif action == "decline":
        if status == RegistrationStatus.ATTENDED:
            raise DomainError("Borgeren har deltaget og kan ikke melde fra.")
        registration.status, registration.responded_at = RegistrationStatus.DECLINED, now
        registration.decline_reason = reason.strip()[:300]
        offer = Offer.objects.filter(citizen=registration.citizen, year=event.date.year).first()
        if offer is not None:
            offer_require_individual(
                offer=offer,
                user=user,
                note=f"Takket nej til »{event.title}« — tilbydes et individuelt besøg (BEK 716/2019 § 2)",
            )
    elif action == "check_in":
        if status == RegistrationStatus.ATTENDED:
            raise DomainError("Borgeren er allerede tjekket ind.")
        if event.date > timezone.localdate():
            raise DomainError("Der kan først tjekkes ind på dagen.")

        registration.visit = visit_record(
            citizen=registration.citizen,
            user=user,
            kind=VisitKind.COLLECTIVE_EVENT,
            outcome=VisitOutcome.COMPLETED,
            visit_date=event.date,
            started_at=event.starts_at,
            note="",
        )
        registration.status, registration.checked_in_at, registration.checked_in_by = (
            RegistrationStatus.ATTENDED,
            now,
            user,
        )
    elif action == "undo_check_in":
        # A check-in at the wrong name, undone within FHB_UNDO_MINUTES: the attendance visit goes,
        # the offer steps back from visited, and the citizen is registered again.
        if status != RegistrationStatus.ATTENDED or registration.checked_in_at is None:
            raise DomainError("Borgeren er ikke tjekket ind.")
        since = now - dt.timedelta(minutes=settings.FHB["UNDO_MINUTES"])
        if registration.checked_in_at < since:
            raise DomainError(f"Indtjekningen kan kun fortrydes i {settings.FHB['UNDO_MINUTES']} minutter.")
        visit, checked = registration.visit, registration.checked_in_at
        registration.status, registration.checked_in_at, registration.checked_in_by, registration.visit = (
            RegistrationStatus.REGISTERED, None, None, None
        )  # fmt: skip
        registration._history_user = user
        registration.save()
        if visit is not None:
            offer = Offer.objects.filter(citizen=registration.citizen, year=visit.visit_date.year).first()
            visit._history_user = user
            visit.delete()
            if offer is not None:
                offer_step_back(offer=offer, since=checked, user=user, note="Indtjekning fortrudt")
        return registration
    elif action == "no_show":
        if status not in (RegistrationStatus.REGISTERED, RegistrationStatus.INVITED):
            raise DomainError("Kun tilmeldte eller inviterede kan registreres som udeblevet.")
        if event.date > timezone.localdate():
            raise DomainError("Arrangementet har ikke fundet sted endnu.")
        registration.status = RegistrationStatus.NO_SHOW
    else:
        raise DomainError("Ukendt handling.", field="action")
    registration._history_user = user
    registration.save()
    return registration
