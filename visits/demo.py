"""Demo data of visits and scheduling (the `demo_seed` hook): the consultants' calendars, four
weeks of visits and the history before them, and the consultant's working day: this week's
bookings, open follow-ups, and two collective events (one today, so the door check-in can be
tried). Synthetic, made through the same services as the pages where they allow it; run again on
another day, it fills that week."""

from __future__ import annotations

import datetime as dt
import io
import random

from django.conf import settings
from django.utils import timezone

from fhb.demo import STAFF, Demo
from fhb.models import Citizen, Municipality, Offer, OfferStatus, Role, User
from fhb.offers import offer_transition

from .events import event_invite, event_save
from .history import visits_import
from .models import (
    Absence,
    Booking,
    ClosingDay,
    CollectiveEvent,
    ConsultantCalendar,
    FollowUp,
    FollowUpKind,
    Visit,
    VisitOutcome,
)
from .workdays import closed_days

SLOTS = [dt.time(9, 0), dt.time(10, 30), dt.time(12, 30), dt.time(14, 0)]


def _week_days(today: dt.date) -> list[dt.date]:
    start = today if today.weekday() < 5 else today + dt.timedelta(days=7 - today.weekday())
    return [start + dt.timedelta(days=d) for d in range(5 - start.weekday())]


def _open_days(today: dt.date, weekdays, closed) -> list[dt.date]:
    """The rest of this week's open working days for the consultant; when none is left (a Friday
    that is a holiday, the days between Christmas and New Year), the coming week's."""
    days = [d for d in _week_days(today) if d.weekday() in weekdays and d not in closed]
    if not days:
        monday = today + dt.timedelta(days=7 - today.weekday())
        days = [d for d in _week_days(monday) if d.weekday() in weekdays and d not in closed]
    return days


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
    closed = closed_days(municipality.pk, today, today + dt.timedelta(days=14))
    cap = settings.FHB["DEFAULT_WEEKLY_VISIT_CAPACITY"]
    for consultant in consultants:
        if Booking.objects.filter(consultant=consultant, starts_at__date__gte=today).exists():
            continue
        calendar = ConsultantCalendar.objects.filter(consultant=consultant).first()
        weekdays = calendar.weekdays if calendar else range(5)
        slots = calendar.slot_starts() if calendar else SLOTS
        # The week's agenda as the planner would fill it: open days only, up to the weekly cap.
        times = [(d, s) for d in _open_days(today, weekdays, closed) for s in slots]
        for day, slot in times[: consultant.weekly_visit_capacity or cap]:
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
            offer_transition(offer=offer, to_status=OfferStatus.BOOKED, user=consultant, on=today, note="Booket (demo)")
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


CALENDARS = {
    "konsulent1": ([0, 1, 2, 3], ["Silkeborg By", "Nord"]),
    "konsulent2": ([0, 1, 2, 3, 4], ["Silkeborg By", "Øst"]),
    "konsulent3": ([1, 2, 3, 4], ["Silkeborg By", "Syd"]),
}


# The closing days most municipalities keep beside the public holidays.
CLOSING_DAYS = ((6, 5, "Grundlovsdag"), (12, 24, "Juleaftensdag"), (12, 31, "Nytårsaftensdag"))


def demo_calendars(*, municipality: Municipality, districts: dict, today: dt.date) -> None:
    for year in (today.year, today.year + 1):
        for month, day, name in CLOSING_DAYS:
            if dt.date(year, month, day) >= today:
                ClosingDay.objects.get_or_create(municipality=municipality, date=dt.date(year, month, day), name=name)
    for username, (weekdays, names) in CALENDARS.items():
        user = User.objects.get(username=username)
        calendar, created = ConsultantCalendar.objects.get_or_create(consultant=user, defaults={"weekdays": weekdays})
        if created:
            calendar.districts.set([districts[n] for n in names])
    konsulent2 = User.objects.get(username="konsulent2")
    if not Absence.objects.filter(consultant=konsulent2).exists():  # a week's course next month
        first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        monday = first + dt.timedelta(days=(7 - first.weekday()) % 7 + 7)
        Absence.objects.create(
            consultant=konsulent2, starts_on=monday, ends_on=monday + dt.timedelta(days=4), reason="Kursus"
        )


