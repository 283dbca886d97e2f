"""Each citizen's delivered visits per municipality and year, kept up to date by PostgreSQL triggers.

The DST delivery's summary needs, per citizen, how many visits count, in which months, how many fall
before the birthday and how many were events. Counting them at export time took longer than the
file itself. `reports_dstcount` holds them instead: statement-level triggers on the visits and on
the citizens' birth and death dates recompute the rows of every (municipality, citizen, year) a
statement touched, from the visits themselves, so the table cannot drift from what a full count
would give (tests/integration/test_dst_counts.py). A transaction-scoped advisory lock per
municipality and year serialises the recomputations, so two transactions writing visits of the
same year cannot overwrite each other's counts with an older snapshot (the app runs READ
COMMITTED: each statement sees what committed before it).

PostgreSQL only: on SQLite (tests, the demo) the export counts in its Python pass and this table
does not exist. A visit counts as in reports/dst.py: a completed, final home visit, follow-up visit
or event attendance, dated in the year and not after the citizen's death. The kinds are frozen
here; a change to them needs a new migration.
"""

from django.db import migrations

DELIVERED_KINDS = "('collective_event', 'follow_up_visit', 'home_visit')"

MONTHS = ", ".join(f"count(*) FILTER (WHERE extract(month FROM v.visit_date) = {m})::int" for m in range(1, 13))

