"""A worker killed (SIGKILL, as an out-of-memory kill or a redeploy would) in the middle of a
registry import, of a DST delivery and of a letter batch's rendering: nothing of the lost import or
delivery is applied, the pages show the job stalled once its lease has run out (never "running"
for longer), and a fresh worker — its beat running the minute's recovery, here every second —
finishes each job by itself, applying every row once, storing one delivery, and rendering each
letter once (the letters a lost worker had stored are kept)."""

import datetime as dt
import os
import signal

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from fhb.models import Citizen, ImportJob, InvitationKind, Municipality, Offer, Role
from fhb.registry.jobs import import_job_create
from invitations.batches.rendering import enqueue_render
from invitations.models import BatchStatus, Letter, LetterBatch
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


LETTERS = 400  # eight chunks of 50


def test_a_letter_batch_killed_mid_way_is_finished_by_a_fresh_worker(worker_queue, settings):
    lease = {"FHB_BATCH_LEASE_SECONDS": "8", "FHB_JOB_RECOVER_EVERY": "1", "FHB_JOB_MAX_ATTEMPTS": "6"}
    settings.FHB = {**settings.FHB, "BATCH_LEASE_SECONDS": 8}
    leader = UserFactory(role=Role.TEAM_LEADER)
    copenhagen = Municipality.objects.get(code="101")
    born = dt.date(1947, 3, 1)
    Citizen.objects.bulk_create(
        Citizen(
            municipality=copenhagen, cpr=f"{born:%d%m%y}{i:04d}", birth_date=born, sex="FM"[i % 2],
            first_name=f"B{i}", last_name="Jensen", address=f"Vej {i}", postal_code="2100", city="København Ø",
            household_size=1,
        )
        for i in range(LETTERS)
    )  # fmt: skip
    year = dt.date.today().year
    offers = Offer.objects.bulk_create(
        Offer(municipality=copenhagen, citizen=c, year=year, groups="|age_80|", primary_group="age_80",
              letter_kind=InvitationKind.OPEN_LETTER, birth_date=born)
        for c in Citizen.objects.order_by("pk")
    )  # fmt: skip
    today = dt.date.today()
    batch = LetterBatch.objects.create(
        municipality=copenhagen, period_start=today, period_end=today + dt.timedelta(days=30), groups=["age_80"],
        letter_kinds={"age_80": InvitationKind.OPEN_LETTER}, letter_date=today, status=BatchStatus.APPROVED,
        letters_total=LETTERS, created_by=leader, approved_by=leader,
    )  # fmt: skip
    Letter.objects.bulk_create(
        Letter(batch=batch, offer=o, citizen_id=o.citizen_id, kind=InvitationKind.OPEN_LETTER, group="age_80")
        for o in offers
    )
    client = Client()
    client.force_login(leader)
    worker = start_worker(worker_queue, **lease)
    try:
        enqueue_render(batch.pk)
        wait_for(lambda: LetterBatch.objects.get(pk=batch.pk).letters_done > 0, what="the first letters stored")
        kill(worker)
    finally:
        if worker.poll() is None:
            stop_worker(worker)
    # The chunks the lost worker held come back only after the broker's visibility timeout (two
    # hours); here none come back at all: only the recovery can finish the batch.
    from fhb.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(worker_queue)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RENDERING and 0 < batch.letters_done < LETTERS
    kept = dict(Letter.objects.exclude(sha256="").values_list("pk", "sha256"))
    wait_for(lambda: LetterBatch.objects.get(pk=batch.pk).is_stalled, what="the lease to run out", seconds=15)
    page = client.get(reverse("batch-detail", args=[batch.pk])).content.decode()
    assert "Dannelsen står stille" in page

    fresh = start_worker(worker_queue, beat=True, **lease)
    try:
        wait_for(
            # One read: the recovery queues the batch again (approved) and the fresh worker claims
            # it (rendering); two reads could see one each and stop too early.
            lambda: (
                LetterBatch.objects.values_list("status", flat=True).get(pk=batch.pk)
                not in (BatchStatus.RENDERING, BatchStatus.APPROVED)
            ),
            what="the batch finished by the fresh worker",
            seconds=240,
        )
    finally:
        stop_worker(fresh)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY, batch.message
    assert batch.letters_done == LETTERS and batch.attempts >= 2  # started again by the recovery
    assert not Letter.objects.filter(batch=batch, sha256="").exists()
    # The letters stored before the kill were not rendered again; every letter has one file.
    assert dict(Letter.objects.filter(pk__in=kept).values_list("pk", "sha256")) == kept
    files = [f for f in default_storage.listdir(f"letters/batch-{batch.pk}")[1] if f.startswith("letter-")]
    assert len(files) == LETTERS
