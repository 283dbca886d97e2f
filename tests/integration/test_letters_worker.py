"""A letter batch rendered by a real Celery worker that is killed (SIGKILL) in the middle of a
chunk: the chunk comes back to another worker (acks_late, the broker's visibility timeout) and
the batch finishes with every letter, booking and file exactly once."""

import datetime as dt
import os
import signal
import time

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from fhb.models import Citizen, District, Municipality, Role
from fhb.offers import offers_sync
from invitations import batches
from invitations.models import BatchStatus, Booking, ConsultantCalendar, Letter, LetterBatch
from tests.factories import UserFactory

from .conftest import start_worker, stop_worker

pytestmark = [pytest.mark.integration]
LETTERS = 150  # three chunks


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return str(tmp_path)


def build() -> tuple[Municipality, object]:
    copenhagen = Municipality.objects.get(code="101")
    year = timezone.localdate().year
    district = District.objects.create(municipality=copenhagen, name="Alle", postal_codes=["2100"])
    for i in range(3):
        consultant = UserFactory(username=f"k{i}", role=Role.CONSULTANT, municipality=copenhagen, phone="33 66 00 00")
        ConsultantCalendar.objects.create(consultant=consultant, weekdays=[0, 1, 2, 3, 4]).districts.add(district)
    Citizen.objects.bulk_create(
        Citizen(
            municipality=copenhagen, cpr=f"{i % 28 + 1:02d}{i // 28 % 12 + 1:02d}{(year - 80) % 100:02d}{i:04d}",
            birth_date=dt.date(year - 80, i // 28 % 12 + 1, i % 28 + 1), sex="FM"[i % 2], first_name=f"Borger{i}",
            last_name="Jensen", address=f"Vestergade {i + 1}", postal_code="2100", city="København Ø",
            household_size=1, digital_post_exempt=i % 10 == 0,
        )
        for i in range(LETTERS)
    )  # fmt: skip
    offers_sync(municipality=copenhagen, year=year)
    return copenhagen, UserFactory(role=Role.TEAM_LEADER, municipality=copenhagen)


def test_worker_killed_mid_chunk_leaves_no_duplicates(worker_queue, media):
    copenhagen, leader = build()
    first = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    batch = batches.batch_plan(
        municipality=copenhagen, user=leader, period_start=first, period_end=last, groups=["age_80"]
    )
    assert batch.letters.count() == LETTERS, batch.plan
    dated = batch.letters.exclude(starts_at=None).count()
    assert dated == LETTERS

    worker = start_worker(worker_queue, MEDIA_ROOT=media, CELERY_VISIBILITY_TIMEOUT="1")
    try:
        batches.batch_approve(batch=batch, user=leader)  # not in a transaction here: queued at once
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done = LetterBatch.objects.values_list("letters_done", flat=True).get(pk=batch.pk)
            if done >= batches.CHUNK:
                break
            time.sleep(0.02)
        # A chunk takes ~3 s: one second in, the worker is rendering the second chunk, which it has
        # received and the broker holds as unacknowledged. (Killed at the very moment it fetches a
        # message, Redis can lose that message: the page's "resume" after a stall covers that.)
        time.sleep(1.0)
        done = LetterBatch.objects.values_list("letters_done", flat=True).get(pk=batch.pk)
        assert batches.CHUNK <= done < LETTERS, f"{done} letters done before the kill"
        os.kill(worker.pid, signal.SIGKILL)  # in the middle of the second chunk
        worker.wait()
    finally:
        if worker.poll() is None:
            stop_worker(worker)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RENDERING and batch.letters_done < LETTERS

    # Another worker takes the lost chunk back once its visibility timeout has passed.
    time.sleep(1.5)
    second = start_worker(worker_queue, MEDIA_ROOT=media, CELERY_VISIBILITY_TIMEOUT="1")
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            batch.refresh_from_db()
            if batch.status in (BatchStatus.READY, BatchStatus.FAILED):
                break
            time.sleep(0.2)
    finally:
        stop_worker(second)
    assert batch.status == BatchStatus.READY, batch.message
    assert batch.letters_done == batch.letters_total == LETTERS
    assert Letter.objects.filter(batch=batch).count() == LETTERS
    assert not Letter.objects.filter(batch=batch, sha256="").exists()
    assert Booking.objects.filter(letter__batch=batch).count() == dated
    assert Booking.objects.count() == dated
    files = default_storage.listdir(f"letters/batch-{batch.pk}")[1]
    assert sorted(f for f in files if f.startswith("letter-")) == sorted(
        f"letter-{pk}.pdf" for pk in Letter.objects.filter(batch=batch).values_list("pk", flat=True)
    )
    assert batch.print_pdf and batch.manifest_json
