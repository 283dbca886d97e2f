"""Expected uptake per target group and letter kind: what a team leader's choice of letters will
give in visits.

From the municipality's own history where it has enough (offers of earlier years that were
invited with that letter kind: the share that ended visited), else from the national figures in
domain.md § 6. Those are blended over every letter kind and known only for the age-determined
groups, so two stated assumptions turn them into per-kind figures:
- a date letter gives DATE_FACTOR times the blended national figure and an open letter
  OPEN_FACTOR times it (the evaluation says only that date letters give "clearly higher" uptake;
  with about as many municipalities using each kind, 1.5 and 0.75 keep the blend near the
  national figure);
- the at-risk group, which has no national figure, gets the blended figure of all age groups
  (50,696 recipients of 300,977 offered in 2021: 16.8 %).
Every estimate says where it came from, and the page shows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from fhb.law.national_figures import ALL_AGE_GROUPS_2021, NATIONAL_UPTAKE_2021
from fhb.models import InvitationKind, Municipality, Offer, OfferStatus

DATE_FACTOR = 1.5
OPEN_FACTOR = 0.75
EVENT_FACTOR = 0.5  # "rarely more than half of those invited attend" (domain.md § 3)
MIN_HISTORY = 30  # invited offers of a group and kind before the municipality's own figure is used

KIND_FACTOR = {
    InvitationKind.DATE_LETTER: DATE_FACTOR,
    InvitationKind.OPEN_LETTER: OPEN_FACTOR,
    InvitationKind.COLLECTIVE_EVENT: EVENT_FACTOR,
}


@dataclass(frozen=True)
class Estimate:
    rate: float
    source: str  # "own" or "national"
    invited: int = 0  # the history behind an own figure


def history(municipality: Municipality, before_year: int) -> dict[tuple[str, str], tuple[int, int]]:
    """(group, letter kind) -> (invited, visited) over the municipality's earlier years."""
    rows = (
        Offer.objects.filter(municipality=municipality, year__lt=before_year, invited_on__isnull=False)
        .values("primary_group", "letter_kind")
        .annotate(invited=Count("id"), visited=Count("id", filter=Q(status=OfferStatus.VISITED)))
    )
    return {(r["primary_group"], r["letter_kind"]): (r["invited"], r["visited"]) for r in rows}


def estimates(municipality: Municipality, year: int, groups: list[str]) -> dict[tuple[str, str], Estimate]:
    own = history(municipality, year)
    result = {}
    for group in groups:
        national = NATIONAL_UPTAKE_2021.get(group, ALL_AGE_GROUPS_2021)
        for kind, factor in KIND_FACTOR.items():
            invited, visited = own.get((group, kind), (0, 0))
            if invited >= MIN_HISTORY:
                result[(group, kind)] = Estimate(round(visited / invited, 4), "own", invited)
            else:
                result[(group, kind)] = Estimate(round(min(national * factor, 1.0), 4), "national")
    return result
