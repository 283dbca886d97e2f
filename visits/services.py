"""Writes of the visits app: recording and editing visits with their screenings and follow-ups,
and letting visits move the year's offer along (a completed visit -> visited, a declined one ->
declined). Importing a previous system's visit history is `history.py`."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from fhb.errors import ConflictError, DomainError
from fhb.models import Offer, OfferStatus, RiskEvent, RiskGroup, RiskSource, User
from fhb.offers import Move, offers_move

from .models import (
    DATED_KINDS,
    SHARING_KINDS,
    VISIT_KINDS,
    BookingStatus,
    FollowUp,
    FollowUpKind,
    MunicipalUnit,
    Screening,
    Visit,
    VisitKind,
    VisitOutcome,
    VisitSource,
)
from .screenings import RED, ScreeningError, screening_read
from .themes import THEMES

_KINDS = {k.value for k in VisitKind}
_OUTCOMES = {o.value for o in VisitOutcome}

# What a visit's outcome moves an offer to; whether it may (never back from visited, a refusal
# does not undo a visit or an exemption) is the offer lifecycle's table (fhb.offers.ALLOWED).
FOLLOWS = {VisitOutcome.COMPLETED: OfferStatus.VISITED, VisitOutcome.DECLINED: OfferStatus.DECLINED}


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
    # One IN list per year (in chunks), not an OR per citizen: a history file has thousands, and
    # SQLite refuses an expression tree deeper than 1,000.
    by_year: dict[int, list[int]] = {}
    for citizen_id, year in wanted:
        by_year.setdefault(year, []).append(citizen_id)
    offers = []
    for year, ids in sorted(by_year.items()):
        for start in range(0, len(ids), 900):
            offers += Offer.objects.filter(year=year, citizen_id__in=ids[start : start + 900]).values_list(
                "id", "citizen_id", "year"
            )
    moves = [
        Move(offer_id, FOLLOWS[wanted[(citizen_id, year)]], "Besøg registreret")
        for offer_id, citizen_id, year in offers
    ]
    return len(offers_move(moves, user=user))


def _validate(*, citizen, kind: str, outcome: str, visit_date, themes: list[str]) -> None:
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


def screenings_read(citizen, *, kind: str, outcome: str, visit_date, screenings: dict[str, dict]) -> list[dict]:
    """Validate the screenings of a visit: {kind: {measure: value}} -> readings. Screenings are
    done at a completed home or follow-up visit, not over the phone or at an event."""
    if not screenings:
        return []
    if kind not in (VisitKind.HOME_VISIT, VisitKind.FOLLOW_UP_VISIT) or outcome != VisitOutcome.COMPLETED:
        raise DomainError("Screeninger registreres kun ved et gennemført besøg i hjemmet.", field="screenings")
    readings = []
    # Findings are stored with the record, and the record is kept in Danish whatever the UI language.
    with translation.override("da"):
        for code, raw in screenings.items():
            try:
                readings.append(
                    screening_read(code, raw, birth_date=citizen.birth_date, sex=citizen.sex, on=visit_date)
                )
            except ScreeningError as exc:
                raise DomainError(exc.message, field="screenings") from None
    return readings


def follow_up_check(data, *, after=None) -> None:
    """The rules of a follow-up (`data`: kind, unit, description, due_on, consent_given), one
    DomainError naming the field at a time. `after`: the earliest allowed due date."""
    kind, unit = data.get("kind", ""), data.get("unit", "")
    due_on = data.get("due_on")
    if kind not in FollowUpKind.values:
        raise DomainError("Vælg en gyldig opfølgning.", field="kind")
    if kind == FollowUpKind.HANDOVER and unit not in MunicipalUnit.values:
        raise DomainError("Vælg den enhed, borgeren overdrages til.", field="unit")
    if kind != FollowUpKind.HANDOVER and unit:
        raise DomainError("En enhed vælges kun ved overdragelse til en kommunal enhed.", field="unit")
    if kind in (FollowUpKind.CIVIL_SOCIETY, FollowUpKind.OWN_ACTIVITY) and not data.get("description", "").strip():
        raise DomainError("Skriv hvilken aktivitet borgeren henvises til.", field="description")
    if kind in DATED_KINDS:
        if due_on is None:
            raise DomainError("Angiv senest hvornår besøget eller kontakten skal ske.", field="due_on")
        if after is not None and due_on < after:
            raise DomainError("Fristen ligger før besøget.", field="due_on")
    if kind in SHARING_KINDS and not data.get("consent_given"):
        raise DomainError(
            "Borgerens samtykke til at dele oplysninger skal registreres, før der overdrages.", field="consent_given"
        )


def follow_up_create(*, citizen, user: User, data, visit: Visit | None = None, after=None) -> FollowUp:
    """Record one follow-up (agreed at `visit`, or on its own) after checking its rules."""
    follow_up_check(data, after=after)
    kind = data["kind"]
    consent_to = data.get("consent_to", "").strip()
    if data.get("consent_given") and not consent_to:
        with translation.override("da"):  # stored with the record, in Danish
            label = MunicipalUnit(data["unit"]).label if data.get("unit") else FollowUpKind(kind).label
            consent_to = str(label)
    follow_up = FollowUp(
        municipality_id=citizen.municipality_id,
        citizen=citizen,
        visit=visit,
        kind=kind,
        unit=data.get("unit", ""),
        description=data.get("description", "").strip(),
        due_on=data.get("due_on") if kind in DATED_KINDS else None,
        consent_given=bool(data.get("consent_given")),
        consent_to=consent_to if data.get("consent_given") else "",
        assigned_to=data.get("assigned_to") or user,
        created_by=user,
    )
    follow_up._history_user = user
    follow_up.save()
    return follow_up


def _follow_ups_create(visit: Visit, follow_ups: list[dict], *, user: User) -> list[FollowUp]:
    return [
        follow_up_create(citizen=visit.citizen, user=user, data=data, visit=visit, after=visit.visit_date)
        for data in follow_ups
    ]


def _screenings_save(visit: Visit, readings: list[dict], *, user: User) -> None:
    """Replace the visit's screenings. A red reading on a final record registers the citizen as
    `screening_red` (at risk) on the visit's date, once."""
    visit.screenings.all().delete()
    Screening.objects.bulk_create(
        [
            Screening(visit=visit, kind=r["kind"], values=r["values"], level=r["level"], finding=r["finding"][:300])
            for r in readings
        ]
    )
    if visit.is_draft or not any(r["level"] == RED for r in readings):
        return

    group = RiskGroup.objects.filter(municipality=None, code="screening_red").first()
    if group is not None:
        findings = "; ".join(r["finding"] for r in readings if r["level"] == RED)
        RiskEvent.objects.get_or_create(
            citizen_id=visit.citizen_id,
            risk_group=group,
            registered_on=visit.visit_date,
            defaults={"source": RiskSource.SCREENING, "note": findings[:1000], "created_by": user},
        )


