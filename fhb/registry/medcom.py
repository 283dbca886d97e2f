"""MedCom HospitalNotification ("advis om sygehusophold", FHIR R4 messages) -> `hospital_discharge`
risk events. Retssikkerhedsloven § 12 c allows this use for § 79 a without consent.

A file holds one message Bundle, a JSON array of them, a Bundle of type collection/batch/searchset
whose entries are message Bundles, or NDJSON (one Bundle per line). Per message, the Provenance that
points at this message's MessageHeader says what happened:

- `discharge-inpatient-home` / `discharge-emergency-home`: a risk event on the day the stay ended
  (Encounter.period.end), keyed by the stay (Encounter.episodeOfCare identifier);
- `revise-discharge-…`: the same event moves to the corrected day;
- `cancel-discharge-…`: the event made from that stay is removed (it was sent in error);
- admissions and leave: not relevant here, counted as skipped.

Errors name the message (its number in the file and Bundle.id), the FHIR element and the reason.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..models import RiskEvent, RiskGroup, RiskSource
from .lookup import CitizenLookup
from .rowimport import SKIP, RowImport, rows_of
from .tables import ImportFileError, ImportResult, InvalidValue, RowCheck, decode

CPR_SYSTEM = "urn:oid:1.2.208.176.1.2"
EVENT_CODE = "hospital-notification-message"
DISCHARGE = {"discharge-inpatient-home", "discharge-emergency-home"}
REVISE = {"revise-discharge-inpatient-home", "revise-discharge-emergency-home"}
CANCEL = {"cancel-discharge-inpatient-home", "cancel-discharge-emergency-home"}


class MessageError(ValueError):
    def __init__(self, element: str, reason: str, value: str = ""):
        super().__init__(reason)
        self.element, self.reason, self.value = element, reason, value


def read_messages(data: bytes | str) -> list[dict]:
    """The message Bundles in a file, in order."""
    text = decode(data, kind="JSON").strip()
    if not text:
        raise ImportFileError("Filen er tom.")
    try:
        documents = [json.loads(text)]
    except json.JSONDecodeError:
        documents = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    documents.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ImportFileError(f"Linje {number} er ikke gyldig JSON: {exc.msg}.") from None
    messages: list[dict] = []
    for document in documents:
        items = document if isinstance(document, list) else [document]
        for item in items:
            if not isinstance(item, dict) or item.get("resourceType") != "Bundle":
                raise ImportFileError("Filen indeholder noget, der ikke er en FHIR Bundle.")
            if item.get("type") == "message":
                messages.append(item)
                continue
            entries = item.get("entry") or []
            if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                raise ImportFileError("Bundle.entry skal være en liste af objekter.")
            messages.extend(e.get("resource") or {} for e in entries)
    if not messages:
        raise ImportFileError("Filen indeholder ingen sygehusadviser.")
    return messages


def _resources(bundle: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for entry in bundle.get("entry") or []:
        resource = entry.get("resource") or {}
        found.setdefault(resource.get("resourceType", ""), []).append(resource)
    return found


def _day(value: str | None, element: str) -> dt.date:
    moment = parse_datetime(value or "") if value and "T" in value else None
    if moment is None:
        try:
            return dt.date.fromisoformat((value or "")[:10])
        except ValueError:
            raise MessageError(element, "mangler eller er ikke en dato", value or "") from None
    if timezone.is_naive(moment):
        return moment.date()
    return timezone.localtime(moment).date()


def read_message(bundle: dict) -> dict:
    """What one notification says: {cpr, activity, day, stay, hospital}."""
    if bundle.get("type") != "message":
        raise MessageError("Bundle.type", "skal være 'message'", str(bundle.get("type", "")))
    resources = _resources(bundle)
    headers = resources.get("MessageHeader") or []
    if len(headers) != 1:
        raise MessageError("MessageHeader", "skal findes præcis én gang")
    header = headers[0]
    event = (header.get("eventCoding") or {}).get("code")
    if event != EVENT_CODE:
        raise MessageError("MessageHeader.eventCoding", f"ikke en sygehusadvis (forventede {EVENT_CODE})", event or "")
    patients = resources.get("Patient") or []
    if len(patients) != 1:
        raise MessageError("Patient", "skal findes præcis én gang")
    cpr = next((i.get("value", "") for i in patients[0].get("identifier") or [] if i.get("system") == CPR_SYSTEM), "")
    if not cpr:
        raise MessageError("Patient.identifier", f"mangler CPR-nummer ({CPR_SYSTEM})")
    # The message's own activity: the Provenance whose target is this MessageHeader (the others
    # are the history of earlier messages about the same stay).
    header_id = header.get("id", "")
    own = [
        p
        for p in resources.get("Provenance") or []
        if any(
            str(t.get("reference", "")).rstrip("/").endswith(f"MessageHeader/{header_id}")
            for t in p.get("target") or []
        )
    ]
    if not own:
        raise MessageError("Provenance", "ingen Provenance peger på beskedens MessageHeader")
    own.sort(key=lambda p: p.get("occurredDateTime") or "")
    activity = next((c.get("code", "") for c in (own[-1].get("activity") or {}).get("coding") or []), "")
    if not activity:
        raise MessageError("Provenance.activity", "mangler aktivitetskode")
    encounters = resources.get("Encounter") or []
    encounter = encounters[0] if encounters else {}
    stay = ""
    for episode in encounter.get("episodeOfCare") or []:
        identifier = episode.get("identifier") or {}
        stay = identifier.get("value", "")
        if stay:
            break
    stay = stay or encounter.get("id", "")
    day = None
    if activity in DISCHARGE | REVISE:
        if not stay:
            raise MessageError("Encounter.episodeOfCare", "mangler forløbs-id")
        end = (encounter.get("period") or {}).get("end") or own[-1].get("occurredDateTime")
        day = _day(end, "Encounter.period.end")
    hospital = next((o.get("name", "") for o in resources.get("Organization") or [] if o.get("name")), "")
    return {"cpr": cpr, "activity": activity, "day": day, "stay": stay, "hospital": hospital}


@dataclass
class Messages:
    """The messages of a file as the row-import framework reads rows: (number, Bundle)."""

    rows: list[tuple[int, object]]
    shape_errors: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows)


class HospitalNotificationsImport(RowImport):
    """Discharges become `hospital_discharge` risk events (created, moved on revision, removed on
    cancellation); other activities are skipped and counted as unchanged. Re-importing the same
    file changes nothing. A message's errors name its number in the file, its Bundle.id and the
    FHIR element."""

    analyzes = (RiskEvent, RiskEvent.history.model)

    def read(self, data: bytes | str) -> Messages:
        return Messages(rows_of(read_messages(data)))

    def prepare(self) -> None:
        self.messages: dict[int, dict | MessageError | None] = {}
        for number, bundle in self.table.rows:
            if not isinstance(bundle, dict):
                self.messages[number] = None
                continue
            try:
                self.messages[number] = read_message(bundle)
            except MessageError as exc:
                self.messages[number] = exc
            except (AttributeError, TypeError, ValueError):  # e.g. a list where FHIR has an object
                self.messages[number] = MessageError("Bundle", "følger ikke MedCom HospitalNotification-strukturen")
        self.lookup = CitizenLookup(
            [m["cpr"] for m in self.messages.values() if isinstance(m, dict)],
            municipality=self.municipality,
            fields=("birth_date",),
        )
        self.today = timezone.localdate()
        self.group = RiskGroup.objects.get(municipality=None, code="hospital_discharge")

    def check(self, check: RowCheck, bundle) -> tuple[str, object, dict] | object | None:
        message = self.messages[check.line]
        if message is None:
            check.fail("Bundle", "ikke et FHIR-objekt", value="")
            return None

        def fail(element: str, reason: str, value: str = "") -> None:
            check.fail(f"{element} (Bundle {bundle.get('id', '?')})", reason, value=value)

        if isinstance(message, MessageError):
            fail(message.element, message.reason, message.value)
            return None
        if message["activity"] not in DISCHARGE | REVISE | CANCEL:
            return SKIP  # admissions and leave say nothing about discharge
        try:
            citizen = self.lookup.find(message["cpr"])
        except InvalidValue as exc:
            fail("Patient.identifier", str(exc), "")  # never echo a CPR number
            return None
        day = message["day"]
        if day is not None and day > self.today:
            fail("Encounter.period.end", "udskrivningsdatoen ligger i fremtiden", day.isoformat())
        elif day is not None and day < citizen.birth_date:
            fail("Encounter.period.end", "datoen ligger før borgerens fødselsdato", day.isoformat())
        return message["activity"], citizen, message

    def apply(self, actions: list[tuple[str, object, dict]], result: ImportResult) -> None:
        user, group = self.user, self.group
        for activity, citizen, message in actions:
            ref = f"medcom:{message['stay']}"
            existing = RiskEvent.objects.filter(citizen=citizen, risk_group=group, external_ref=ref).first()
            if activity in CANCEL:
                if existing is None:
                    result.unchanged += 1
                else:
                    existing._history_user = user
                    existing.delete()
                    result.updated += 1
                continue
            note = f"Udskrevet fra {message['hospital']}".strip() if message["hospital"] else "Udskrevet fra sygehus"
            if existing is None:
                # Another source may already have registered the discharge on that day.
                same_day = RiskEvent.objects.filter(
                    citizen=citizen, risk_group=group, registered_on=message["day"]
                ).first()
                if same_day is not None:
                    result.unchanged += 1
                    continue
                event = RiskEvent(
                    citizen=citizen,
                    risk_group=group,
                    registered_on=message["day"],
                    source=RiskSource.HOSPITAL_NOTIFICATION,
                    note=note[:1000],
                    external_ref=ref,
                    created_by=user,
                )
                event._history_user = user
                event.save()
                result.created += 1
            elif existing.registered_on != message["day"]:
                existing._history_user = user
                clash = RiskEvent.objects.filter(citizen=citizen, risk_group=group, registered_on=message["day"])
                if clash.exclude(pk=existing.pk).exists():
                    existing.delete()  # the corrected day is already registered (by another source)
                else:
                    existing.registered_on = message["day"]
                    existing.save(update_fields=["registered_on"])
                result.updated += 1
            else:
                result.unchanged += 1
        if result.created or result.updated:
            result.municipalities = {citizen.municipality_id for _, citizen, _ in actions}


# Apply a file of hospital notifications (see the module's description).
hospital_notifications_import = HospitalNotificationsImport.as_service()
