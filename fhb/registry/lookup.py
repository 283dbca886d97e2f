"""Finding the registry's citizen for a CPR number in an imported row (risk events, visits)."""

from __future__ import annotations

import contextlib

from django.utils import timezone

from .. import cpr as cprlib
from ..models import Citizen, Municipality
from .tables import InvalidValue, RowCheck, iter_chunks, require


class CitizenLookup:
    """Loads every citizen a file names in a few queries, then answers row by row."""

    def __init__(self, raw_numbers: list[str], *, municipality: Municipality | None, fields: tuple[str, ...]):
        self.today = timezone.localdate()
        numbers = set()
        for raw in raw_numbers:
            with contextlib.suppress(cprlib.InvalidCpr):
                numbers.add(cprlib.normalise(raw))
        scope = Citizen.objects.all() if municipality is None else Citizen.objects.filter(municipality=municipality)
        self.by_cpr: dict[str, list[Citizen]] = {}
        for chunk in iter_chunks(sorted(numbers), 5000):
            for citizen in scope.filter(cpr__in=chunk).only("id", "cpr", "municipality_id", "moved_out_on", *fields):
                self.by_cpr.setdefault(citizen.cpr, []).append(citizen)

    def find_in(self, check: RowCheck, column: str = "cpr") -> Citizen | None:
        """The row's citizen, or None with the reason recorded on the row's check."""
        try:
            return self.find(check.raw[column])
        except InvalidValue as exc:
            check.fail(column, str(exc))
            return None

    def find(self, raw: str) -> Citizen:
        """The citizen, or InvalidValue with the reason (invalid, unknown, in several municipalities)."""
        try:
            number = cprlib.normalise(require(raw), today=self.today)
        except cprlib.InvalidCpr as exc:
            raise InvalidValue(str(exc)) from None
        matches = self.by_cpr.get(number, [])
        current = [c for c in matches if c.moved_out_on is None] or matches
        if not matches:
            raise InvalidValue("borgeren findes ikke i registeret; importér registerudtrækket først")
        if len(current) > 1:
            raise InvalidValue("CPR-nummeret findes i flere kommuner; angiv kommunen (--municipality)")
        return current[0]
