"""Import of risk events (interfaces.md § 2), keyed by citizen, risk group and date."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ..models import Citizen, Municipality, RiskEvent, RiskGroup, RiskSource, User
from .bulk import insert_with_history, update_with_history
from .lookup import CitizenLookup
from .tables import (
    ImportResult,
    InvalidValue,
    Progress,
    Source,
    Validation,
    iter_chunks,
    parse_date,
    read_table,
    require,
)

REQUIRED = ["cpr", "risk_group", "registered_on"]
OPTIONAL = ["source", "note"]
_SOURCES = {s.value for s in RiskSource} - {RiskSource.HOSPITAL_NOTIFICATION}


def risk_events_import(
    *,
    data: Source,
    strict: bool = False,
    municipality: Municipality | None = None,
    user: User | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Register risk events for citizens already in the registry. With `municipality`, only that
    municipality's citizens are found (the upload page and `--municipality`)."""
    table = read_table(data, required=REQUIRED, optional=OPTIONAL)
    result = ImportResult()
    validation = Validation(table, result)
    today = timezone.localdate()
    total = table.total

    lookup = CitizenLookup([raw["cpr"] for _, raw in table.rows], municipality=municipality, fields=("birth_date",))
    groups: dict[tuple[int | None, str], RiskGroup] = {}
    group_scope = RiskGroup.objects.all() if municipality is None else RiskGroup.objects.for_municipality(municipality)
    for group in group_scope:
        groups[(group.municipality_id, group.code)] = group

    parsed: list[tuple[int, Citizen, RiskGroup, object, dict]] = []
    for index, (line, raw) in enumerate(table.rows, 1):
        check = validation.row(line, raw)
        fail = check.fail

        citizen = None
        try:
            citizen = lookup.find(raw["cpr"])
        except InvalidValue as exc:
            fail("cpr", str(exc))
        group = None
        code = raw["risk_group"].strip().lower()
        if not code:
            fail("risk_group", "skal udfyldes")
        elif citizen is not None:
            group = groups.get((citizen.municipality_id, code)) or groups.get((None, code))
            if group is None:
                fail("risk_group", "ukendt risikogruppe; brug en indbygget kode eller en kommunen har defineret")
        registered_on = None
        try:
            registered_on = parse_date(require(raw["registered_on"]))
            if registered_on > today:
                fail("registered_on", "datoen ligger i fremtiden")
            elif citizen is not None and registered_on < citizen.birth_date:
                fail("registered_on", "datoen ligger før borgerens fødselsdato")
        except InvalidValue as exc:
            fail("registered_on", str(exc))
        values: dict = {}
        if table.has("source"):
            source = raw["source"].strip().lower() or RiskSource.OTHER
            if source not in _SOURCES:
                fail("source", "ukendt kilde; brug registry, concern_referral, self_referral, screening eller other")
            values["source"] = source
        if table.has("note"):
            values["note"] = raw["note"]
        if not check.errors and citizen and group:
            check.unique(
                (citizen.pk, group.pk, registered_on),
                column="cpr",
                reason="samme borger, risikogruppe og dato står også i række {row}",
            )
        if validation.accept(check):
            parsed.append((line, citizen, group, registered_on, values))
        if progress and index % 5000 == 0:
            progress(index, total)
    if not validation.finish(strict=strict, valid=len(parsed), empty="Filen indeholder ingen risikohændelser."):
        return result

    with transaction.atomic():
        existing: dict[tuple[int, int, object], RiskEvent] = {}
        for chunk in iter_chunks([p[1].pk for p in parsed], 5000):
            for event in RiskEvent.objects.filter(citizen_id__in=chunk):
                existing[(event.citizen_id, event.risk_group_id, event.registered_on)] = event
        to_create, to_update, fields = [], [], set()
        for _line, citizen, group, registered_on, values in parsed:
            event = existing.get((citizen.pk, group.pk, registered_on))
            if event is None:
                to_create.append(
                    RiskEvent(citizen=citizen, risk_group=group, registered_on=registered_on, created_by=user, **values)
                )
                continue
            diff = {name for name, value in values.items() if getattr(event, name) != value}
            if diff:
                for name in diff:
                    setattr(event, name, values[name])
                fields |= diff
                to_update.append(event)
            else:
                result.unchanged += 1
        now = timezone.now()
        for event in to_create:
            event.created_at = now
        insert_with_history(RiskEvent, to_create, user=user, reason="import", now=now)
        update_with_history(RiskEvent, to_update, sorted(fields), user=user, reason="import", now=now)
        result.created, result.updated = len(to_create), len(to_update)
        if to_create or to_update:
            result.municipalities = {citizen.municipality_id for _line, citizen, *_ in parsed}
    if progress:
        progress(total, total)
    return result
