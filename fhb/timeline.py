"""The citizen's timeline: everything that happened in their case, newest first, from the records
themselves: offers and their status changes (letters sent show as "invited"), risk events and
referrals here; bookings, visits and contacts with their screenings, follow-ups, and collective
events (invitation, answer, attendance) from visits, through the `citizen_timeline` hook. Health
details (notes, screenings) only for those who may read them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import hooks
from .models import Citizen, OfferStatus, OfferTransition
from .selectors import target_group_labels


@dataclass(frozen=True)
class Entry:
    day: dt.date
    at: dt.datetime | None  # for ordering entries of the same day
    kind: str  # "offer", "risk", "visit", "booking", "follow_up", "event"
    title: str
    detail: str = ""


def citizen_timeline(citizen: Citizen, *, show_notes: bool) -> list[Entry]:
    entries: list[Entry] = []
    transitions = OfferTransition.objects.filter(offer__citizen=citizen).select_related("offer", "by")
    labels = target_group_labels(citizen.municipality_id)  # the municipality's own groups too
    for t in transitions:
        groups = ", ".join(labels.get(g, g) for g in t.offer.group_codes)
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
                detail=" · ".join(
                    x for x in [event.get_source_display(), event.referrer, event.note if show_notes else ""] if x
                ),
            )
        )
    for contribute in hooks.get_hooks("citizen_timeline"):  # visits: bookings, visits, follow-ups, events
        entries.extend(contribute(citizen, show_notes=show_notes))
    return sorted(entries, key=lambda e: (e.day, e.at or dt.datetime.min.replace(tzinfo=dt.UTC)), reverse=True)