def build_visits_csv(*, municipality: Municipality, today: dt.date, rng: random.Random) -> str:
    """Four weeks of the consultants' work: mostly completed home visits on weekdays, some
    declines, no-shows and phone calls, among citizens due this year."""
    consultants = [u for u, *_ in STAFF if u.startswith("konsulent")]
    candidates = list(
        Offer.objects.filter(municipality=municipality, year=today.year, status="due")
        .select_related("citizen")
        .order_by("id")
    )
    due = rng.sample(candidates, min(220, len(candidates)))
    notes = [
        "Talte om hverdagen og fremtiden.",
        "Ønsker info om motionshold.",
        "Bekymret for fald.",
        "Henvist til besøgsven.",
        "",
    ]
    out = io.StringIO()
    out.write("cpr;date;kind;outcome;consultant;note\n")
    for offer in due:
        day = today - dt.timedelta(days=rng.randint(1, 28))
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        kind, outcome = rng.choices(
            [
                ("home_visit", "completed"),
                ("home_visit", "declined"),
                ("home_visit", "no_show"),
                ("phone_call", "completed"),
            ],
            [70, 12, 6, 12],
        )[0]
        note = rng.choice(notes) if outcome == "completed" else ""
        out.write(f"{offer.citizen.cpr};{day.isoformat()};{kind};{outcome};{rng.choice(consultants)};{note}\n")
    return out.getvalue()


def build_history_csv(*, municipality: Municipality, today: dt.date, rng: random.Random) -> str:
    """Last year and this year up to four weeks ago, as an earlier system would hand them over:
    about 130 visits a month (completed home and follow-up visits, some declines, no-shows and
    calls), an event each quarter, and a summer dip."""
    people = list(
        Citizen.objects.filter(
            municipality=municipality, birth_date__year__lte=today.year - 75, deceased_on__isnull=True
        )
        .order_by("id")
        .values_list("cpr", flat=True)
    )
    consultants = [u for u, *_ in STAFF if u.startswith("konsulent")]
    start = dt.date(today.year - 1, 1, 1)
    stop = today - dt.timedelta(days=29)
    out = io.StringIO()
    out.write("cpr;date;kind;outcome;consultant;note\n")
    day = start
    while day < stop:
        if day.weekday() < 5:
            per_day = rng.randint(3, 9) if day.month != 7 else rng.randint(2, 6)  # the summer holidays
            for cpr in rng.sample(people, per_day):
                kind, outcome = rng.choices(
                    [
                        ("home_visit", "completed"),
                        ("follow_up_visit", "completed"),
                        ("home_visit", "declined"),
                        ("home_visit", "no_show"),
                        ("phone_call", "completed"),
                    ],
                    [68, 10, 8, 4, 10],
                )[0]
                out.write(f"{cpr};{day.isoformat()};{kind};{outcome};{rng.choice(consultants)};\n")
            if day.day == 15 and day.month in (3, 6, 9, 11):  # a collective event each quarter
                for cpr in rng.sample(people, rng.randint(15, 30)):
                    out.write(f"{cpr};{day.isoformat()};collective_event;completed;{consultants[0]};\n")
        day += dt.timedelta(days=1)
    return out.getvalue()


def demo_seed(demo: Demo) -> dict:
    """The `demo_seed` hook: the consultants' calendars; with a new population a few weeks of
    visits and the history before them (last year and this year until then, for the statistics);
    and this week's agenda."""
    demo_calendars(municipality=demo.municipality, districts=demo.districts, today=demo.today)
    visit_result = None
    if demo.new_population:
        m, today, rng = demo.municipality, demo.today, demo.rng
        visit_result = visits_import(data=build_visits_csv(municipality=m, today=today, rng=rng))
        visits_import(data=build_history_csv(municipality=m, today=today, rng=rng))
    agenda = demo_agenda(municipality=demo.municipality, today=demo.today, rng=demo.rng)
    return {"visits": visit_result, "agenda": agenda}
