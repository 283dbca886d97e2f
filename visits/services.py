"""Writes of the visits app: importing a visit history (interfaces.md § 3) and letting recorded
visits move the year's offer along (a completed visit -> visited, a declined one -> declined)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fhb.errors import DomainError
from fhb.models import Municipality, Offer, OfferStatus, OfferTransition, User
from fhb.registry.bulk import insert_values, insert_with_history, update_values, update_with_history
from fhb.registry.lookup import CitizenLookup
from fhb.registry.tables import (
    ImportResult,
    InvalidValue,
    Progress,
    Validation,
    parse_date,
    read_table,
    require,
)

from .models import VISIT_KINDS, Visit, VisitKind, VisitOutcome, VisitSource

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


def visits_import(
    *,
    data: bytes | str,
    strict: bool = False,
    municipality: Municipality | None = None,
    user: User | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Upsert a previous system's visits and contacts, keyed by citizen, date and kind. A consultant
    who is not (or no longer) a user is kept by name. Completed and declined visits move the
    citizen's offer for that year, where there is one."""
    table = read_table(data, required=REQUIRED, optional=OPTIONAL)
    result = ImportResult()
    validation = Validation(table, result)
    today = timezone.localdate()
    lookup = CitizenLookup(
        [raw["cpr"] for _, raw in table.rows], municipality=municipality, fields=("birth_date", "deceased_on")
    )
    staff = _consultants({c.municipality_id for cs in lookup.by_cpr.values() for c in cs})
    parsed: list[dict] = []
    for line, raw in table.rows:
        check = validation.row(line, raw)
        fail = check.fail

        citizen = None
        try:
            citizen = lookup.find(raw["cpr"])
        except InvalidValue as exc:
            fail("cpr", str(exc))
        day = None
        try:
            day = parse_date(require(raw["date"]))
            if day > today:
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
        if table.has("consultant"):
            name = raw["consultant"].strip()
            match = staff.get((citizen.municipality_id, name.lower())) if citizen and name else None
            values["consultant_id"] = match.pk if match else None
            values["consultant_name"] = "" if match else name[:200]
        if table.has("note"):
            values["note"] = raw["note"]
        if not check.errors:
            check.unique(
                (citizen.pk, day, kind), column="date", reason="samme borger, dato og type står også i række {row}"
            )
        if validation.accept(check):
            parsed.append({"citizen": citizen, "visit_date": day, "kind": kind, "outcome": outcome, **values})
    if not validation.finish(strict=strict, valid=len(parsed), empty="Filen indeholder ingen besøg."):
        return result

    now = timezone.now()
    with transaction.atomic():
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
        insert_with_history(Visit, to_create, user=user, reason="import", now=now)
        update_with_history(Visit, to_update, sorted(fields), user=user, reason="import", now=now)
        offers_follow_visits(to_create + to_update, user=user)
    result.created, result.updated = len(to_create), len(to_update)
    if progress:
        progress(len(table.rows), len(table.rows))
    return result


# Which offer statuses a visit's outcome moves, and to what.
FOLLOWS = {
    VisitOutcome.COMPLETED: (
        OfferStatus.VISITED,
        {
            OfferStatus.DUE,
            OfferStatus.INVITED,
            OfferStatus.BOOKED,
            OfferStatus.NO_RESPONSE,
            OfferStatus.DECLINED,
            OfferStatus.EXEMPT,
        },
    ),
    VisitOutcome.DECLINED: (
        OfferStatus.DECLINED,
        {OfferStatus.DUE, OfferStatus.INVITED, OfferStatus.BOOKED, OfferStatus.NO_RESPONSE},
    ),
}


