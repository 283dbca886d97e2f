"""Reads of the statistics deliveries, starting from the municipality boundary
(`fhb.selectors.visible_to`)."""

from __future__ import annotations

from django.db.models import QuerySet

from fhb.models import User
from fhb.selectors import visible_to

from .models import Delivery


def deliveries_visible_to(user: User) -> QuerySet[Delivery]:
    return visible_to(user, Delivery)
