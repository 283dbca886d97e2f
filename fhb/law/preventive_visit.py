"""What counts as a preventive home visit (Serviceloven § 79 a, Ældreloven § 4, and DST's
statistics on them, domain.md § 6): a home visit, a follow-up visit or attendance at a collective
event (the alternative format, BEK 716/2019 §§ 1-2), completed and recorded as final. A phone call is a
contact, never a visit; a declined, missed or cancelled visit is not a visit.

The kinds are `visits.models.VisitKind`'s values. PostgreSQL's DST counts freeze the same kinds in
SQL (reports/migrations/0002_dst_counts.py); a test holds the two together."""

HOME_VISIT = "home_visit"
FOLLOW_UP_VISIT = "follow_up_visit"
COLLECTIVE_EVENT = "collective_event"
PHONE_CALL = "phone_call"

VISIT_KINDS = frozenset({HOME_VISIT, FOLLOW_UP_VISIT, COLLECTIVE_EVENT})
COUNTED_OUTCOME = "completed"


def counts_as_visit(kind: str, outcome: str, is_draft: bool = False) -> bool:
    return kind in VISIT_KINDS and outcome == COUNTED_OUTCOME and not is_draft
