"""The consultants' working calendars, absences and the municipality's closing days: the writes (the
team leader's capacity pages in invitations call these). What a calendar holds is
`visits.models.ConsultantCalendar`; which days are closed, `workdays.py`."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from fhb.errors import DomainError
from fhb.models import District, Municipality, User

from .models import Absence, Booking, BookingStatus, ClosingDay, ConsultantCalendar
from .workdays import public_holidays


@transaction.atomic
def calendar_save(
    *,
    consultant: User,
    user: User,
    weekdays: list[int],
    day_starts: dt.time,
    day_ends: dt.time,
    visit_minutes: int,
    travel_minutes: int,
    districts: list[District],
    weekly_cap: int | None = None,
) -> ConsultantCalendar:
    """Create or change a consultant's calendar and weekly cap (empty: the municipality's default).
    The history records who changed the calendar."""
    calendar = ConsultantCalendar.objects.filter(consultant=consultant).first() or ConsultantCalendar(
        consultant=consultant
    )
    calendar.weekdays, calendar.day_starts, calendar.day_ends = weekdays, day_starts, day_ends
    calendar.visit_minutes, calendar.travel_minutes = visit_minutes, travel_minutes
    calendar._history_user = user
    calendar.save()
    calendar.districts.set(districts)
    if consultant.weekly_visit_capacity != weekly_cap:
        consultant.weekly_visit_capacity = weekly_cap
        consultant.save(update_fields=["weekly_visit_capacity"])
    return calendar


def absence_add(*, consultant: User, starts_on: dt.date, ends_on: dt.date, reason: str = "") -> Absence:
    return Absence.objects.create(consultant=consultant, starts_on=starts_on, ends_on=ends_on, reason=reason)


def absence_delete(*, consultant: User, absence_id) -> int:
    """Delete one of the consultant's absences; another consultant's id deletes nothing."""
    deleted, _ = Absence.objects.filter(consultant=consultant, pk=absence_id).delete()
    return deleted


def bookings_on(municipality: Municipality, day: dt.date) -> int:
    """Active bookings on a day (what a new closing day leaves to be moved)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return Booking.objects.filter(
        municipality=municipality,
        status=BookingStatus.BOOKED,
        starts_at__gte=start,
        starts_at__lt=start + dt.timedelta(days=1),
    ).count()


def closing_day_add(*, municipality: Municipality, date: dt.date, name: str, user: User) -> ClosingDay:
    """Close a day for visits (the planner, the slot picker and bookings skip it). Bookings already
    on the day stay, to be moved by hand: the caller says how many (`bookings_on`)."""
    name = name.strip()
    if not name:
        raise DomainError("Skriv, hvad dagen er (fx Juleaftensdag).", field="name")
    if date < timezone.localdate():
        raise DomainError("Dagen er passeret.", field="date")
    holiday = public_holidays(date, date).get(date)
    if holiday:
        raise DomainError(f"{date_format(date, 'j. F Y')} er allerede helligdag: {holiday}.", field="date")
    if ClosingDay.objects.filter(municipality=municipality, date=date).exists():
        raise DomainError(f"{date_format(date, 'j. F Y')} er allerede lukkedag.", field="date")
    day = ClosingDay(municipality=municipality, date=date, name=name)
    day._history_user = user
    day.save()
    return day


def closing_day_delete(*, municipality: Municipality, closing_day_id, user: User) -> int:
    """Open a closing day again; another municipality's id deletes nothing."""
    if not str(closing_day_id).isdigit():
        return 0
    day = ClosingDay.objects.filter(municipality=municipality, pk=closing_day_id).first()
    if day is None:
        return 0
    day._history_user = user
    day.delete()
    return 1