def offers_follow_visits(visits: list[Visit], *, user: User | None) -> int:
    """Move each (citizen, year) offer by the visits: completed beats declined. Phone calls, no-shows
    and cancellations do not move an offer. Returns how many offers moved."""
    wanted: dict[tuple[int, int], str] = {}
    for visit in visits:
        if visit.kind not in VISIT_KINDS or visit.outcome not in FOLLOWS:
            continue
        key = (visit.citizen_id, visit.visit_date.year)
        if wanted.get(key) != VisitOutcome.COMPLETED:
            wanted[key] = visit.outcome
    if not wanted:
        return 0
    condition = Q()
    for citizen_id, year in wanted:
        condition |= Q(citizen_id=citizen_id, year=year)
    now = timezone.now()
    updates, transitions = [], []
    for offer_id, citizen_id, year, status in Offer.objects.filter(condition).values_list(
        "id", "citizen_id", "year", "status"
    ):
        to_status, from_statuses = FOLLOWS[wanted[(citizen_id, year)]]
        if status in from_statuses:
            updates.append([offer_id, to_status, now])
            transitions.append(
                [offer_id, status, to_status, now, user.pk if user else None, "Besøg registreret", None, ""]
            )
    update_values(Offer, ["status", "updated_at"], updates)
    insert_values(
        OfferTransition,
        ["offer_id", "from_status", "to_status", "at", "by_id", "note", "on", "letter_kind"],
        transitions,
    )
    return len(updates)


def _validate(*, citizen, kind: str, outcome: str, visit_date, themes: list[str]) -> None:
    from .themes import THEMES

    if kind not in _KINDS:
        raise DomainError("Vælg en gyldig type.", field="kind")
    if outcome not in _OUTCOMES:
        raise DomainError("Vælg et gyldigt udfald.", field="outcome")
    if visit_date > timezone.localdate():
        raise DomainError(
            "Datoen ligger i fremtiden. Et besøg registreres, når det har fundet sted.", field="visit_date"
        )
    if visit_date < citizen.birth_date:
        raise DomainError("Datoen ligger før borgerens fødselsdato.", field="visit_date")
    if citizen.deceased_on and visit_date > citizen.deceased_on:
        raise DomainError(f"Borgeren døde {citizen.deceased_on:%d-%m-%Y}; datoen ligger efter.", field="visit_date")
    unknown = [t for t in themes if t not in THEMES]
    if unknown:
        raise DomainError(f"Ukendte temaer: {', '.join(unknown)}.", field="themes")
    if kind == VisitKind.PHONE_CALL and themes and outcome != VisitOutcome.COMPLETED:
        raise DomainError("Temaer kan kun registreres for en gennemført samtale.", field="themes")


def visit_record(
    *,
    citizen,
    user: User,
    kind: str,
    outcome: str,
    visit_date,
    started_at=None,
    duration_minutes: int | None = None,
    themes: list[str] | None = None,
    note: str = "",
    is_draft: bool = False,
) -> Visit:
    """Record a visit or contact. A draft keeps what was typed and changes nothing else; a final
    record of a completed (or declined) visit moves the year's offer. A phone call is a contact,
    never a visit: it is recorded but does not move the offer."""
    themes = list(themes or [])
    _validate(citizen=citizen, kind=kind, outcome=outcome, visit_date=visit_date, themes=themes)
    with transaction.atomic():
        visit = Visit.objects.create(
            municipality_id=citizen.municipality_id,
            citizen=citizen,
            kind=kind,
            outcome=outcome,
            visit_date=visit_date,
            started_at=started_at,
            duration_minutes=duration_minutes,
            themes=themes,
            note=note,
            is_draft=is_draft,
            consultant=user,
            recorded_by=user,
            source=VisitSource.RECORDED,
        )
        if not is_draft:
            offers_follow_visits([visit], user=user)
    return visit


EDITABLE = ["kind", "outcome", "visit_date", "started_at", "duration_minutes", "themes", "note", "is_draft"]


def visit_update(*, visit: Visit, user: User, version: int, **changes) -> Visit:
    """Save an edit made from `version`. If a colleague saved in between, nothing is overwritten:
    a DomainError asks to reload (optimistic locking)."""
    values = {name: changes.get(name, getattr(visit, name)) for name in EDITABLE}
    values["themes"] = list(values["themes"] or [])
    _validate(
        citizen=visit.citizen,
        kind=values["kind"],
        outcome=values["outcome"],
        visit_date=values["visit_date"],
        themes=values["themes"],
    )
    with transaction.atomic():
        current = Visit.objects.select_for_update().get(pk=visit.pk)
        if current.version != version:
            raise DomainError(
                "En kollega har gemt en nyere udgave af besøget, mens du skrev. Dine ændringer er ikke gemt: "
                "genindlæs siden, og skriv dem ind igen."
            )
        for name, value in values.items():
            setattr(current, name, value)
        current.version = version + 1
        current._history_user = user
        current.save()
        visit = current
        if not visit.is_draft:
            offers_follow_visits([visit], user=user)
    return visit
