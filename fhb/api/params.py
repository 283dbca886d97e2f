"""Query parameters the API reads by hand, checked in one place: a bad value is a 400 that names
the parameter, never a 500 (a year like 99999999999999999999 overflowed the date and the database)."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from fhb.law import FIRST_YEAR, LAST_YEAR


def year_param(request, name: str = "year", *, default: int | None = None) -> int | None:
    """The year in `?name=`, from FIRST_YEAR to LAST_YEAR; `default` when it is absent (None: this
    year's is not assumed)."""
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not FIRST_YEAR <= int(raw) <= LAST_YEAR:
        raise ValidationError({name: [f"Skal være et årstal fra {FIRST_YEAR} til {LAST_YEAR}."]})
    return int(raw)


def this_year() -> int:
    return timezone.localdate().year


class YearField(serializers.IntegerField):
    """A year in a request body, FIRST_YEAR to LAST_YEAR (a larger one overflowed the date: a 500)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", LAST_YEAR)
        super().__init__(**kwargs)
