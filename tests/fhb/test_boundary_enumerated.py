"""The municipality boundary on every route, enumerated from the URL configuration (not a hand
list): each page and API operation that takes an object's id is requested by every role of one
municipality, and anonymously, with the ids of another municipality's objects — GET and POST. None
may answer with that object (GET is refused: 403 or 404, anonymous sent to log in or 403), show
the other municipality's citizen, or change anything. A new route that forgets the boundary fails
here without anyone adding it to a list.

The requesting municipality has no objects of its own, so any id that finds an object finds the
other municipality's.
"""

import datetime as dt
import gzip

import pytest
import time_machine
from django.apps import apps
from django.urls import NoReverseMatch, get_resolver, reverse

from fhb.models import ImportJob, Municipality, Offer, Role
from fhb.offers import offers_sync
from invitations.models import Letter, LetterBatch
from reports.models import Delivery, MonthApproval
from tests.factories import CitizenFactory, RiskEventFactory, UserFactory
from visits.models import Booking, CollectiveEvent, ConsultantCalendar, EventRegistration, FollowUp, Visit

pytestmark = pytest.mark.django_db
# Routes whose ids are not another municipality's objects: shared reference data, or the user's
# own municipality's year and month.
# Routes whose parameter is no object's id (a code, a year); the quality standard's routes are
# scoped by the selectors and tested with another municipality's user in test_workbench.py.
NOT_OBJECTS = {"api:riskgroup-detail", "month-approve", "api:quality-standard", "api:target-group-draft"}
# Values tried for the routes' text parameters.
TEXT_VALUES = {
    "kind": ["csv", "pdf", "summary"],
    "name": ["tryk.pdf", "manifest.json", "manifest.csv", "print.pdf"],
    "action": ["godkend", "annuller", "send", "prov-igen", "forslag", "planlaeg"],
}


