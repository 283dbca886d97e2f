"""Importing a previous system's visit history (interfaces.md § 3): a declaration on the row-import
framework (fhb.registry.rowimport). The imported visits move the year's offers as recorded ones do."""

from __future__ import annotations

from django.utils import timezone

from fhb.models import Offer, OfferTransition, User
from fhb.registry.bulk import insert_with_history, update_with_history
from fhb.registry.lookup import CitizenLookup
from fhb.registry.rowimport import RowImport
from fhb.registry.tables import (
    ImportResult,
    InvalidValue,
    RowCheck,
    parse_date,
    require,
)

from .models import (
    Visit,
    VisitKind,
    VisitOutcome,
    VisitSource,
)
from .services import offers_follow_visits

REQUIRED = ["cpr", "date", "kind", "outcome"]
OPTIONAL = ["consultant", "note"]
_KINDS = {k.value for k in VisitKind}
_OUTCOMES = {o.value for o in VisitOutcome}


def _consultants(municipality_ids: set[int]) -> dict[tuple[int, str], User]:
    """Staff by (municipality, username) and (municipality, full name), both lower-cased."""
    found: dict[tuple[int, str], User] = {}
    for user in User.objects.filter(municipality_id__in=municipality_ids):
        found[(user.municipality_id, user.username.lower())] = user
        name = user.get_full_name().lower()
        if name:
            found.setdefault((user.municipality_id, name), user)
    return found


class VisitsImport(RowImport):
    """A previous system's visits and contacts (interfaces.md § 3), keyed by citizen, date and
    kind. A consultant who is not (or no longer) a user is kept by name. Completed and declined
    visits move the citizen's offer for that year, where there is one."""

    required = REQUIRED
    optional = OPTIONAL
    empty = "Filen indeholder ingen besøg."
    analyzes = (Visit, Visit.history.model, Offer, OfferTransition)

    def prepare(self) -> None:
        self.today = timezone.localdate()
        self.lookup = CitizenLookup(
            [raw["cpr"] for _, raw in self.table.rows],
            municipality=self.municipality,
            fields=("birth_date", "deceased_on"),
        )
        self.staff = _consultants({c.municipality_id for cs in self.lookup.by_cpr.values() for c in cs})

    def check(self, check: RowCheck, raw: dict[str, str]) -> dict:
        fail = check.fail
        citizen = self.lookup.find_in(check)
        day = None
        try:
            day = parse_date(require(raw["date"]))
            if day > self.today:
                fail("date", "datoen ligger i fremtiden")
            elif citizen is not None and day < citizen.birth_date:
                fail("date", "datoen ligger før borgerens fødselsdato")
            elif citizen is not None and citizen.deceased_on and day > citizen.deceased_on:
                fail("date", f"datoen ligger efter borgerens død ({citizen.deceased_on:%d-%m-%Y})")
        except InvalidValue as exc:
            fail("date", str(exc))
        kind, outcome = raw["kind"].strip().lower(), raw["outcome"].strip().lower()
        if kind not in _KINDS:
            fail("kind", "ukendt type; brug home_visit, follow_up_visit, collective_event eller phone_call")
        if outcome not in _OUTCOMES:
            fail("outcome", "ukendt udfald; brug completed, declined, no_show eller cancelled")
        values: dict = {}
        if self.table.has("consultant"):
            name = raw["consultant"].strip()
            match = self.staff.get((citizen.municipality_id, name.lower())) if citizen and name else None
            values["consultant_id"] = match.pk if match else None
            values["consultant_name"] = "" if match else name[:200]
        if self.table.has("note"):
            values["note"] = raw["note"]
        if not check.errors:
            check.unique(
                (citizen.pk, day, kind), column="date", reason="samme borger, dato og type står også i række {row}"
            )
        return {"citizen": citizen, "visit_date": day, "kind": kind, "outcome": outcome, **values}

    def apply(self, parsed: list[dict], result: ImportResult) -> None:
        now = timezone.now()
        existing = {
            (v.citizen_id, v.visit_date, v.kind): v
            for v in Visit.objects.filter(source=VisitSource.IMPORTED, citizen_id__in={p["citizen"].pk for p in parsed})
        }
        to_create, to_update, fields = [], [], set()
        for row in parsed:
            citizen = row.pop("citizen")
            visit = existing.get((citizen.pk, row["visit_date"], row["kind"]))
            if visit is None:
                to_create.append(
                    Visit(
                        municipality_id=citizen.municipality_id,
                        citizen=citizen,
                        source=VisitSource.IMPORTED,
                        created_at=now,
                        updated_at=now,
                        **row,
                    )
                )
                continue
            diff = {k for k, v in row.items() if getattr(visit, k) != v}
            if diff:
                for k in diff:
                    setattr(visit, k, row[k])
                visit.updated_at = now
                fields |= diff | {"updated_at"}
                to_update.append(visit)
            else:
                result.unchanged += 1
        insert_with_history(Visit, to_create, user=self.user, reason="import", now=now)
        update_with_history(Visit, to_update, sorted(fields), user=self.user, reason="import", now=now)
        offers_follow_visits(to_create + to_update, user=self.user)
        result.created, result.updated = len(to_create), len(to_update)
        result.municipalities = {v.municipality_id for v in (*to_create, *to_update)}


# Upsert a previous system's visits and contacts (interfaces.md § 3).
visits_import = VisitsImport.as_service()
