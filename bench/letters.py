"""Benchmark: a letter batch end to end, in PostgreSQL with a real Celery worker on Redis.

    .venv/bin/python bench/letters.py [--letters 5000] [--workers 2]

Builds one municipality with LETTERS citizens turning 80 (due), consultants with calendars enough
for all of them next month, then times
  1. the floor: WeasyPrint alone rendering the same letters' HTML, one document per worker
     process (LETTERS / WORKERS letters each, WORKERS processes at once),
  2. the product: plan (batch_plan), approve (bookings), and rendering by a Celery worker with
     WORKERS processes (chunks of 50 letters as one document, split with pypdf into one PDF per
     letter, stored, the print PDF and the manifest) until the batch is ready,
and reports letters per second for both, the ratio, and the worker's peak memory per process.
"""

import argparse
import datetime as dt
import multiprocessing
import os
import subprocess
import sys
import time
import uuid

from _setup import ROOT, fresh_database

REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")


def build(letters: int, consultants: int, year: int):
    """`letters` citizens turning 80 in `year` (the year of the month planned: in December,
    next year's), with their offers for that year."""
    from fhb.models import Citizen, District, Municipality, Role, User
    from fhb.offers import offers_sync
    from visits.models import ConsultantCalendar

    municipality = Municipality.objects.get(code="101")
    municipality.phone, municipality.address = "33 66 33 66", "Forebyggelse\nRådhuspladsen 1\n1550 København V"
    municipality.save()
    codes = [str(2100 + i * 50) for i in range(10)]
    district = District.objects.create(municipality=municipality, name="Alle", postal_codes=codes)
    for i in range(consultants):
        user = User.objects.create(
            username=f"k{i}", first_name=f"Konsulent{i}", last_name="Bench", role=Role.CONSULTANT,
            municipality=municipality, phone="33 66 00 00", weekly_visit_capacity=20,  # the calendar's 4 a day
        )  # fmt: skip
        ConsultantCalendar.objects.create(consultant=user, weekdays=[0, 1, 2, 3, 4]).districts.add(district)
    User.objects.create(username="leder", role=Role.TEAM_LEADER, municipality=municipality)
    Citizen.objects.bulk_create(
        [
            Citizen(
                municipality=municipality, cpr=f"{i % 28 + 1:02d}{i // 28 % 12 + 1:02d}{(year - 80) % 100:02d}{i:04d}",
                birth_date=dt.date(year - 80, (i // 28) % 12 + 1, (i % 28) + 1), sex="FM"[i % 2],
                first_name=f"Borger{i}", last_name="Jensen", address=f"Vestergade {i % 90 + 1}",
                postal_code=codes[i % len(codes)], city="København", household_size=1,
                digital_post_exempt=i % 10 == 0,
            )
            for i in range(letters)
        ],
        batch_size=2000,
    )  # fmt: skip
    offers_sync(municipality=municipality, year=year)
    return municipality


def _floor_worker(html: str, queue):
    from weasyprint import HTML

    started = time.perf_counter()
    HTML(string=html).write_pdf()
    queue.put(time.perf_counter() - started)


def floor(batch, workers: int) -> float:
    """Letters per second of WeasyPrint alone: the batch's letters as one document per process."""
    from invitations import letters as letterlib

    municipality = batch.municipality
    subject, body = letterlib.template_for(municipality, "date_letter")
    blocks = []
    for letter in batch.letters.select_related("citizen", "consultant").order_by("id"):
        fields = letterlib.fields_for(
            citizen=letter.citizen, municipality=municipality, consultant=letter.consultant, starts_at=letter.starts_at
        )
        blocks.append(
            letterlib.letter_block(
                anchor=f"l{letter.pk}", subject=subject, body=body, fields=fields, recipient=letter.citizen,
                municipality=municipality, letter_date=batch.letter_date,
            )
        )  # fmt: skip
    share = -(-len(blocks) // workers)
    documents = [letterlib.document(blocks[i : i + share]) for i in range(0, len(blocks), share)]
    queue = multiprocessing.get_context("fork").Queue()
    started = time.perf_counter()
    processes = [multiprocessing.get_context("fork").Process(target=_floor_worker, args=(d, queue)) for d in documents]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
    return len(blocks) / (time.perf_counter() - started)


def start_worker(url: str, workers: int):
    queue = f"fhb-bench-{uuid.uuid4().hex[:6]}"
    env = dict(
        os.environ, DATABASE_URL=url, REDIS_URL=REDIS, CELERY_QUEUE=queue, DJANGO_SETTINGS_MODULE="fhb.settings.base"
    )
    log = open(ROOT / "var" / f"{queue}.log", "w")  # noqa: SIM115 - closed with the worker
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "fhb", "worker", "-Q", queue, "-c", str(workers), "-P", "prefork",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    return worker, queue


def rss_mib(pid: int) -> float:
    """Largest resident memory among the worker's processes (the pool children), MiB."""
    out = subprocess.run(["ps", "-o", "rss=", "--ppid", str(pid), "-p", str(pid)], capture_output=True, text=True)
    values = [int(v) for v in out.stdout.split()] or [0]
    return max(values) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    os.environ["REDIS_URL"] = REDIS
    url = fresh_database("fhb_bench_letters")
    consultants = max(1, -(-args.letters // (4 * 20)))  # four visits a day, ~20 working days in next month
    from django.utils import timezone

    today = timezone.localdate()
    first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)  # next month
    started = time.perf_counter()
    municipality = build(args.letters, consultants, first.year)
    print(f"built {args.letters:,} citizens and {consultants} consultants in {time.perf_counter() - started:.0f} s")

    from django.conf import settings

    from fhb.celery import app
    from fhb.models import User
    from invitations import batches
    from invitations.models import LetterBatch

    leader = User.objects.get(username="leder")
    worker, queue = start_worker(url, args.workers)
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    app.conf.task_default_queue, app.conf.task_always_eager = queue, False
    app.conf.broker_url = REDIS
    try:
        started = time.perf_counter()
        batch = batches.batch_plan(
            municipality=municipality, user=leader, period_start=first,
            period_end=(first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1), groups=["age_80"],
        )  # fmt: skip
        planned = time.perf_counter() - started
        print(f"plan: {batch.plan['letters']:,} letters, {batch.plan['unplaced']} do not fit, {planned:.1f} s")
        if not batch.plan["letters"]:
            sys.exit("the plan has no letters: nothing to measure")
        started = time.perf_counter()
        batches.batch_approve(batch=batch, user=leader)  # on_commit: outside a transaction, at once
        approved = time.perf_counter() - started
        print(f"approve (bookings): {approved:.1f} s", flush=True)
        peak = 0.0
        render_started = time.perf_counter()
        while True:
            batch.refresh_from_db()
            peak = max(peak, rss_mib(worker.pid))
            if batch.status in ("ready", "failed") or worker.poll() is not None:
                break
            time.sleep(1)
        rendered = time.perf_counter() - render_started
        if batch.status != "ready":
            raise SystemExit(f"batch {batch.status}: {batch.message}")
        total = planned + approved + rendered
        rate = batch.letters_total / rendered
        print(f"render + split + store: {rendered:.1f} s, {rate:.2f} letters/s, worker peak RSS {peak:.0f} MiB")
        print(f"end to end (plan, approve, render): {total:.1f} s ({total / 60:.1f} min)", flush=True)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    floor_rate = floor(LetterBatch.objects.get(pk=batch.pk), args.workers)
    print(f"floor   WeasyPrint alone, one document per process x {args.workers}: {floor_rate:.2f} letters/s")
    print(f"ratio product/floor {rate / floor_rate:.2f} (target >= 0.8); 5,000 letters in < 8 min; worker < 1 GiB")


if __name__ == "__main__":
    main()
