"""After a bulk write the planner's statistics are fresh (PostgreSQL): the imports and the offers
sync ANALYZE the tables they filled, in the same job, so the next eligibility query is planned for
the rows there are, not for an empty table."""

import pytest
from django.db import connection

from fhb.models import Municipality
from fhb.offers import offers_sync
from fhb.registry import citizens_import

pytestmark = [pytest.mark.integration]

HEADER = "cpr;first_name;last_name;address;postal_code;city;municipality_code;household_size"


def statistics(table: str) -> tuple[float, object]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.reltuples, s.last_analyze FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid "
            "WHERE c.relname = %s",
            [table],
        )
        return cursor.fetchone()


def test_an_import_and_a_sync_leave_fresh_statistics(reference_data):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")
    rows = "\n".join(
        f"{1 + i % 28:02d}01{40 + i // 1000:02d}{i % 1000:04d};N{i};E;Vej {i};2100;Kbh;101;1" for i in range(3000)
    )
    result = citizens_import(data=f"{HEADER}\n{rows}\n")
    assert result.created == 3000
    tuples, analysed = statistics("fhb_citizen")
    assert analysed is not None and tuples == pytest.approx(3000, rel=0.05)
    assert statistics("fhb_historicalcitizen")[1] is not None
    synced = offers_sync(municipality=Municipality.objects.get(code="101"), year=2024)  # all of them 82+
    assert synced.run.created == 3000
    tuples, analysed = statistics("fhb_offer")
    assert analysed is not None and tuples == pytest.approx(3000, rel=0.05)