CREATE = f"""
CREATE TABLE reports_dstcount (
    municipality_id bigint NOT NULL,
    citizen_id bigint NOT NULL,
    year smallint NOT NULL,
    visits integer NOT NULL,
    event_visits integer NOT NULL,
    before_birthday integer NOT NULL,
    months integer NOT NULL,
    month_visits integer[] NOT NULL,
    -- The CPR may be invalid: not ten digits, or its date part is not the birth date. The export
    -- checks these few in Python.
    cpr_suspect boolean NOT NULL,
    -- The citizen's, so the summary needs no join with the registry.
    sex text NOT NULL,
    birth_year smallint NOT NULL,
    PRIMARY KEY (municipality_id, year, citizen_id)
);
CREATE INDEX reports_dstcount_suspect ON reports_dstcount (municipality_id, year) WHERE cpr_suspect;

CREATE FUNCTION reports_dstcount_refresh(ms bigint[], cs bigint[], ys integer[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF ms IS NULL THEN
        RETURN;
    END IF;
    -- One lock per municipality and year, taken in order (no deadlock between two writers).
    PERFORM pg_advisory_xact_lock(hashtextextended('fhb-dst-count:' || k.m || ':' || k.y, 0))
    FROM (SELECT DISTINCT m, y FROM unnest(ms, ys) AS k(m, y) ORDER BY m, y) AS k;
    DELETE FROM reports_dstcount d
    USING unnest(ms, cs, ys) AS k(m, c, y)
    WHERE d.municipality_id = k.m AND d.citizen_id = k.c AND d.year = k.y;
    INSERT INTO reports_dstcount
        (municipality_id, citizen_id, year, visits, event_visits, before_birthday, months, month_visits,
         cpr_suspect, sex, birth_year)
    SELECT v.municipality_id, v.citizen_id, k.y,
        count(*),
        count(*) FILTER (WHERE v.kind = 'collective_event'),
        count(*) FILTER (
            WHERE extract(month FROM v.visit_date) * 100 + extract(day FROM v.visit_date)
                < extract(month FROM c.birth_date) * 100 + extract(day FROM c.birth_date)
        ),
        bit_or(1 << (extract(month FROM v.visit_date)::int - 1)),
        ARRAY[{MONTHS}],
        bool_or(NOT (c.cpr ~ '^[0-9]{{10}}$' AND left(c.cpr, 6) = to_char(c.birth_date, 'DDMMYY'))),
        min(c.sex),
        min(extract(year FROM c.birth_date))
    FROM (SELECT DISTINCT m, c, y FROM unnest(ms, cs, ys) AS k(m, c, y)) AS k
    JOIN visits_visit v
        ON v.citizen_id = k.c AND v.municipality_id = k.m
        AND v.visit_date BETWEEN make_date(k.y, 1, 1) AND make_date(k.y, 12, 31)
    JOIN fhb_citizen c ON c.id = v.citizen_id
    WHERE v.kind IN {DELIVERED_KINDS} AND v.outcome = 'completed' AND NOT v.is_draft
        AND (c.deceased_on IS NULL OR v.visit_date <= c.deceased_on)
    GROUP BY v.municipality_id, v.citizen_id, k.y;
END;
$$;

CREATE FUNCTION reports_dstcount_visits() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ms bigint[];
    cs bigint[];
    ys integer[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(m), array_agg(c), array_agg(y) INTO ms, cs, ys FROM (
            SELECT DISTINCT municipality_id, citizen_id, extract(year FROM visit_date)::int FROM new_rows
        ) AS k(m, c, y);
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(m), array_agg(c), array_agg(y) INTO ms, cs, ys FROM (
            SELECT DISTINCT municipality_id, citizen_id, extract(year FROM visit_date)::int FROM old_rows
        ) AS k(m, c, y);
    ELSE
        SELECT array_agg(m), array_agg(c), array_agg(y) INTO ms, cs, ys FROM (
            SELECT municipality_id, citizen_id, extract(year FROM visit_date)::int FROM old_rows
            UNION
            SELECT municipality_id, citizen_id, extract(year FROM visit_date)::int FROM new_rows
        ) AS k(m, c, y);
    END IF;
    PERFORM reports_dstcount_refresh(ms, cs, ys);
    RETURN NULL;
END;
$$;

CREATE TRIGGER reports_dstcount_visit_insert AFTER INSERT ON visits_visit
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_dstcount_visits();
CREATE TRIGGER reports_dstcount_visit_update AFTER UPDATE ON visits_visit
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION reports_dstcount_visits();
CREATE TRIGGER reports_dstcount_visit_delete AFTER DELETE ON visits_visit
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_dstcount_visits();

-- A new birth date moves visits before or after the birthday (and changes the age); a death date
-- excludes later visits; a corrected CPR may no longer be suspect; the sex is copied.
CREATE FUNCTION reports_dstcount_citizens() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ms bigint[];
    cs bigint[];
    ys integer[];
BEGIN
    SELECT array_agg(m), array_agg(c), array_agg(y) INTO ms, cs, ys FROM (
        SELECT DISTINCT v.municipality_id, v.citizen_id, extract(year FROM v.visit_date)::int
        FROM old_rows o
        JOIN new_rows n ON n.id = o.id
        JOIN visits_visit v ON v.citizen_id = n.id
        WHERE o.birth_date IS DISTINCT FROM n.birth_date OR o.deceased_on IS DISTINCT FROM n.deceased_on
            OR o.cpr IS DISTINCT FROM n.cpr OR o.sex IS DISTINCT FROM n.sex
    ) AS k(m, c, y);
    PERFORM reports_dstcount_refresh(ms, cs, ys);
    RETURN NULL;
END;
$$;

CREATE TRIGGER reports_dstcount_citizen_update AFTER UPDATE ON fhb_citizen
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION reports_dstcount_citizens();

-- TRUNCATE (manage.py flush, the test runner between tests) fires no row or statement trigger for
-- the rows it removes: empty the counts with it.
CREATE FUNCTION reports_dstcount_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE reports_dstcount;
    RETURN NULL;
END;
$$;

CREATE TRIGGER reports_dstcount_visit_truncate AFTER TRUNCATE ON visits_visit
    FOR EACH STATEMENT EXECUTE FUNCTION reports_dstcount_truncate();
CREATE TRIGGER reports_dstcount_citizen_truncate AFTER TRUNCATE ON fhb_citizen
    FOR EACH STATEMENT EXECUTE FUNCTION reports_dstcount_truncate();

-- What is there already.
SELECT reports_dstcount_refresh(array_agg(m), array_agg(c), array_agg(y)) FROM (
    SELECT DISTINCT municipality_id, citizen_id, extract(year FROM visit_date)::int FROM visits_visit
) AS k(m, c, y);
ANALYZE reports_dstcount;
"""

DROP = """
DROP TRIGGER IF EXISTS reports_dstcount_citizen_truncate ON fhb_citizen;
DROP TRIGGER IF EXISTS reports_dstcount_visit_truncate ON visits_visit;
DROP TRIGGER IF EXISTS reports_dstcount_citizen_update ON fhb_citizen;
DROP TRIGGER IF EXISTS reports_dstcount_visit_delete ON visits_visit;
DROP TRIGGER IF EXISTS reports_dstcount_visit_update ON visits_visit;
DROP TRIGGER IF EXISTS reports_dstcount_visit_insert ON visits_visit;
DROP FUNCTION IF EXISTS reports_dstcount_truncate();
DROP FUNCTION IF EXISTS reports_dstcount_citizens();
DROP FUNCTION IF EXISTS reports_dstcount_visits();
DROP FUNCTION IF EXISTS reports_dstcount_refresh(bigint[], bigint[], integer[]);
DROP TABLE IF EXISTS reports_dstcount;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_deliveries"),
        ("visits", "0003_screenings_follow_ups_events"),
        ("fhb", "0009_municipality_date_letter_priority"),
    ]

    operations = [migrations.RunPython(create, drop)]
