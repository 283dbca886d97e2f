"""Integration fixtures: a real Celery worker process on Redis, sharing the PostgreSQL test
database. Only with FHB_INTEGRATION=1 (make test, when DATABASE_URL and REDIS_URL are set)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config, items):
    if getattr(settings, "INTEGRATION", False):
        return
    skip = pytest.mark.skip(reason="integration: set FHB_INTEGRATION=1 with DATABASE_URL and REDIS_URL")
    for item in items:
        if "integration" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests flush the database, data migrations included: load them again."""
    import importlib

    from django.apps import apps

    importlib.import_module("fhb.migrations.0002_reference_data").load(apps, None)


def start_worker(queue: str, *, beat: bool = False, **extra_env: str) -> subprocess.Popen:
    """A `celery worker` subprocess (solo pool) on `queue`, pointed at the test database; returns
    when it answers a ping. `beat`: with the periodic tasks in it (celery -B)."""
    from fhb.celery import app

    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = dict(
        os.environ,
        DATABASE_URL=url,
        CELERY_QUEUE=queue,
        DJANGO_SETTINGS_MODULE="fhb.settings.test",
        FHB_INTEGRATION="1",
        FHB_WORKER="1",
        **extra_env,
    )
    name = f"{queue}-{uuid.uuid4().hex[:4]}"
    log_path = ROOT / "var" / f"{name}.log"
    log_path.parent.mkdir(exist_ok=True)
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "fhb",
                "worker",
                "-n",
                f"{name}@%h",
                "-Q",
                queue,
                "-P",
                "solo",
                "-c",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "INFO",
                *(["-B", "-s", str(log_path.with_suffix(".beat"))] if beat else []),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"celery worker exited: {log_path.read_text()[-2000:]}")
        if app.control.inspect(destination=[f"{name}@{os.uname().nodename}"], timeout=1).ping():
            return worker
        time.sleep(0.5)
    worker.kill()
    raise RuntimeError(f"celery worker did not answer in 60 s: {log_path.read_text()[-2000:]}")


def wait_for(condition, *, what: str, seconds: float = 120, poll: float = 0.02) -> None:
    """Wait until `condition()` is true: on observable state with a deadline, never a sleep tuned
    to this machine's speed."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(poll)


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


@pytest.fixture
def worker_queue(reference_data, settings):
    """A queue of this test's own, with tasks sent to it instead of run in-process."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database server shared with the test process")
    from fhb.celery import app

    queue = f"fhb-test-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    app.conf.task_default_queue = queue
    app.conf.task_always_eager = False
    yield queue
    app.conf.task_always_eager = True


@pytest.fixture
def celery_worker_process(worker_queue):
    """A real Celery worker on the test's queue for the length of the test."""
    worker = start_worker(worker_queue)
    yield worker
    stop_worker(worker)
