"""The citizen's timeline: everything that happened in their case, newest first, from the records
themselves (offers and their status changes, risk events and referrals, visits and contacts).
Letters and collective events join here as those apps record them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .law import TARGET_GROUP_LABELS
from .models import Citizen, OfferStatus, OfferTransition


@dataclass(frozen=True)
class Entry:
    day: dt.date
    at: dt.datetime | None  # for ordering entries of the same day
    kind: str  # "offer", "risk", "visit"
    title: str
    detail: str = ""


def citizen_timeline(citizen: Citizen, *, show_notes: bool) -> list[Entry]:
    from visits.models import Visit  # visits builds on fhb

    entries: list[Entry] = []
    transitions = OfferTransition.objects.filter(offer__citizen=citizen).select_related("offer", "by")
    for t in transitions:
        groups = ", ".join(str(TARGET_GROUP_LABELS.get(g, g)) for g in t.offer.group_codes)
        title = _("Tilbud %(year)s: %(status)s") % {"year": t.offer.year, "status": OfferStatus(t.to_status).label}
        detail = " · ".join(x for x in [groups if not t.from_status else "", t.note, str(t.by or "")] if x)
        entries.append(Entry(day=t.on or t.at.date(), at=t.at, kind="offer", title=title, detail=detail))
    for event in citizen.risk_events.select_related("risk_group"):
        entries.append(
            Entry(
                day=event.registered_on,
                at=event.created_at,
                kind="risk",
                title=_("Risiko: %(group)s") % {"group": event.risk_group.label},
                detail=event.get_source_display(),
            )
        )
    for visit in Visit.objects.filter(citizen=citizen).select_related("consultant"):
        detail = " · ".join(
            x
            for x in [
                visit.get_outcome_display(),
                str(visit.consultant or visit.consultant_name or ""),
                visit.note if show_notes else "",
            ]
            if x
        )
        title = visit.get_kind_display() + (f" ({_('kladde')})" if visit.is_draft else "")
        entries.append(Entry(day=visit.visit_date, at=visit.created_at, kind="visit", title=title, detail=detail))
    return sorted(entries, key=lambda e: (e.day, e.at or dt.datetime.min.replace(tzinfo=dt.UTC)), reverse=True)
