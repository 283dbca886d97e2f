"""The per-citizen counts PostgreSQL keeps for the DST delivery (reports/migrations/0002) against the
single Python pass: the same file, byte for byte, and the same summary, on varied data and after
every kind of change the triggers must follow."""

import datetime as dt
import io
import random
import threading

import pytest
from django.db import DataError, connection, transaction

from fhb.models import Citizen, Municipality
from reports import dst
from tests.factories import CitizenFactory, RiskEventFactory
from visits.models import Visit

pytestmark = [pytest.mark.integration]

YEAR = 2025
KINDS = [
    ("home_visit", "completed"),
    ("home_visit", "completed"),
    ("follow_up_visit", "completed"),
    ("collective_event", "completed"),
    ("phone_call", "completed"),
    ("home_visit", "declined"),
    ("home_visit", "no_show"),
    ("home_visit", "cancelled"),
]


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the counts are kept by PostgreSQL triggers")


def build(rng: random.Random, municipality: Municipality, citizens: int = 60) -> list[Citizen]:
    births = [dt.date(1944, 2, 29), dt.date(1950, 1, 1), dt.date(1955, 12, 31), dt.date(1945, 7, 14)]
    people = []
    for i in range(citizens):
        birth = (
            births[i] if i < len(births) else dt.date(rng.randint(1930, 1962), rng.randint(1, 12), rng.randint(1, 28))
        )
        people.append(
            CitizenFactory(
                municipality=municipality,
                birth_date=birth,
                sex=rng.choice("FM"),
                household_size=rng.choice([1, 2]),
                practical_help=rng.random() < 0.2,
                personal_care=rng.random() < 0.2,
                deceased_on=dt.date(YEAR, rng.randint(2, 11), 15) if rng.random() < 0.15 else None,
            )
        )
    # A CPR whose date part is not the birth date but which is itself valid, and two invalid ones.
    Citizen.objects.filter(pk=people[4].pk).update(cpr="0101451236")
    Citizen.objects.filter(pk=people[5].pk).update(cpr="3213459999")
    Citizen.objects.filter(pk=people[6].pk).update(cpr="12AB451234")
    RiskEventFactory(citizen=people[7], registered_on=dt.date(YEAR - 1, 6, 1))
    visits = []
    for person in people:
        for _ in range(rng.randint(0, 9)):
            kind, outcome = rng.choice(KINDS)
            year = rng.choice([YEAR, YEAR, YEAR, YEAR, YEAR - 1, YEAR + 1])
            day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
            visits.append(
                Visit(
                    municipality=municipality,
                    citizen=person,
                    kind=kind,
                    outcome=outcome,
                    visit_date=day,
                    is_draft=rng.random() < 0.05,
                )
            )
        if visits and rng.random() < 0.2:  # the same visit twice on one day
            twin = visits[-1]
            visits.append(
                Visit(
                    municipality=municipality,
                    citizen=person,
                    kind=twin.kind,
                    outcome=twin.outcome,
                    visit_date=twin.visit_date,
                    is_draft=twin.is_draft,
                )
            )
    for person in people[4:8]:  # the odd CPRs and the at-risk citizen: visited in the year
        visits.append(
            Visit(
                municipality=municipality,
                citizen=person,
                kind="home_visit",
                outcome="completed",
                visit_date=dt.date(YEAR, 5, 5),
            )
        )
    dead = next(p for p in people if p.deceased_on)
    after = dead.deceased_on + dt.timedelta(days=3)
    visits.append(
        Visit(municipality=municipality, citizen=dead, kind="home_visit", outcome="completed", visit_date=after)
    )
    Visit.objects.bulk_create(visits)
    return [Citizen.objects.get(pk=p.pk) for p in people]


def both(municipality: Municipality) -> tuple[dst.Delivery, bytes, dst.Delivery, bytes]:
    kept, single = io.BytesIO(), io.BytesIO()
    a = dst.export(municipality=municipality, year=YEAR, out=kept, maintained=True)
    b = dst.export(municipality=municipality, year=YEAR, out=single, maintained=False)
    return a, kept.getvalue(), b, single.getvalue()


def assert_same(municipality: Municipality) -> dst.Delivery:
    kept, kept_file, single, single_file = both(municipality)
    assert kept_file == single_file
    assert kept.checksum == single.checksum
    assert kept.summary == single.summary
    # Without a file the summary is the same, and nothing is read for the file.
    assert dst.export(municipality=municipality, year=YEAR, out=None).summary == single.summary
    return kept


def counts_table() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM reports_dstcount ORDER BY municipality_id, year, citizen_id")
        return cursor.fetchall()


