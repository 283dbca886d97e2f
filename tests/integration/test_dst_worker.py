"""A DST delivery run by a real Celery worker on PostgreSQL: the rows come through COPY, progress is
written on a second connection, and a redelivered task changes nothing."""

import datetime as dt
import time

import pytest

from fhb.models import Municipality, Role
from reports.models import Delivery
from reports.services import delivery_create
from reports.tasks import delivery_run_task
from tests.factories import CitizenFactory, UserFactory
from visits.models import Visit

pytestmark = [pytest.mark.integration]


def test_worker_produces_the_delivery_once(celery_worker_process):
    admin = UserFactory(role=Role.MUNICIPALITY_ADMIN)
    copenhagen = Municipality.objects.get(code="101")
    citizens = [CitizenFactory(birth_date=dt.date(1945, 1, 1 + i)) for i in range(6)]
    Visit.objects.bulk_create(
        Visit(
            municipality=copenhagen, citizen=c, kind="home_visit", outcome="completed", visit_date=dt.date(2025, m, 3)
        )
        for c in citizens
        for m in range(1, 13)
    )
    delivery = delivery_create(municipality=copenhagen, year=2025, user=admin, source="api")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        delivery.refresh_from_db()
        if delivery.status in ("done", "failed"):
            break
        time.sleep(0.3)
    assert delivery.status == "done", delivery.message
    assert (delivery.visits, delivery.citizens, delivery.quality_passed, delivery.rows_done) == (72, 6, True, 72)
    assert delivery_run_task.delay(delivery.pk).get(timeout=30) == "done"
    assert Delivery.objects.count() == 1
