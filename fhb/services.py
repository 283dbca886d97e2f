"""Writes of the core domain that are not imports: the access log and risk events by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from .errors import DomainError
from .models import Citizen, CitizenAccess, Lookup, RiskEvent, RiskGroup, RiskSource, User


def citizen_access_log(*, user: User, citizens: Iterable[Citizen] | Citizen, endpoint: str, purpose: str) -> None:
    """Record that `user` looked at these citizens' data. Called by every page and endpoint that
    shows a citizen's personal data (not masked lists)."""
    if isinstance(citizens, Citizen):
        citizens = [citizens]
    citizen_access_log_ids(user=user, citizen_ids=[c.pk for c in citizens], endpoint=endpoint, purpose=purpose)


def citizen_access_log_ids(*, user: User, citizen_ids: Iterable[int], endpoint: str, purpose: str) -> Lookup | None:
    """One look-up row for the request, and a row for each citizen it showed (once each)."""
    ids = list(dict.fromkeys(citizen_ids))
    if not ids:
        return None
    with transaction.atomic():
        lookup = Lookup.objects.create(
            user=user, endpoint=endpoint[:200], purpose=purpose[:200], citizen_count=len(ids)
        )
        CitizenAccess.objects.bulk_create([CitizenAccess(lookup=lookup, citizen_id=pk) for pk in ids], batch_size=5000)
    return lookup


def risk_event_register(
    *,
    citizen: Citizen,
    risk_group: RiskGroup,
    registered_on: dt.date,
    source: str = RiskSource.OTHER,
    note: str = "",
    user: User | None = None,
) -> RiskEvent:
    if registered_on > timezone.localdate():
        raise DomainError("Datoen ligger i fremtiden.", field="registered_on")
    if registered_on < citizen.birth_date:
        raise DomainError("Datoen ligger før borgerens fødselsdato.", field="registered_on")
    if risk_group.municipality_id not in (None, citizen.municipality_id):
        raise DomainError("Risikogruppen hører til en anden kommune.", field="risk_group")
    try:
        with transaction.atomic():
            return RiskEvent.objects.create(
                citizen=citizen,
                risk_group=risk_group,
                registered_on=registered_on,
                source=source,
                note=note,
                created_by=user,
            )
    except IntegrityError:
        raise DomainError(
            "Borgeren har allerede en hændelse i denne risikogruppe på denne dato.", field="registered_on"
        ) from None
