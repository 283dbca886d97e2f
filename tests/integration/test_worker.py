"""Imports through the upload path on PostgreSQL, run by a real Celery worker over Redis."""

import time

import pytest

from fhb.models import Citizen, ImportJob, Role
from fhb.registry.jobs import import_job_create
from fhb.tasks import import_job_run_task
from tests.factories import UserFactory

pytestmark = [pytest.mark.integration]

HEADER = "cpr;first_name;last_name;address;postal_code;city;municipality_code;household_size"


def wait_for(job_id: int, timeout: float = 60) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ImportJob.objects.get(pk=job_id)
        if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
            return job
        time.sleep(0.2)
    raise AssertionError(f"import job {job_id} not finished in {timeout}s (status {job.status})")


def test_worker_runs_upload_once_even_if_delivered_twice(celery_worker_process):
    admin = UserFactory(role=Role.MUNICIPALITY_ADMIN)
    rows = "\n".join(f"{d:02d}0149123{d % 10};Navn{d};Efternavn;Vej {d};2100;København Ø;101;1" for d in range(1, 29))
    job = import_job_create(
        user=admin, kind="citizens", filename="x.csv", upload=f"{HEADER}\n{rows}\n".encode(), strict=False
    )
    finished = wait_for(job.pk)
    assert (finished.status, finished.created, finished.rejected) == ("done", 28, 0)
    assert Citizen.objects.filter(municipality=admin.municipality).count() == 28
    # A redelivered task (acks_late after a lost worker) finds the job done and changes nothing.
    assert import_job_run_task.delay(job.pk).get(timeout=30) == "done"
    assert Citizen.history.count() == 28


def test_worker_reports_unusable_file(celery_worker_process):
    admin = UserFactory(role=Role.MUNICIPALITY_ADMIN)
    job = import_job_create(user=admin, kind="citizens", filename="x.csv", upload=b"\xff\xfe garbage", strict=False)
    finished = wait_for(job.pk)
    assert finished.status == "failed" and "UTF-8" in finished.message and not finished.upload
