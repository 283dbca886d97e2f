"""A worker killed (SIGKILL, as an out-of-memory kill or a redeploy would) in the middle of a
registry import and of a DST delivery: nothing of the lost run is applied, the pages show the job
stalled once its lease has run out (never "running" for longer), and a fresh worker — its beat
running the minute's recovery, here every second — finishes each job by itself, applying every row
once and storing one delivery."""

import datetime as dt
import os
import signal

import pytest
from django.test import Client
from django.urls import reverse

from fhb.models import Citizen, ImportJob, Municipality, Role
from fhb.registry.jobs import import_job_create
from reports.models import Delivery
from reports.services import delivery_create
from tests.factories import UserFactory
from visits.models import Visit

from .conftest import start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.integration]

LEASE = 2  # seconds: a job not heard from for this long has lost its worker
HEADER = "cpr;first_name;last_name;address;postal_code;city;municipality_code;household_size"
ROWS = 60_000


@pytest.fixture
def short_lease(settings):
    settings.FHB = {**settings.FHB, "JOB_LEASE_SECONDS": LEASE}
    return {"FHB_JOB_LEASE_SECONDS": str(LEASE), "FHB_JOB_RECOVER_EVERY": "1"}


def registry(rows: int) -> bytes:
    lines = [HEADER]
    for i in range(rows):
        born = dt.date(1930, 1, 1) + dt.timedelta(days=i % 9000)  # a CPR number of its own (sequence 0xxx: 1900s)
        lines.append(f"{born:%d%m%y}{i // 9000:04d};Navn{i};Efternavn;Vej {i};2100;København Ø;101;1")
    return ("\n".join(lines) + "\n").encode()


def kill(worker) -> None:
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()


def test_an_import_killed_mid_way_is_finished_by_a_fresh_worker(worker_queue, short_lease):
    admin = UserFactory(role=Role.MUNICIPALITY_ADMIN)
    client = Client()
    client.force_login(admin)
    worker = start_worker(worker_queue, **short_lease)
    try:
        job = import_job_create(user=admin, kind="citizens", filename="cpr.csv", upload=registry(ROWS), strict=False)
        wait_for(
            lambda: 0 < ImportJob.objects.values_list("rows_done", flat=True).get(pk=job.pk) < ROWS,
            what="the import under way",
        )
        kill(worker)
    finally:
        if worker.poll() is None:
            stop_worker(worker)
    job.refresh_from_db()
    assert job.status == "running" and 0 < job.rows_done < ROWS and not Citizen.objects.exists()
    # Within the lease the page shows it running; after it, stalled (its worker is gone).
    wait_for(lambda: ImportJob.objects.get(pk=job.pk).is_stalled, what="the lease to run out", seconds=LEASE + 5)
    assert "Importen er gået i stå" in client.get(reverse("import-detail", args=[job.pk])).content.decode()

    fresh = start_worker(worker_queue, beat=True, **short_lease)
    try:
        wait_for(
            lambda: ImportJob.objects.values_list("status", flat=True).get(pk=job.pk) in ("done", "failed"),
            what="the import finished by the fresh worker",
            seconds=180,
        )
    finally:
        stop_worker(fresh)
    job.refresh_from_db()
    assert (job.status, job.created, job.rejected, job.attempts) == ("done", ROWS, 0, 2), job.message
    assert Citizen.objects.count() == ROWS and Citizen.history.count() == ROWS  # every row once
    assert not job.upload  # the uploaded register file is gone once imported


def test_a_delivery_killed_mid_way_is_finished_by_a_fresh_worker(worker_queue, short_lease):
    admin = UserFactory(role=Role.MUNICIPALITY_ADMIN)
    copenhagen = Municipality.objects.get(code="101")
    Citizen.objects.bulk_create(
        Citizen(
            municipality=copenhagen, cpr=f"{dt.date(1940, 1, 1) + dt.timedelta(days=i):%d%m%y}{i:04d}",
            birth_date=dt.date(1940, 1, 1) + dt.timedelta(days=i), sex="FM"[i % 2], first_name=f"B{i}",
            last_name="Jensen", address=f"Vej {i}", postal_code="2100", city="København Ø", household_size=1,
        )
        for i in range(3000)
    )  # fmt: skip
    citizens = list(Citizen.objects.values_list("pk", flat=True))
    Visit.objects.bulk_create(
        Visit(municipality=copenhagen, citizen_id=pk, kind="home_visit", outcome="completed",
              visit_date=dt.date(2025, m, 1 + pk % 28))
        for pk in citizens
        for m in range(1, 13, 2)
    )  # fmt: skip
    visits = len(citizens) * 6
    client = Client()
    client.force_login(admin)
    worker = start_worker(worker_queue, **short_lease)
    try:
        delivery = delivery_create(municipality=copenhagen, year=2025, user=admin, source="web")
        wait_for(lambda: Delivery.objects.get(pk=delivery.pk).status == "running", what="the delivery under way")
        kill(worker)
    finally:
        if worker.poll() is None:
            stop_worker(worker)
    delivery.refresh_from_db()
    assert delivery.status == "running" and not delivery.csv_gz
    wait_for(lambda: Delivery.objects.get(pk=delivery.pk).is_stalled, what="the lease to run out", seconds=LEASE + 5)
    page = client.get(reverse("delivery-detail", args=[delivery.pk])).content.decode()
    assert "Indberetningen er gået i stå" in page

    fresh = start_worker(worker_queue, beat=True, **short_lease)
    try:
        wait_for(
            lambda: Delivery.objects.values_list("status", flat=True).get(pk=delivery.pk) in ("done", "failed"),
            what="the delivery finished by the fresh worker",
            seconds=180,
        )
    finally:
        stop_worker(fresh)
    delivery.refresh_from_db()
    assert delivery.status == "done", delivery.message
    assert (delivery.visits, delivery.rows_done, delivery.attempts) == (visits, visits, 2)
    assert Delivery.objects.count() == 1  # one delivery stored
