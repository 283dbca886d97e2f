"""Reads of visits and scheduling, each starting from the municipality boundary
(`fhb.selectors.visible_to`)."""

from __future__ import annotations

from django.db.models import QuerySet

from fhb.models import Role, User
from fhb.selectors import staff_visible_to, visible_to

from .models import Booking, ClosingDay, CollectiveEvent, EventRegistration, FollowUp, Visit


def visits_visible_to(user: User) -> QuerySet[Visit]:
    return visible_to(user, Visit).select_related("citizen")


def bookings_visible_to(user: User) -> QuerySet[Booking]:
    return visible_to(user, Booking)


def follow_ups_visible_to(user: User) -> QuerySet[FollowUp]:
    return visible_to(user, FollowUp)


def events_visible_to(user: User) -> QuerySet[CollectiveEvent]:
    return visible_to(user, CollectiveEvent)


def registrations_visible_to(user: User) -> QuerySet[EventRegistration]:
    return visible_to(user, EventRegistration, via="event__municipality")


def consultants_of(user: User) -> QuerySet[User]:
    """Who can be assigned a follow-up: the municipality's active consultants and team leaders."""
    return staff_visible_to(user, roles=[Role.CONSULTANT, Role.TEAM_LEADER], active_only=True).order_by(
        "first_name", "last_name"
    )


def bookable_consultants(user: User) -> QuerySet[User]:
    """Who can be booked for a visit: the municipality's active consultants (a team leader plans,
    and is not in the calendar)."""
    return staff_visible_to(user, roles=[Role.CONSULTANT], active_only=True).order_by("first_name", "last_name")


def closing_days_visible_to(user: User) -> QuerySet[ClosingDay]:
    return visible_to(user, ClosingDay)
