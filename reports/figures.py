"""The year's figures as the pages show them (dashboard, statistics, the month page): the DST
export's summary, computed once per change of the municipality's data (fhb.freshness) and read
from the cache by every view until the next change — never the year recomputed per view. A
safety net of ten minutes bounds what a write that bypasses the versions could leave stale."""

from __future__ import annotations

from django.core.cache import cache

from fhb import freshness
from fhb.models import Municipality

from . import dst

TIMEOUT = 10 * 60


def year_summary(municipality: Municipality, year: int, *, approved_months: int | None = None) -> dict:
    key = f"fhb:summary:{municipality.pk}:{year}:{approved_months}:{freshness.version(municipality.pk)}"
    summary = cache.get(key)
    if summary is None:
        summary = dst.export(municipality=municipality, year=year, out=None, approved_months=approved_months).summary
        # The pages count the records left out (by reason); the records themselves are the
        # delivery's (its summary file), and would make every read of the cache slower.
        summary = {**summary, "excluded": [], "excluded_count": len(summary["excluded"])}
        cache.set(key, summary, TIMEOUT)
    return summary