def _close_booking_and_follow_up(visit: Visit, *, booking, follow_up, user: User) -> None:
    if visit.is_draft:
        return
    if booking is not None:
        booking.status, booking.visit = BookingStatus.COMPLETED, visit
        booking._history_user = user
        booking.save(update_fields=["status", "visit"])
    if follow_up is not None and follow_up.status == FollowUp.Status.OPEN:
        follow_up.status, follow_up.done_on, follow_up.done_visit = FollowUp.Status.DONE, visit.visit_date, visit
        follow_up._history_user = user
        follow_up.save(update_fields=["status", "done_on", "done_visit", "updated_at"])


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
    screenings: dict[str, dict] | None = None,
    follow_ups: list[dict] | None = None,
    booking=None,
    follow_up: FollowUp | None = None,
) -> Visit:
    """Record a visit or contact with its screenings and agreed follow-ups, all or nothing. A draft
    keeps what was typed and moves nothing; a final record of a completed (or declined) visit moves
    the year's offer, closes the booking or follow-up it came from, and a red screening makes the
    citizen at risk. A phone call is a contact, never a visit: it does not move the offer."""
    themes = list(themes or [])
    _validate(citizen=citizen, kind=kind, outcome=outcome, visit_date=visit_date, themes=themes)
    readings = screenings_read(citizen, kind=kind, outcome=outcome, visit_date=visit_date, screenings=screenings or {})
    if booking is not None and booking.citizen_id != citizen.pk:
        raise DomainError("Bookingen hører til en anden borger.", field="booking")
    if follow_up is not None and follow_up.citizen_id != citizen.pk:
        raise DomainError("Opfølgningen hører til en anden borger.", field="follow_up")
    with transaction.atomic():
        visit = Visit(
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
        visit._history_user = user
        visit.save()
        _screenings_save(visit, readings, user=user)
        _follow_ups_create(visit, follow_ups or [], user=user)
        _close_booking_and_follow_up(visit, booking=booking, follow_up=follow_up, user=user)
        if not is_draft:
            offers_follow_visits([visit], user=user)
    return visit


EDITABLE = ["kind", "outcome", "visit_date", "started_at", "duration_minutes", "themes", "note", "is_draft"]


def visit_update(
    *,
    visit: Visit,
    user: User,
    version: int,
    screenings: dict[str, dict] | None = None,
    follow_ups: list[dict] | None = None,
    booking=None,
    follow_up: FollowUp | None = None,
    **changes,
) -> Visit:
    """Save an edit made from `version`. If a colleague saved in between, nothing is overwritten:
    a DomainError asks to reload (optimistic locking). `screenings` replaces the visit's
    screenings (None leaves them); `follow_ups` are new ones to add; `booking` / `follow_up`: what
    a draft made final fulfils (closed as by `visit_record`)."""
    if booking is not None and booking.citizen_id != visit.citizen_id:
        raise DomainError("Bookingen hører til en anden borger.", field="booking")
    if follow_up is not None and follow_up.citizen_id != visit.citizen_id:
        raise DomainError("Opfølgningen hører til en anden borger.", field="follow_up")
    values = {name: changes.get(name, getattr(visit, name)) for name in EDITABLE}
    values["themes"] = list(values["themes"] or [])
    _validate(
        citizen=visit.citizen,
        kind=values["kind"],
        outcome=values["outcome"],
        visit_date=values["visit_date"],
        themes=values["themes"],
    )
    if screenings is None:
        screenings = {s.kind: s.values for s in visit.screenings.all()}
    readings = screenings_read(
        visit.citizen,
        kind=values["kind"],
        outcome=values["outcome"],
        visit_date=values["visit_date"],
        screenings=screenings,
    )
    with transaction.atomic():
        current = Visit.objects.select_for_update().get(pk=visit.pk)
        if current.version != version:
            raise ConflictError(
                "En kollega har gemt en nyere udgave af besøget, mens du skrev. Dine ændringer er ikke gemt: "
                "genindlæs siden, og skriv dem ind igen."
            )
        for name, value in values.items():
            setattr(current, name, value)
        current.version = version + 1
        current._history_user = user
        current.save()
        visit = current
        _screenings_save(visit, readings, user=user)
        _follow_ups_create(visit, follow_ups or [], user=user)
        # A draft saved as the consultant typed, made final: the booking or follow-up it came from is done.
        _close_booking_and_follow_up(visit, booking=booking, follow_up=follow_up, user=user)
        if not visit.is_draft:
            offers_follow_visits([visit], user=user)
    return visit


def follow_up_close(
    *, follow_up: FollowUp, user: User, status: str = FollowUp.Status.DONE, outcome: str = ""
) -> FollowUp:
    """Close an open follow-up by hand: done or cancelled, with what came of it ("Visiteret til
    træning", "Borgeren ønskede det ikke"). `follow_up_reopen` undoes it for FHB_UNDO_MINUTES."""
    if status not in (FollowUp.Status.DONE, FollowUp.Status.CANCELLED):
        raise DomainError("Vælg udført eller annulleret.", field="status")
    outcome = outcome.strip()
    if not outcome:
        raise DomainError("Skriv hvad der kom ud af opfølgningen.", field="outcome")
    with transaction.atomic():
        current = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if current.status != FollowUp.Status.OPEN:
            raise DomainError("Opfølgningen er allerede afsluttet.")
        current.status, current.outcome = status, outcome[:300]
        current.done_on = timezone.localdate() if status == FollowUp.Status.DONE else None
        current.closed_at, current.closed_by = timezone.now(), user
        current._history_user = user
        current.save(update_fields=["status", "outcome", "done_on", "closed_at", "closed_by", "updated_at"])
    return current


def follow_up_reopen(*, follow_up: FollowUp, user: User) -> FollowUp:
    """Undo closing a follow-up by hand, within FHB_UNDO_MINUTES: it is open again, as it was."""
    with transaction.atomic():
        current = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if current.status == FollowUp.Status.OPEN:
            raise DomainError("Opfølgningen er åben.")
        if current.done_visit_id or current.closed_at is None:
            raise DomainError("Opfølgningen blev afsluttet af et registreret besøg; ret besøget i stedet.")
        if current.closed_at < timezone.now() - dt.timedelta(minutes=settings.FHB["UNDO_MINUTES"]):
            raise DomainError(f"Afslutningen kan kun fortrydes i {settings.FHB['UNDO_MINUTES']} minutter.")
        current.status, current.outcome, current.done_on = FollowUp.Status.OPEN, "", None
        current.closed_at = current.closed_by = None
        current._history_user = user
        current.save(update_fields=["status", "outcome", "done_on", "closed_at", "closed_by", "updated_at"])
    return current
