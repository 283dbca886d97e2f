"""Demo data of the statistics (the `demo_seed` hook, after visits')."""

from __future__ import annotations

from fhb.demo import Demo
from fhb.models import Role, User

from .services import month_approve


def demo_seed(demo: Demo) -> dict:
    """The `demo_seed` hook: with a new population (and so its history of visits), last year's
    months were approved as the year went, except December (left for the demo)."""
    if not demo.new_population:
        return {}
    municipality, today = demo.municipality, demo.today
    admin = User.objects.filter(municipality=municipality, role=Role.MUNICIPALITY_ADMIN).first()
    for month in range(1, 12):
        month_approve(municipality=municipality, year=today.year - 1, month=month, user=admin)
    return {}
