"""The municipality's periodic control of its access log: look-ups by employee and period, unusual
volumes flagged, one employee's look-ups listed and exported, for the admin only."""

import csv
import io

import pytest
import time_machine
from django.urls import reverse

from fhb.models import CitizenAccess, Role
from tests.factories import CitizenFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lookups(copenhagen, other_citizen):
    with time_machine.travel("2026-11-20 09:00", tick=False):
        citizens = [CitizenFactory() for _ in range(60)]
        busy, usual, quiet = (UserFactory(role=Role.CONSULTANT, username=n) for n in ("travl", "normal", "stille"))
        rows = [CitizenAccess(citizen=c, user=busy, endpoint="citizen-detail", purpose="Side") for c in citizens]
        rows += [CitizenAccess(citizen=c, user=usual, endpoint="citizen-detail", purpose="Side") for c in citizens[:2]]
        rows += [CitizenAccess(citizen=citizens[0], user=quiet, endpoint="citizen-detail", purpose="Side")]
        # another municipality's citizen, looked up by its own staff: not this municipality's log
        rows += [CitizenAccess(citizen=other_citizen, user=UserFactory(municipality=other_citizen.municipality),
                               endpoint="citizen-detail", purpose="Side")]  # fmt: skip
        CitizenAccess.objects.bulk_create(rows)
    with time_machine.travel("2026-10-01 09:00", tick=False):  # before the period
        CitizenAccess.objects.create(citizen=citizens[1], user=quiet, endpoint="citizen-detail", purpose="Side")
    return busy, usual, quiet


@time_machine.travel("2026-12-01 10:00", tick=False)
def test_by_employee_and_period_with_unusual_volume(client, admin_user, lookups):
    busy, _usual, quiet = lookups
    client.force_login(admin_user)
    page = client.get(reverse("access-control"), {"fra": "2026-11-01", "til": "2026-11-30"})
    body = page.content.decode()
    assert page.status_code == 200 and body.count("Usædvanligt omfang") == 1  # one flag
    summary = page.context["summary"]
    assert [(r["user__username"], r["lookups"], r["citizens"], r["unusual"]) for r in summary] == [
        ("travl", 60, 60, True),
        ("normal", 2, 2, False),
        ("stille", 1, 1, False),
    ]
    assert "Frederiksbergborger" not in body

    before = CitizenAccess.objects.filter(user=admin_user).count()
    one = client.get(reverse("access-control"), {"fra": "2026-11-01", "til": "2026-11-30", "medarbejder": quiet.pk})
    assert [a.user for a in one.context["page"].object_list] == [quiet]  # October's look-up is outside
    assert CitizenAccess.objects.filter(user=admin_user).count() == before + 1  # the control is logged too

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
