"""Bookings: put a citizen's visit in a consultant's calendar (no double booking), cancel it, and
keep the year's offer in step (booked, and back again on cancellation)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from fhb.errors import DomainError
from fhb.models import Citizen, Offer, OfferStatus, OfferTransition, Role, User
from fhb.offers import ALLOWED, offer_transition

from .models import OCCUPYING, Booking, BookingStatus, CancelReason
from .workdays import closed_reason

BOOKABLE_KINDS = ("home_visit", "follow_up_visit", "phone_call")


def overlapping(consultant: User, starts_at: dt.datetime, ends_at: dt.datetime, *, exclude: int | None = None):
    """The consultant's bookings (booked or completed) that overlap [starts_at, ends_at). Candidates
    are found by an index range on the start (no visit is longer than a day), the exact test is done
    here."""
    rows = Booking.objects.filter(
        consultant=consultant,
        status__in=OCCUPYING,
        starts_at__lt=ends_at,
        starts_at__gte=starts_at - dt.timedelta(days=1),
    ).select_related("citizen")
    if exclude:
        rows = rows.exclude(pk=exclude)
    return [b for b in rows if b.ends_at > starts_at]


@transaction.atomic
def booking_create(
    *,
    citizen: Citizen,
    consultant: User,
    starts_at: dt.datetime,
    user: User,
    duration_minutes: int = 60,
    kind: str = "home_visit",
    note: str = "",
) -> Booking:
    if consultant.municipality_id != citizen.municipality_id or consultant.role != Role.CONSULTANT:
        raise DomainError("Vælg en konsulent fra kommunen.", field="consultant")
    if kind not in BOOKABLE_KINDS:
        raise DomainError("Vælg besøg, genbesøg eller telefonsamtale.", field="kind")
    if not 5 <= duration_minutes <= 480:
        raise DomainError("Varigheden skal være mellem 5 og 480 minutter.", field="duration_minutes")
    if starts_at < timezone.now():
        raise DomainError("Tidspunktet er passeret.", field="starts_at")
    day = timezone.localtime(starts_at).date()
    closed = closed_reason(citizen.municipality_id, day)
    if closed:
        raise DomainError(f"Der aflægges ikke besøg den {date_format(day, 'j. F Y')}: {closed}.", field="starts_at")
    if citizen.deceased_on and day >= citizen.deceased_on:
        raise DomainError("Borgeren er død.", field="starts_at")
    if citizen.moved_out_on and day >= citizen.moved_out_on:
        raise DomainError("Borgeren er fraflyttet kommunen.", field="starts_at")
    # Serialise bookings per consultant: two team leaders booking the same slot at once cannot both win.
    User.objects.select_for_update().filter(pk=consultant.pk).first()
    ends_at = starts_at + dt.timedelta(minutes=duration_minutes)
    clash = overlapping(consultant, starts_at, ends_at)
    if clash:
        other = clash[0]
        start, end = timezone.localtime(other.starts_at), timezone.localtime(other.ends_at)
        raise DomainError(
            f"{consultant.get_full_name() or consultant} har allerede et besøg {start:%d-%m-%Y %H:%M}–{end:%H:%M}.",
            field="starts_at",
        )
    offer = Offer.objects.filter(citizen=citizen, year=day.year).first()
    booking = Booking(
        municipality_id=citizen.municipality_id,
        citizen=citizen,
        offer=offer,
        consultant=consultant,
        kind=kind,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        note=note.strip(),
        created_by=user,
    )
    booking._history_user = user
    booking.save()
    if offer is not None and kind != "phone_call" and OfferStatus.BOOKED in ALLOWED[offer.status]:
        offer_transition(
            offer=offer,
            to_status=OfferStatus.BOOKED,
            user=user,
            on=timezone.localdate(),
            note=f"Booket {timezone.localtime(starts_at):%d-%m-%Y %H:%M}",
        )
    return booking


def undo_since() -> dt.datetime:
    """What was done after this can still be undone (FHB_UNDO_MINUTES)."""
    return timezone.now() - dt.timedelta(minutes=settings.FHB["UNDO_MINUTES"])


@transaction.atomic
def booking_cancel(*, booking: Booking, user: User, reason: str, note: str = "") -> Booking:
    """Cancel a booking, saying why (CancelReason; "other" needs a note). The offer goes back to
    where it was before it was booked (invited, due or no answer) when nothing else has happened to
    it since. `booking_restore` undoes it for FHB_UNDO_MINUTES."""
    if reason not in CancelReason.values:
        raise DomainError("Vælg hvorfor besøget aflyses.", field="reason")
    note = note.strip()
    if reason == CancelReason.OTHER and not note:
        raise DomainError("Skriv hvorfor besøget aflyses.", field="note")
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != BookingStatus.BOOKED:
        raise DomainError("Kun en aktiv booking kan aflyses.")
    booking.status, booking.cancel_reason = BookingStatus.CANCELLED, reason
    booking.cancelled_at, booking.cancelled_by = timezone.now(), user
    if note:
        booking.note = (booking.note + (" · " if booking.note else "") + f"Aflyst: {note}")[:300]
    booking._history_user = user
    booking.save(update_fields=["status", "cancel_reason", "cancelled_at", "cancelled_by", "note"])
    offer = booking.offer
    if offer is not None:
        offer.refresh_from_db()
        if offer.status == OfferStatus.BOOKED and not offer.bookings.filter(status=BookingStatus.BOOKED).exists():
            last = (
                OfferTransition.objects.filter(offer=offer, to_status=OfferStatus.BOOKED)
                .exclude(from_status=OfferStatus.BOOKED)
                .order_by("-at", "-id")
                .first()
            )
            back = last.from_status if last and last.from_status else OfferStatus.INVITED
            if back in ALLOWED[offer.status]:
                offer_transition(
                    offer=offer, to_status=back, user=user, note=f"Booking aflyst: {CancelReason(reason).label}"
                )
    return booking


@transaction.atomic
def booking_restore(*, booking: Booking, user: User) -> Booking:
    """Undo a cancellation made within FHB_UNDO_MINUTES: the visit is booked again at its time, as
    it was (if the consultant's time is still free), and the offer booked again."""
    booking = Booking.objects.select_for_update().select_related("citizen", "consultant").get(pk=booking.pk)
    if booking.status != BookingStatus.CANCELLED:
        raise DomainError("Bookingen er ikke aflyst.")
    if booking.cancelled_at is None or booking.cancelled_at < undo_since():
        raise DomainError(
            f"Aflysningen kan kun fortrydes i {settings.FHB['UNDO_MINUTES']} minutter. Book besøget igen i stedet."
        )
    User.objects.select_for_update().filter(pk=booking.consultant_id).first()
    clash = overlapping(booking.consultant, booking.starts_at, booking.ends_at, exclude=booking.pk)
    if clash:
        start = timezone.localtime(clash[0].starts_at)
        raise DomainError(f"Tiden er givet til et andet besøg ({start:%d-%m-%Y %H:%M}). Book besøget igen i stedet.")
    booking.status, booking.cancel_reason, booking.cancelled_at, booking.cancelled_by = (
        BookingStatus.BOOKED, "", None, None
    )  # fmt: skip
    booking._history_user = user
    booking.save(update_fields=["status", "cancel_reason", "cancelled_at", "cancelled_by"])
    offer = booking.offer
    if offer is not None:
        offer.refresh_from_db()
        if (
            booking.kind != "phone_call"
            and offer.status != OfferStatus.BOOKED
            and OfferStatus.BOOKED in ALLOWED[offer.status]
        ):
            offer_transition(offer=offer, to_status=OfferStatus.BOOKED, user=user, note="Aflysning fortrudt")
    return booking
