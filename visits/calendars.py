"""The consultants' working calendars and absences: the writes (the team leader's capacity pages
in invitations call these). What a calendar holds is `visits.models.ConsultantCalendar`."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from fhb.models import District, User

from .models import Absence, ConsultantCalendar


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
) -> ConsultantCalendar:
    """Create or change a consultant's calendar (the history records who changed it)."""
    calendar = ConsultantCalendar.objects.filter(consultant=consultant).first() or ConsultantCalendar(
        consultant=consultant
    )
    calendar.weekdays, calendar.day_starts, calendar.day_ends = weekdays, day_starts, day_ends
    calendar.visit_minutes, calendar.travel_minutes = visit_minutes, travel_minutes
    calendar._history_user = user
    calendar.save()
    calendar.districts.set(districts)
    return calendar


def absence_add(*, consultant: User, starts_on: dt.date, ends_on: dt.date, reason: str = "") -> Absence:
    return Absence.objects.create(consultant=consultant, starts_on=starts_on, ends_on=ends_on, reason=reason)


def absence_delete(*, consultant: User, absence_id) -> int:
    """Delete one of the consultant's absences; another consultant's id deletes nothing."""
    deleted, _ = Absence.objects.filter(consultant=consultant, pk=absence_id).delete()
    return deleted
