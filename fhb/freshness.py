"""When the data behind a municipality's figures last changed: a version per municipality (and one
for all), kept in the cache and bumped by the writes that change the figures — a visit, a citizen,
a risk event, the quality standard, a month approved (signals, reports/apps.py), and the bulk
imports (fhb.registry.rowimport). Pages that show the year's figures cache them under the version,
so a page view reads them instead of recomputing the year (issue: the dashboard recomputed every
citizen's eligibility twice per view). The cache must be shared between the web processes
(Redis in production, settings)."""

from __future__ import annotations

from django.core.cache import cache

ALL = "*"


def _key(municipality_id) -> str:
    return f"fhb:data-version:{municipality_id}"


def version(municipality_id: int) -> str:
    """The current version of the municipality's data (changes whenever it changes)."""
    values = cache.get_many([_key(ALL), _key(municipality_id)])
    return f"{values.get(_key(ALL), 0)}.{values.get(_key(municipality_id), 0)}"


def changed(municipality_id: int | None = None) -> None:
    """The municipality's data changed (None: any municipality's, e.g. a national import)."""
    key = _key(ALL if municipality_id is None else municipality_id)
    try:
        cache.incr(key)
    except ValueError:  # not there yet (or evicted): any new value differs from the cached ones' keys
        cache.add(key, 1, timeout=None) or cache.incr(key)
