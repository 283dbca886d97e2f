"""Long jobs survive a lost worker (fhb.jobs): a running job whose lease has run out is claimed
again, started again every minute by the recovery task (at most JOB_MAX_ATTEMPTS times), and can
be restarted by hand; each import row and delivery is applied once. (A real worker killed with
SIGKILL: tests/integration/test_lost_worker.py.)"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from fhb.jobs import GAVE_UP, is_stalled, job_claim, jobs_recover
from fhb.models import Citizen, ImportJob, Role
from fhb.registry.jobs import import_job_create
from reports import services as delivery_services
from reports.models import Delivery
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = "cpr;first_name;last_name;address;postal_code;city;municipality_code;household_size"
ROWS = "\n".join(f"{d:02d}0149123{d % 10};Navn{d};Efternavn;Vej {d};2100;København Ø;101;1" for d in range(1, 21))


def lost(model, pk, *, minutes=5, attempts=1):
    """As a worker killed mid-job leaves it: running, its last heartbeat minutes ago."""
    model.objects.filter(pk=pk).update(
        status="running", heartbeat_at=timezone.now() - dt.timedelta(minutes=minutes), attempts=attempts
    )


@pytest.fixture
def queued_import(django_capture_on_commit_callbacks):
    admin = UserFactory(role=Role.MUNICIPALITY_ADMIN)
    with django_capture_on_commit_callbacks(execute=False):  # queued; its task is not run
        job = import_job_create(
            user=admin, kind="citizens", filename="x.csv", upload=f"{HEADER}\n{ROWS}\n".encode(), strict=False
        )
    return job, admin


def test_a_job_is_claimed_once_and_again_only_when_its_lease_ran_out(queued_import):
    job, _admin = queued_import
    claimed = job_claim(ImportJob, job.pk)
    assert claimed.status == "running" and claimed.attempts == 1 and not is_stalled(claimed)
    assert job_claim(ImportJob, job.pk) is None  # alive: a redelivered task leaves it alone
    lost(ImportJob, job.pk)
    assert is_stalled(ImportJob.objects.get(pk=job.pk))
    again = job_claim(ImportJob, job.pk)
    assert again.status == "running" and again.attempts == 2


def test_recovery_runs_a_lost_import_again_and_applies_each_row_once(queued_import, django_capture_on_commit_callbacks):
    job, _admin = queued_import
    lost(ImportJob, job.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_recover() == {"restarted": 1, "failed": 0}
    job.refresh_from_db()
    assert (job.status, job.created, job.attempts) == ("done", 20, 2)
    assert Citizen.objects.count() == 20 and Citizen.history.count() == 20
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_recover() == {"restarted": 0, "failed": 0}  # done: left alone


def test_a_job_lost_too_often_fails_with_a_reason(queued_import, django_capture_on_commit_callbacks):
    job, _admin = queued_import
    lost(ImportJob, job.pk, attempts=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_recover() == {"restarted": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == "failed" and job.message == GAVE_UP and not Citizen.objects.exists()


def test_the_page_shows_a_stalled_import_and_restarts_it(client, queued_import, django_capture_on_commit_callbacks):
    job, admin = queued_import
    client.force_login(admin)
    lost(ImportJob, job.pk)
    page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert "Importen er gået i stå" in page and "Start importen igen nu" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import-restart", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "done" and job.restarted_by == admin and job.restarted_at is not None
    page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert "Startet igen" in page and "gået i stå" not in page
    with django_capture_on_commit_callbacks(execute=True):  # done: a second restart does nothing
        client.post(reverse("import-restart", args=[job.pk]))
    assert Citizen.objects.count() == 20


@time_machine.travel("2026-03-02 10:00 +0100", tick=False)
def test_a_year_whose_delivery_died_can_be_delivered_again(client, django_capture_on_commit_callbacks):
    admin = UserFactory(role=Role.MUNICIPALITY_ADMIN)
    municipality = admin.municipality
    with django_capture_on_commit_callbacks(execute=False):
        first = delivery_services.delivery_create(municipality=municipality, year=2025, user=admin, source="web")
    lost(Delivery, first.pk, minutes=3)
    client.force_login(admin)
    page = client.get(reverse("delivery-detail", args=[first.pk])).content.decode()
    assert "Indberetningen er gået i stå" in page
    with django_capture_on_commit_callbacks(execute=True):  # "Indberet" for the year again
        response = client.post(reverse("delivery-create"), {"aar": "2025"})
    assert response.url == reverse("delivery-detail", args=[first.pk])
    first.refresh_from_db()
    assert first.status == "done" and first.restarted_by == admin and first.attempts == 1
    assert Delivery.objects.count() == 1  # one delivery stored


def test_an_offer_sync_is_a_long_job_the_due_list_follows(client, django_capture_on_commit_callbacks):
    """A sync after an import (and nightly) is a job: the due list says while it is to come, when it
    stalled or failed; the recovery runs a lost one again; a team leader's "Beregn igen" settles it
    (who and when kept)."""
    from fhb.models import Municipality, OfferSync
    from fhb.offers import offer_sync_state
    from fhb.tasks import offers_sync_soon, sync_years
    from tests.factories import CitizenFactory

    leader = UserFactory(role=Role.TEAM_LEADER)
    copenhagen = Municipality.objects.get(code="101")
    year = sync_years()[0]
    CitizenFactory(birth_date=dt.date(year - 80, 3, 1))
    client.force_login(leader)
    url = f"{reverse('due-list')}?year={year}"

    with django_capture_on_commit_callbacks(execute=False):  # queued; the worker has not taken them yet
        offers_sync_soon({copenhagen.pk})
    jobs = list(OfferSync.objects.order_by("year"))
    assert [(j.year, j.status) for j in jobs] == [(year, "queued"), (year + 1, "queued")]
    assert "Målgrupperne beregnes igen efter ændringerne" in client.get(url).content.decode()

    lost(OfferSync, jobs[0].pk)  # the worker took it and died
    page = " ".join(client.get(url).content.decode().split())
    assert "er gået i stå (arbejdsprocessen forsvandt)" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_recover() == {"restarted": 1, "failed": 0}
    synced = OfferSync.objects.get(pk=jobs[0].pk)
    assert (synced.status, synced.attempts) == ("done", 2) and synced.run.eligible == 1
    assert offer_sync_state(copenhagen, year) is None
    assert "Målgrupperne beregnes igen" not in client.get(url).content.decode()

    # Failed (a database error, say): the due list says so; the team leader's own sync settles it.
    client.get(f"{reverse('due-list')}?year={year + 1}")  # the year's first look computes it
    OfferSync.objects.filter(pk=jobs[1].pk).update(status="failed", message="forbindelsen til databasen blev afbrudt")
    page = " ".join(client.get(f"{reverse('due-list')}?year={year + 1}").content.decode().split())
    assert "fejlede: forbindelsen til databasen blev afbrudt" in page
    client.post(f"{reverse('due-list-sync')}?year={year + 1}")
    settled = OfferSync.objects.get(pk=jobs[1].pk)
    assert (settled.status, settled.restarted_by) == ("done", leader) and settled.run is not None
    assert "fejlede" not in client.get(f"{reverse('due-list')}?year={year + 1}").content.decode()
