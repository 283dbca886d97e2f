"""Demo data for the consultant's working day: this week's bookings, open follow-ups, and two
collective events (one today, so the door check-in can be tried). Synthetic, made through the
same services as the pages where they allow it; run again on another day, it fills that week."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from fhb.models import Municipality, Offer, OfferStatus, Role, User
from fhb.offers import offer_transition
from invitations.models import Booking

from .events import event_invite, event_save
from .models import CollectiveEvent, FollowUp, FollowUpKind, Visit, VisitOutcome

SLOTS = [dt.time(9, 0), dt.time(10, 30), dt.time(12, 30), dt.time(14, 0)]


def _week_days(today: dt.date) -> list[dt.date]:
    start = today if today.weekday() < 5 else today + dt.timedelta(days=7 - today.weekday())
    return [start + dt.timedelta(days=d) for d in range(5 - start.weekday())]


def demo_agenda(*, municipality: Municipality, today: dt.date, rng: random.Random) -> dict:
    consultants = list(User.objects.filter(municipality=municipality, role=Role.CONSULTANT).order_by("username"))
    tz = timezone.get_current_timezone()
    made = {"bookings": 0, "follow_ups": 0, "events": 0, "invited": 0}
    candidates = list(
        Offer.objects.filter(
            municipality=municipality,
            year=today.year,
            status__in=[OfferStatus.DUE, OfferStatus.INVITED],
            letter_kind="date_letter",
            citizen__deceased_on__isnull=True,
            citizen__moved_out_on__isnull=True,
        )
        .select_related("citizen")
        .order_by("id")[:2000]
    )
    rng.shuffle(candidates)
    for consultant in consultants:
        if Booking.objects.filter(consultant=consultant, starts_at__date__gte=today).exists():
            continue
        for day in _week_days(today):
            for slot in SLOTS:
                if not candidates:
                    break
                offer = candidates.pop()
                Booking.objects.create(
                    municipality=municipality,
                    citizen=offer.citizen,
                    offer=offer,
                    consultant=consultant,
                    starts_at=dt.datetime.combine(day, slot, tzinfo=tz),
                    duration_minutes=60,
                    note=rng.choice(["", "", "Ring på hos naboen, hvis ingen åbner", "Datter deltager"]),
                    created_by=consultant,
                )
                offer_transition(
                    offer=offer, to_status=OfferStatus.BOOKED, user=consultant, on=today, note="Booket (demo)"
                )
                made["bookings"] += 1
    if not FollowUp.objects.filter(municipality=municipality).exists():
        visits = list(
            Visit.objects.filter(municipality=municipality, outcome=VisitOutcome.COMPLETED, kind="home_visit")
            .exclude(consultant=None)
            .order_by("id")[:12]
        )
        for i, visit in enumerate(visits):
            kind = [FollowUpKind.NEW_VISIT, FollowUpKind.NEW_CONTACT, FollowUpKind.CIVIL_SOCIETY][i % 3]
            FollowUp.objects.create(
                municipality=municipality,
                citizen=visit.citizen,
                visit=visit,
                kind=kind,
                description={
                    FollowUpKind.NEW_VISIT: "Genbesøg efter faldudredning",
                    FollowUpKind.NEW_CONTACT: "Ring og hør om motionsholdet",
                    FollowUpKind.CIVIL_SOCIETY: "Besøgsven via Ældre Sagen",
                }[kind],
                due_on=today + dt.timedelta(days=rng.randint(-3, 10)) if kind != FollowUpKind.CIVIL_SOCIETY else None,
                assigned_to=visit.consultant,
                created_by=visit.consultant,
            )
            made["follow_ups"] += 1
    if not CollectiveEvent.objects.filter(municipality=municipality).exists():
        leader = User.objects.filter(municipality=municipality, role=Role.TEAM_LEADER).first()
        if leader is not None:
            today = max(today, timezone.localdate())  # events can only be planned from today on
            birthday = event_save(
                user=leader,
                title="Fødselsdagsarrangement for 75-årige",
                theme="Et godt liv som 75-årig",
                description="Kaffe og lagkage, oplæg om motion og fællesskaber, og mulighed for en snak med "
                "forebyggelseskonsulenterne.",
                date=today,
                starts_at=dt.time(10, 0),
                ends_at=dt.time(12, 30),
                venue="Medborgerhuset, Søvej 3, 8600 Silkeborg",
                capacity=60,
                speakers="Forebyggelsesteamet; Ældre Sagen Silkeborg; Silkeborg Bibliotekerne",
                target_groups=["age_75"],
            )
            invited = event_invite(event=birthday, user=leader, limit=80)
            made["invited"] += invited
            for registration in birthday.registrations.order_by("id")[: invited * 55 // 100]:  # about half answer yes
                registration.status, registration.responded_at = "registered", timezone.now()
                registration.save(update_fields=["status", "responded_at"])
            grief = event_save(
                user=leader,
                title="Sorggruppe for enker og enkemænd",
                theme="Sorg og nye fællesskaber",
                date=today + dt.timedelta(days=21),
                starts_at=dt.time(13, 0),
                ends_at=dt.time(15, 0),
                venue="Sundhedscentret, Vestergade 9, 8600 Silkeborg",
                capacity=12,
                speakers="Præst fra Silkeborg Provsti",
                target_groups=["at_risk_65_81"],
            )
            made["invited"] += event_invite(event=grief, user=leader, limit=20)
            made["events"] = 2
    return made
