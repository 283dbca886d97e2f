"""What visits contributes to the core's pages and commands (fhb.hooks)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from fhb import hooks
from fhb.law import preventive_visit
from fhb.models import ImportKind

from . import demo, timeline
from .bookings import undo_since
from .history import visits_import
from .models import BookingStatus, CollectiveEvent, Screening, Visit
from .screenings import score_series

hooks.register("citizen_timeline")(timeline.citizen_entries)
hooks.register("demo_seed", order=10)(demo.demo_seed)


@hooks.register("citizen_page")
def citizen_page(request, citizen) -> dict:
    """The citizen page's visits, active bookings, follow-ups and collective events."""
    context = {
        "visits": citizen.visits.select_related("consultant")[:50],
        "can_record_visit": request.user.has_perm("visits.add_visit"),
        # Booked visits, and one cancelled within FHB_UNDO_MINUTES with its undo.
        "bookings": citizen.bookings.filter(
            Q(status=BookingStatus.BOOKED) | Q(status=BookingStatus.CANCELLED, cancelled_at__gte=undo_since())
        ).select_related("consultant"),
        "follow_ups": citizen.follow_ups.select_related("assigned_to").order_by("status", "due_on", "id")[:30],
        "registrations": citizen.event_registrations.select_related("event").order_by("-event__date")[:10],
        "can_manage_events": request.user.has_perm("visits.manage_events"),
    }
    if request.user.has_perm("visits.view_note", citizen):  # health data: with the notes only
        readings = Screening.objects.filter(visit__citizen=citizen, visit__is_draft=False).values_list(
            "visit__visit_date", "kind", "values", "level"
        )
        context["score_series"] = score_series(readings)
    if context["can_manage_events"]:
        context["open_events"] = CollectiveEvent.objects.filter(
            municipality_id=citizen.municipality_id, date__gte=timezone.localdate(), cancelled=False
        ).exclude(registrations__citizen=citizen)
    return context


@hooks.register("counted_visits")
def counted_visits():
    """The visits that count as preventive visits (fhb.law.preventive_visit)."""
    return Visit.objects.filter(
        kind__in=sorted(preventive_visit.VISIT_KINDS), outcome=preventive_visit.COUNTED_OUTCOME, is_draft=False
    )


@hooks.register("import_services")
def import_services() -> dict:
    return {ImportKind.VISITS: visits_import}
