"""The municipality's periodic control of its access log: look-ups by employee and period, unusual
volumes flagged, one employee's look-ups listed and exported, for the admin only."""

import csv
import io

import pytest
import time_machine
from django.urls import reverse

from fhb.models import CitizenAccess, Lookup, Role
from fhb.services import citizen_access_log
from tests.factories import CitizenFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lookups(copenhagen, other_citizen):
    def log(user, citizens, endpoint="citizen-detail"):
        citizen_access_log(user=user, citizens=citizens, endpoint=endpoint, purpose="Borgerside")

    with time_machine.travel("2026-11-20 09:00", tick=False):
        citizens = [CitizenFactory() for _ in range(60)]
        busy, usual, quiet = (UserFactory(role=Role.CONSULTANT, username=n) for n in ("travl", "normal", "stille"))
        log(busy, citizens[:40], endpoint="due-list")  # one list showing 40 citizens: one look-up
        for c in citizens[40:]:
            log(busy, c)
        for c in citizens[:2]:
            log(usual, c)
        log(quiet, citizens[0])
        # another municipality's citizen, looked up by its own staff: not this municipality's log
        log(UserFactory(municipality=other_citizen.municipality), other_citizen)
    with time_machine.travel("2026-10-01 09:00", tick=False):  # before the period
        log(quiet, citizens[1])
    return busy, usual, quiet


@time_machine.travel("2026-12-01 10:00", tick=False)
def test_by_employee_and_period_with_unusual_volume(client, admin_user, lookups):
    busy, _usual, quiet = lookups
    client.force_login(admin_user)
    page = client.get(reverse("access-control"), {"fra": "2026-11-01", "til": "2026-11-30"})
    body = page.content.decode()
    assert page.status_code == 200 and body.count("Usædvanligt omfang") == 1  # one flag
    summary = page.context["summary"]
    assert [(r["username"], r["lookups"], r["citizens"], r["unusual"]) for r in summary] == [
        ("travl", 21, 60, True),
        ("normal", 2, 2, False),
        ("stille", 1, 1, False),
    ]
    assert "Frederiksbergborger" not in body

    before = CitizenAccess.objects.filter(lookup__user=admin_user).count()
    one = client.get(reverse("access-control"), {"fra": "2026-11-01", "til": "2026-11-30", "medarbejder": quiet.pk})
    assert [a.user for a in one.context["page"].object_list] == [quiet]  # October's look-up is outside
    assert CitizenAccess.objects.filter(lookup__user=admin_user).count() == before + 1  # the control is logged too
    assert Lookup.objects.filter(user=admin_user, endpoint="access-control").count() == 1

    exported = client.get(
        reverse("access-control"), {"fra": "2026-11-01", "til": "2026-11-30", "medarbejder": busy.pk, "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["tidspunkt", "medarbejder", "borger", "cpr", "side", "formål"] and len(rows) == 61
    assert all(r[3].endswith("-xxxx") for r in rows[1:])


def test_a_bad_period_is_named(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("access-control"), {"fra": "2026-11-30", "til": "2026-11-01"})
    assert page.status_code == 200 and "Perioden skal slutte efter" in page.content.decode()


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.TEAM_LEADER])
def test_only_the_admin(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("access-control")).status_code == 403


@time_machine.travel("2026-12-01 10:00", tick=False)
def test_the_same_control_through_the_api(client, admin_user, lookups, other_citizen):
    busy, _usual, quiet = lookups
    client.force_login(admin_user)
    period = {"start": "2026-11-01", "end": "2026-11-30"}
    summary = client.get(reverse("api:accesslog-employees"), period).json()
    assert [(r["username"], r["lookups"], r["citizens"], r["unusual"]) for r in summary] == [
        ("travl", 21, 60, True),
        ("normal", 2, 2, False),
        ("stille", 1, 1, False),
    ]
    rows = client.get(reverse("api:accesslog-list"), {**period, "employee": quiet.pk}).json()
    assert rows["count"] == 1 and rows["results"][0]["employee"] == quiet.pk
    assert rows["results"][0]["cpr_masked"].endswith("-xxxx") and "cpr" not in rows["results"][0]
    assert Lookup.objects.filter(user=admin_user, endpoint="/api/v1/access-log/").get().citizen_count == 1

    # A citizen's look-ups over all time (art. 15); another municipality's citizen is refused like
    # an id of nobody's, and a period the log cannot hold is a 400 naming the field.
    first = rows["results"][0]["citizen"]
    one = client.get(reverse("api:accesslog-list"), {"start": "2010-01-01", "citizen": first}).json()
    assert {r["employee"] for r in one["results"]} == {busy.pk, _usual.pk, quiet.pk, admin_user.pk}
    theirs = client.get(reverse("api:accesslog-list"), {"citizen": other_citizen.pk})
    nobody = client.get(reverse("api:accesslog-list"), {"citizen": 999999})
    assert theirs.status_code == nobody.status_code == 400
    assert theirs.json()["citizen"][0].replace(str(other_citizen.pk), "N") == nobody.json()["citizen"][0].replace(
        "999999", "N"
    )
    assert client.get(reverse("api:accesslog-list"), {"start": "2026-12-01", "end": "9999-12-31"}).status_code == 400
    assert "end" in client.get(reverse("api:accesslog-list"), {"start": "2026-12-02", "end": "2026-12-01"}).json()


def test_only_the_admin_reads_the_log_through_the_api(client, consultant, team_leader):
    for user in (consultant, team_leader):
        client.force_login(user)
        assert client.get(reverse("api:accesslog-list")).status_code == 403
        assert client.get(reverse("api:accesslog-employees")).status_code == 403


def test_a_period_past_the_calendar_is_a_form_error_not_a_crash(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("access-control"), {"fra": "2026-11-01", "til": "9999-12-31"})
    assert page.status_code == 200 and page.context["form"].errors["til"]