def object_routes() -> list[tuple[str, list[str], dict[str, str]]]:
    """(name to reverse, its parameters) of every route with an id, outside the Django admin."""
    found = []

    def walk(patterns, namespace="", prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                if str(p.pattern).startswith("admin/"):
                    continue
                walk(p.url_patterns, p.namespace or namespace, prefix + str(p.pattern))
                continue
            params = list(getattr(p.pattern, "converters", {}) or p.pattern.regex.groupindex)
            if params and p.name:
                found.append((f"{namespace}:{p.name}" if namespace else p.name, params))

    walk(get_resolver().url_patterns)
    return [(name, params) for name, params in found if name not in NOT_OBJECTS]


def urls_for(name: str, params: list[str], ids: list[int]) -> list[str]:
    urls = []
    for pk in ids:
        options = [{}]
        for param in params:
            values = TEXT_VALUES.get(param, [str(pk)])
            options = [{**o, param: v} for o in options for v in values]
        for kwargs in options:
            try:
                urls.append(reverse(name, kwargs=kwargs))
            except NoReverseMatch:
                continue
    return sorted(set(urls))


def fingerprint() -> dict:
    return {
        m._meta.label: sorted(map(repr, m.objects.values_list()))
        for m in apps.get_models()
        if m._meta.app_label in ("fhb", "visits", "invitations", "reports")
        and m._meta.model_name not in ("municipality", "riskgroup")
    }


@pytest.fixture
def theirs(frederiksberg):
    """One of every kind of object, all of Frederiksberg (147)."""
    return world(frederiksberg)


def world(frederiksberg):
    """One of every kind of object of a municipality."""
    with time_machine.travel("2026-06-15 08:00", tick=False):
        citizen = CitizenFactory(municipality=frederiksberg, first_name="Anden", last_name="Frederiksbergborger")
        consultant = UserFactory(role=Role.CONSULTANT, municipality=frederiksberg)
        calendar = ConsultantCalendar.objects.create(consultant=consultant, weekdays=[0, 1, 2, 3, 4])
        risk_event = RiskEventFactory(citizen=citizen)
        offers_sync(municipality=frederiksberg, year=2026)
        offer = Offer.objects.get(citizen=citizen)
        visit = Visit.objects.create(
            municipality=frederiksberg, citizen=citizen, kind="home_visit", outcome="completed",
            visit_date=dt.date(2026, 6, 1), note="Fortroligt",
        )  # fmt: skip
        follow_up = FollowUp.objects.create(
            municipality=frederiksberg, citizen=citizen, kind="gp", description="Egen læge"
        )
        event = CollectiveEvent.objects.create(
            municipality=frederiksberg, title="Seniordag", date=dt.date(2026, 6, 15), starts_at=dt.time(14),
            venue="Rådhuset", capacity=20,
        )  # fmt: skip
        registration = EventRegistration.objects.create(event=event, citizen=citizen)
        booking = Booking.objects.create(
            municipality=frederiksberg, citizen=citizen, offer=offer, consultant=consultant,
            starts_at=dt.datetime(2026, 6, 20, 8, tzinfo=dt.UTC),
        )  # fmt: skip
        batch = LetterBatch.objects.create(
            municipality=frederiksberg, period_start=dt.date(2026, 7, 1), period_end=dt.date(2026, 7, 31),
            letter_date=dt.date(2026, 6, 15), groups=["age_80"], status="sent",
        )  # fmt: skip
        letter = Letter.objects.create(
            batch=batch, offer=offer, citizen=citizen, kind="date_letter", group="age_80", booking=booking
        )
        delivery = Delivery.objects.create(
            municipality=frederiksberg, year=2025, status="failed", summary={},
            csv_gz=gzip.compress(f"kommunekode;cpr\n147;{citizen.cpr}\n".encode()),
        )  # fmt: skip
        job = ImportJob.objects.create(
            municipality=frederiksberg, kind="citizens", filename="x.csv", uploaded_by=consultant
        )
        approval = MonthApproval.objects.create(
            municipality=frederiksberg, year=2026, month=5, persons=9, visits=9, approved_by=consultant
        )
    made = [citizen, consultant, calendar, risk_event, offer, visit, follow_up, event, registration, booking]
    made += [batch, letter, delivery, job, approval]
    # The ids a route may be asked for: every object made (ids differ between tables on PostgreSQL,
    # where sequences are not rolled back; on SQLite they are mostly 1).
    citizen.world_ids = sorted({o.pk for o in made})
    return citizen


def ids_for(citizen, user) -> list[int]:
    """The world's ids, less the requesting user's own (that id finds the user, not the world)."""
    return [i for i in citizen.world_ids if user is None or i != user.pk]


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.TEAM_LEADER, Role.MUNICIPALITY_ADMIN, None])
def test_no_route_shows_or_changes_another_municipalitys_objects(client, role, theirs):
    copenhagen = Municipality.objects.get(code="101")
    user = None
    if role is not None:
        user = UserFactory(role=role, municipality=copenhagen)
        client.force_login(user)
    ids = ids_for(theirs, user)
    routes = object_routes()
    assert len(routes) > 50
    before = fingerprint()
    tried = 0
    with time_machine.travel("2026-06-15 10:00", tick=False):
        for name, params in routes:
            for url in urls_for(name, params, ids):
                tried += 1
                got = client.get(url)
                body = got.content.decode(errors="replace")
                allowed = {302, 403} if role is None else {403, 404, 405}
                assert got.status_code in allowed, f"GET {url} as {role}: {got.status_code}"
                assert theirs.last_name not in body and theirs.cpr not in body, f"GET {url} as {role}"
                if url.startswith("/api/"):
                    posted = client.post(url, {}, content_type="application/json")
                else:
                    posted = client.post(url, {})
                text = posted.content.decode(errors="replace")
                assert posted.status_code < 500, f"POST {url} as {role}: {posted.status_code}"
                assert theirs.last_name not in text and theirs.cpr not in text, f"POST {url} as {role}"
    assert tried > 60
    assert fingerprint() == before


# Routes that show no citizen's personal data (counts, the user's own calendar, an import's
# summary, a delivery's totals, a confirmation's consequence), or that only act: they need no
# access-log row.
NO_CITIZEN_DATA = {
    "import-detail", "delivery-detail", "delivery-file", "approval-report", "calendar-edit", "event-edit",
    "api:delivery-detail", "api:delivery-files", "api:letterbatch-detail", "api:letterbatch-proposal",
    "api:event-detail", "batch-action", "api:letterbatch-consequence",
}  # fmt: skip


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.TEAM_LEADER, Role.MUNICIPALITY_ADMIN])
def test_every_route_that_shows_a_citizen_writes_the_access_log(client, role):
    from fhb.models import CitizenAccess

    copenhagen = Municipality.objects.get(code="101")
    mine = world(copenhagen)
    user = UserFactory(role=role, municipality=copenhagen)
    client.force_login(user)
    ids = ids_for(mine, user)
    shown = 0
    with time_machine.travel("2026-06-15 10:00", tick=False):
        for name, params in object_routes():
            for url in urls_for(name, params, ids):
                before = CitizenAccess.objects.filter(lookup__user=user, citizen=mine).count()
                got = client.get(url)
                if got.status_code != 200 or name in NO_CITIZEN_DATA:
                    continue
                shown += 1
                logged = CitizenAccess.objects.filter(lookup__user=user, citizen=mine).count()
                assert logged > before, f"GET {url} as {role} showed a citizen without an access-log row"
    assert shown >= 5