def counts_recomputed() -> list[tuple]:
    """Every row recomputed from the visits, as the migration's backfill does."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_dstcount")
        cursor.execute(
            "SELECT reports_dstcount_refresh(array_agg(m), array_agg(c), array_agg(y)) FROM ("
            " SELECT DISTINCT municipality_id, citizen_id, extract(year FROM visit_date)::int FROM visits_visit"
            ") AS k(m, c, y)"
        )
    return counts_table()


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_counts_give_the_single_pass_file_and_summary(seed):
    rng = random.Random(seed)
    copenhagen = Municipality.objects.get(code="101")
    build(rng, copenhagen)
    build(rng, Municipality.objects.get(code="147"), citizens=10)  # another municipality's visits stay out
    delivery = assert_same(copenhagen)
    reasons = delivery.summary["excluded_by_reason"]
    assert reasons.get("invalid_cpr") and reasons.get("after_death") and reasons.get("outside_year")
    assert delivery.summary["citizens"] > 20


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_export_reads_in_one_snapshot(reference_data):
    """As the command and the worker run it: in a REPEATABLE READ transaction of its own."""
    copenhagen = Municipality.objects.get(code="101")
    build(random.Random(11), copenhagen)
    assert not connection.in_atomic_block
    delivery = assert_same(copenhagen)
    assert delivery.summary["excluded_by_reason"].get("phone_call")


@pytest.mark.django_db
def test_the_counts_follow_every_change():
    rng = random.Random(7)
    copenhagen = Municipality.objects.get(code="101")
    people = build(rng, copenhagen)
    assert_same(copenhagen)
    visits = list(Visit.objects.filter(municipality=copenhagen).order_by("pk"))

    # Visits: moved to another year and back into it, another kind, a draft, another outcome, deleted.
    Visit.objects.filter(pk=visits[0].pk).update(visit_date=dt.date(YEAR - 1, 12, 31))
    Visit.objects.filter(pk=visits[1].pk).update(visit_date=dt.date(YEAR, 6, 30))
    Visit.objects.filter(pk__in=[v.pk for v in visits[2:6]]).update(kind="phone_call")
    visit = visits[6]
    visit.is_draft = not visit.is_draft
    visit.save()
    Visit.objects.filter(pk=visits[7].pk).update(outcome="declined")
    Visit.objects.filter(pk__in=[v.pk for v in visits[8:12]]).delete()
    assert_same(copenhagen)

    # Citizens, each visited in February and June: died earlier, no longer dead, a new birth date
    # (the June visit now before the birthday), another sex, a CPR made invalid and one corrected.
    Visit.objects.bulk_create(
        Visit(
            municipality=copenhagen, citizen=p, kind="home_visit", outcome="completed", visit_date=dt.date(YEAR, m, 10)
        )
        for p in people[10:14]
        for m in (2, 6)
    )
    assert_same(copenhagen)
    Citizen.objects.filter(pk=people[10].pk).update(deceased_on=dt.date(YEAR, 3, 1))
    Citizen.objects.filter(pk__in=[p.pk for p in people if p.deceased_on][:2]).update(deceased_on=None)
    Citizen.objects.filter(pk=people[11].pk).update(birth_date=dt.date(1948, 4, 24))
    Citizen.objects.filter(pk=people[12].pk).update(sex="M" if people[12].sex == "F" else "F")
    Citizen.objects.filter(pk=people[13].pk).update(cpr="9999999999")
    Citizen.objects.filter(pk=people[5].pk).update(cpr="0101601234", birth_date=dt.date(1960, 1, 1))
    # A registry import touches everyone without changing what the counts depend on.
    Citizen.objects.filter(municipality=copenhagen).update(phone="12345678")
    assert_same(copenhagen)

    # And the table holds what a full recount gives.
    assert counts_table() == counts_recomputed()


@pytest.mark.django_db(transaction=True)
def test_two_transactions_writing_one_citizens_year_both_count(reference_data):
    """The second writer waits for the first to commit (the advisory lock), then counts both
    visits; without the lock it would count only its own or fail on the primary key."""
    citizen = CitizenFactory()

    def visit(month: int) -> None:
        Visit.objects.create(
            municipality=citizen.municipality,
            citizen=citizen,
            kind="home_visit",
            outcome="completed",
            visit_date=dt.date(YEAR, month, 10),
        )

    errors: list[BaseException] = []

    def second() -> None:
        try:
            with transaction.atomic():
                visit(3)
        except BaseException as exc:  # reported by the test's thread
            errors.append(exc)
        finally:
            connection.close()

    with transaction.atomic():
        visit(2)
        writer = threading.Thread(target=second)
        writer.start()
        writer.join(1.0)
        assert writer.is_alive()  # waiting for this transaction
    writer.join(30)
    assert not errors
    with connection.cursor() as cursor:
        cursor.execute("SELECT visits, months FROM reports_dstcount WHERE citizen_id = %s", [citizen.pk])
        assert cursor.fetchall() == [(2, 0b110)]


@pytest.mark.django_db(transaction=True)
def test_a_failed_export_reports_its_own_error_and_the_next_one_runs(reference_data):
    copenhagen = Municipality.objects.get(code="101")
    build(random.Random(5), copenhagen, citizens=10)

    def fail(summary):  # a statement failing mid-export aborts its transaction
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")

    with pytest.raises(DataError, match="division by zero"):
        dst.export(municipality=copenhagen, year=YEAR, out=io.BytesIO(), ready=fail)
    assert not connection.in_atomic_block
    assert_same(copenhagen)


@pytest.mark.django_db(transaction=True)
def test_emptying_the_tables_empties_the_counts(reference_data):
    """manage.py flush and the test runner TRUNCATE, which fires no row trigger."""
    build(random.Random(9), Municipality.objects.get(code="101"), citizens=10)
    assert counts_table()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE visits_visit, fhb_citizen CASCADE")
    assert counts_table() == []
