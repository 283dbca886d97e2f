"""Import of risk events (interfaces.md § 2), keyed by citizen, risk group and date."""

from __future__ import annotations

from django.utils import timezone

from ..models import Citizen, RiskEvent, RiskGroup, RiskSource
from .bulk import insert_with_history, update_with_history
from .lookup import CitizenLookup
from .rowimport import RowImport
from .tables import (
    ImportResult,
    InvalidValue,
    RowCheck,
    iter_chunks,
    parse_date,
    require,
)

REQUIRED = ["cpr", "risk_group", "registered_on"]
OPTIONAL = ["source", "note"]
_SOURCES = {s.value for s in RiskSource} - {RiskSource.HOSPITAL_NOTIFICATION}


class RiskEventsImport(RowImport):
    """Risk events for citizens already in the registry, keyed by citizen, risk group and date.
    With `municipality`, only that municipality's citizens are found (the upload page and
    `--municipality`)."""

    required = REQUIRED
    optional = OPTIONAL
    empty = "Filen indeholder ingen risikohændelser."
    analyzes = (RiskEvent, RiskEvent.history.model)

    def prepare(self) -> None:
        self.today = timezone.localdate()
        self.lookup = CitizenLookup(
            [raw["cpr"] for _, raw in self.table.rows], municipality=self.municipality, fields=("birth_date",)
        )
        scope = (
            RiskGroup.objects.all()
            if self.municipality is None
            else RiskGroup.objects.for_municipality(self.municipality)
        )
        self.groups = {(group.municipality_id, group.code): group for group in scope}

    def check(self, check: RowCheck, raw: dict[str, str]):
        fail = check.fail
        citizen = self.lookup.find_in(check)
        group = None
        code = raw["risk_group"].strip().lower()
        if not code:
            fail("risk_group", "skal udfyldes")
        elif citizen is not None:
            group = self.groups.get((citizen.municipality_id, code)) or self.groups.get((None, code))
            if group is None:
                fail("risk_group", "ukendt risikogruppe; brug en indbygget kode eller en kommunen har defineret")
        registered_on = None
        try:
            registered_on = parse_date(require(raw["registered_on"]))
            if registered_on > self.today:
                fail("registered_on", "datoen ligger i fremtiden")
            elif citizen is not None and registered_on < citizen.birth_date:
                fail("registered_on", "datoen ligger før borgerens fødselsdato")
        except InvalidValue as exc:
            fail("registered_on", str(exc))
        values: dict = {}
        if self.table.has("source"):
            source = raw["source"].strip().lower() or RiskSource.OTHER
            if source not in _SOURCES:
                fail("source", "ukendt kilde; brug registry, concern_referral, self_referral, screening eller other")
            values["source"] = source
        if self.table.has("note"):
            values["note"] = raw["note"]
        if not check.errors and citizen and group:
            check.unique(
                (citizen.pk, group.pk, registered_on),
                column="cpr",
                reason="samme borger, risikogruppe og dato står også i række {row}",
            )
        return citizen, group, registered_on, values

    def apply(self, parsed: list[tuple[Citizen, RiskGroup, object, dict]], result: ImportResult) -> None:
        user = self.user
        existing: dict[tuple[int, int, object], RiskEvent] = {}
        for chunk in iter_chunks([p[0].pk for p in parsed], 5000):
            for event in RiskEvent.objects.filter(citizen_id__in=chunk):
                existing[(event.citizen_id, event.risk_group_id, event.registered_on)] = event
        to_create, to_update, fields = [], [], set()
        for citizen, group, registered_on, values in parsed:
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
            result.municipalities = {citizen.municipality_id for citizen, *_ in parsed}


# Register risk events for citizens already in the registry (interfaces.md § 2).
risk_events_import = RiskEventsImport.as_service()
