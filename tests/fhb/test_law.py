"""The law package: each rule in one place, and the copies the database needs held to it."""

import importlib
import re

from fhb.law import bek_716, preventive_visit
from fhb.models import InvitationKind
from visits.models import VisitKind, VisitOutcome


def test_what_counts_as_a_visit_is_the_same_in_sql():
    """PostgreSQL's DST counts freeze the delivered kinds in a migration; they must be the law's."""
    migration = importlib.import_module("reports.migrations.0002_dst_counts")
    frozen = set(re.findall(r"'(\w+)'", migration.DELIVERED_KINDS))
    assert frozen == set(preventive_visit.VISIT_KINDS)


def test_the_law_speaks_the_models_codes():
    assert {preventive_visit.HOME_VISIT, preventive_visit.FOLLOW_UP_VISIT, preventive_visit.COLLECTIVE_EVENT} <= set(
        VisitKind.values
    )
    assert preventive_visit.PHONE_CALL in VisitKind.values
    assert preventive_visit.COUNTED_OUTCOME == VisitOutcome.COMPLETED
    assert {bek_716.DATE_LETTER, bek_716.COLLECTIVE_EVENT} <= set(InvitationKind.values)


def test_a_phone_call_or_a_draft_is_no_visit():
    assert preventive_visit.counts_as_visit("home_visit", "completed")
    assert preventive_visit.counts_as_visit("collective_event", "completed")
    assert not preventive_visit.counts_as_visit("phone_call", "completed")
    assert not preventive_visit.counts_as_visit("home_visit", "declined")
    assert not preventive_visit.counts_as_visit("home_visit", "completed", is_draft=True)


def test_declining_an_event_gives_the_individual_visits_letter():
    """BEK 716/2019 § 2."""
    assert bek_716.individual_letter_kind("collective_event", True) == "date_letter"
    assert bek_716.individual_letter_kind("collective_event", False) == "collective_event"
    assert bek_716.individual_letter_kind("open_letter", True) == "open_letter"
