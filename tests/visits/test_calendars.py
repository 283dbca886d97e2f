"""The consultants' calendars and absences (visits/calendars.py), through the team leader's
capacity page."""

import datetime as dt

import pytest
from django.urls import reverse

from fhb.models import Role
from tests.factories import DistrictFactory, UserFactory
from visits.calendars import absence_add, absence_delete, calendar_save
from visits.models import Absence, ConsultantCalendar

pytestmark = pytest.mark.django_db


def test_a_calendar_is_made_then_changed_with_its_districts_and_history(copenhagen, team_leader):
    mette = UserFactory(role=Role.CONSULTANT)
    north, south = DistrictFactory(name="Nord"), DistrictFactory(name="Syd")
    values = {"day_starts": dt.time(9), "day_ends": dt.time(15), "visit_minutes": 60, "travel_minutes": 30}
    made = calendar_save(consultant=mette, user=team_leader, weekdays=[0, 1], districts=[north], **values)
    changed = calendar_save(consultant=mette, user=team_leader, weekdays=[2], districts=[south], **values)
    assert made.pk == changed.pk and ConsultantCalendar.objects.count() == 1
    assert changed.weekdays == [2] and list(changed.districts.all()) == [south]
    assert changed.history.first().history_user == team_leader


def test_absences_through_the_page(client, copenhagen, team_leader):
    mette, other = UserFactory(role=Role.CONSULTANT), UserFactory(role=Role.CONSULTANT)
    client.force_login(team_leader)
    url = reverse("calendar-edit", args=[mette.pk])
    wrong = client.post(url, {"action": "absence", "starts_on": "2026-12-10", "ends_on": "2026-12-01"})
    assert wrong.status_code == 200 and "slutter før" in wrong.content.decode() and not Absence.objects.exists()
    client.post(url, {"action": "absence", "starts_on": "2026-12-01", "ends_on": "2026-12-10", "reason": "Kursus"})
    absence = Absence.objects.get()
    assert (absence.consultant, absence.reason) == (mette, "Kursus")
    theirs = absence_add(consultant=other, starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 12, 2))
    client.post(url, {"action": "delete-absence", "absence": theirs.pk})  # another consultant's: kept
    assert Absence.objects.filter(pk=theirs.pk).exists()
    client.post(url, {"action": "delete-absence", "absence": absence.pk})
    assert not Absence.objects.filter(pk=absence.pk).exists()
    assert absence_delete(consultant=mette, absence_id=theirs.pk) == 0
