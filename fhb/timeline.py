"""The citizen's timeline: everything that happened in their case, newest first, from the records
themselves: offers and their status changes (letters sent show as "invited"), risk events and
referrals, bookings, visits and contacts with their screenings, follow-ups, and collective events
(invitation, answer, attendance). Health details (notes, screenings) only for those who may read
them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
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
    from invitations.models import Booking
    from visits.models import EventRegistration, FollowUp, Visit  # visits builds on fhb

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
                detail=" · ".join(
                    x for x in [event.get_source_display(), event.referrer, event.note if show_notes else ""] if x
                ),
            )
        )
    for visit in Visit.objects.filter(citizen=citizen).select_related("consultant").prefetch_related("screenings"):
        screenings = (
            "; ".join(
                f"{s.label}: {s.summary}" + (f" ({s.finding})" if s.level != "normal" and s.finding else "")
                for s in visit.screenings.all()
            )
            if show_notes
            else ""
        )
        detail = " · ".join(
            x
            for x in [
                visit.get_outcome_display(),
                str(visit.consultant or visit.consultant_name or ""),
                screenings,
                visit.note if show_notes else "",
            ]
            if x
        )
        title = visit.get_kind_display() + (f" ({_('kladde')})" if visit.is_draft else "")
        entries.append(Entry(day=visit.visit_date, at=visit.created_at, kind="visit", title=title, detail=detail))
    for booking in Booking.objects.filter(citizen=citizen).select_related("consultant"):
        start = timezone.localtime(booking.starts_at)
        entries.append(
            Entry(
                day=booking.created_at.date(),
                at=booking.created_at,
                kind="booking",
                title=_("Besøg booket til %(when)s") % {"when": f"{start:%d-%m-%Y %H:%M}"},
                detail=" · ".join(
                    x for x in [booking.get_status_display(), booking.consultant.get_full_name(), booking.note] if x
                ),
            )
        )
    for f in FollowUp.objects.filter(citizen=citizen).select_related("assigned_to"):
        detail = " · ".join(
            x
            for x in [
                f.description if show_notes else "",  # health data: the same rule as the journal notes
                _("senest %(d)s") % {"d": f"{f.due_on:%d-%m-%Y}"} if f.due_on else "",
                _("samtykke til %(to)s") % {"to": f.consent_to} if f.consent_given else "",
                str(f.assigned_to or ""),
            ]
            if x
        )
        entries.append(
            Entry(
                day=f.created_at.date(),
                at=f.created_at,
                kind="follow_up",
                title=_("Opfølgning: ") + f.title,
                detail=detail,
            )
        )
        if f.status != FollowUp.Status.OPEN:
            day = f.done_on or f.updated_at.date()
            title = _("Opfølgning %(status)s: %(t)s") % {"status": f.get_status_display().lower(), "t": f.title}
            entries.append(Entry(day=day, at=f.updated_at, kind="follow_up", title=title))
    for r in EventRegistration.objects.filter(citizen=citizen).select_related("event"):
        event = r.event
        name = f"»{event.title}« {event.date:%d-%m-%Y}"
        if r.invited_at:
            entries.append(
                Entry(
                    day=r.invited_at.date(), at=r.invited_at, kind="event", title=_("Inviteret til %(e)s") % {"e": name}
                )
            )
        if r.responded_at and r.status in ("registered", "declined"):
            title = (_("Tilmeldt %(e)s") if r.status == "registered" else _("Takket nej til %(e)s")) % {"e": name}
            entries.append(
                Entry(day=r.responded_at.date(), at=r.responded_at, kind="event", title=title, detail=r.decline_reason)
            )
        if r.checked_in_at:
            entries.append(
                Entry(day=event.date, at=r.checked_in_at, kind="event", title=_("Deltog i %(e)s") % {"e": name})
            )
    return sorted(entries, key=lambda e: (e.day, e.at or dt.datetime.min.replace(tzinfo=dt.UTC)), reverse=True)
