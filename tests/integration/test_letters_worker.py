"""A letter batch rendered by a real Celery worker that is killed (SIGKILL) in the middle of a
chunk: the chunk comes back to another worker (acks_late, the broker's visibility timeout) and
the batch finishes with every letter, booking and file exactly once."""

import datetime as dt
import os
import signal
import time

import pytest
import redis
from django.core.files.storage import default_storage
from django.utils import timezone

from fhb.models import Citizen, District, Municipality, Role
from fhb.offers import offers_sync
from invitations import batches
from invitations.models import BatchStatus, Letter, LetterBatch
from tests.factories import UserFactory
from visits.models import Booking, ConsultantCalendar

from .conftest import start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.integration]
LETTERS = 150  # three chunks


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return str(tmp_path)


def next_month() -> tuple[dt.date, dt.date]:
    """Next month's first and last day: in December, January of next year."""
    first = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def build(year: int) -> tuple[Municipality, object]:
    """150 citizens turning 80 in `year`, with their offers for this year and next (as the nightly
    sync keeps them)."""
    copenhagen = Municipality.objects.get(code="101")
    district = District.objects.create(municipality=copenhagen, name="Alle", postal_codes=["2100"])
    for i in range(3):
        consultant = UserFactory(
            username=f"k{i}", role=Role.CONSULTANT, municipality=copenhagen, phone="33 66 00 00",
            weekly_visit_capacity=20,  # the calendar's four a day: the default cap (12) would leave some out
        )  # fmt: skip
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
    this_year = timezone.localdate().year
    for y in (this_year, this_year + 1):
        offers_sync(municipality=copenhagen, year=y)
    return copenhagen, UserFactory(role=Role.TEAM_LEADER, municipality=copenhagen)


def test_worker_killed_mid_chunk_leaves_no_duplicates(worker_queue, media):
    first, last = next_month()
    copenhagen, leader = build(first.year)
    batch = batches.batch_plan(
        municipality=copenhagen, user=leader, period_start=first, period_end=last, groups=["age_80"]
    )
    assert batch.letters.count() == LETTERS, batch.plan
    dated = batch.letters.exclude(starts_at=None).count()
    assert dated == LETTERS

    broker = redis.Redis.from_url(os.environ["REDIS_URL"])
    broker.delete("unacked", "unacked_index")
    worker = start_worker(worker_queue, MEDIA_ROOT=media, CELERY_VISIBILITY_TIMEOUT="1")
    try:
        batches.batch_approve(batch=batch, user=leader)  # not in a transaction here: queued at once
        # The first chunk is stored and the worker holds the next chunk's message, unacknowledged
        # (acks_late): killed now, it is in the middle of the second chunk. (Killed at the moment it
        # fetches, before the broker records the message, Redis can lose it: the page's "resume"
        # after a stall covers that.)
        wait_for(
            lambda: (
                LetterBatch.objects.values_list("letters_done", flat=True).get(pk=batch.pk) >= batches.CHUNK
                and broker.hlen("unacked") > 0
            ),
            what="the first chunk stored and the second one received",
        )
        done = LetterBatch.objects.values_list("letters_done", flat=True).get(pk=batch.pk)
        assert batches.CHUNK <= done < LETTERS, f"{done} letters done before the kill"
        os.kill(worker.pid, signal.SIGKILL)  # in the middle of the second chunk
        worker.wait()
    finally:
        if worker.poll() is None:
            stop_worker(worker)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RENDERING and batch.letters_done < LETTERS

    # Another worker takes the lost chunk back once its visibility timeout (1 s) has passed.
    wait_for(
        lambda: all(time.time() - score > 1 for _, score in broker.zrange("unacked_index", 0, -1, withscores=True)),
        what="the lost chunk's visibility timeout",
    )
    second = start_worker(worker_queue, MEDIA_ROOT=media, CELERY_VISIBILITY_TIMEOUT="1")
    try:
        wait_for(
            lambda: LetterBatch.objects.get(pk=batch.pk).status in (BatchStatus.READY, BatchStatus.FAILED),
            what="the batch finished by the second worker",
            seconds=180,
        )
        batch.refresh_from_db()
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
