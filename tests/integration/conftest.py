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


@pytest.fixture
def celery_worker_process(reference_data, settings):
    """Start `celery worker` in a subprocess on a queue of its own, pointed at the test database."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database server shared with the test process")
    queue = f"fhb-test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = dict(
        os.environ,
        DATABASE_URL=url,
        CELERY_QUEUE=queue,
        DJANGO_SETTINGS_MODULE="fhb.settings.test",
        FHB_INTEGRATION="1",
    )
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    from fhb.celery import app

    app.conf.task_default_queue = queue
    app.conf.task_always_eager = False
    with open(ROOT / "var" / f"{queue}.log", "w") as log:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "fhb",
                "worker",
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
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if worker.poll() is not None:
                raise RuntimeError(f"celery worker exited: {(ROOT / 'var' / f'{queue}.log').read_text()[-2000:]}")
            if app.control.inspect(destination=[f"celery@{os.uname().nodename}"], timeout=1).ping():
                break
            time.sleep(0.5)
        yield worker
        app.conf.task_always_eager = True
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
