"""The citizen's timeline entries of visits and scheduling (fhb.timeline shows them through the
`citizen_timeline` hook): visits and contacts with their screenings, bookings, follow-ups and
collective events. Health details (notes, screenings, follow-up descriptions) only with
`show_notes`."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from fhb.models import Citizen
from fhb.timeline import Entry

from .models import Booking, EventRegistration, FollowUp, Visit


def citizen_entries(citizen: Citizen, *, show_notes: bool) -> list[Entry]:
    entries: list[Entry] = []
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
    return entries
