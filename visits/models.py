"""Visits and contacts: preventive home visits, follow-up visits, collective-event attendance and
phone calls (a call is a contact, never a visit: it is not counted in the statistics); and the
scheduling they are planned in: bookings, the consultants' working calendars and absences."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from fhb.law import preventive_visit
from fhb.models import Citizen, District, Municipality, Offer, User

from .screenings import SCREENINGS


class VisitKind(models.TextChoices):
    HOME_VISIT = "home_visit", pgettext_lazy("visit kind", "Forebyggende hjemmebesøg")
    FOLLOW_UP_VISIT = "follow_up_visit", _("Genbesøg")
    COLLECTIVE_EVENT = "collective_event", _("Kollektivt arrangement")
    PHONE_CALL = "phone_call", _("Telefonsamtale")


# Kinds that are visits (and count for DST); a phone call is only a contact (fhb.law.preventive_visit).
VISIT_KINDS = preventive_visit.VISIT_KINDS


class VisitOutcome(models.TextChoices):
    COMPLETED = "completed", _("Gennemført")
    DECLINED = "declined", _("Takket nej")
    NO_SHOW = "no_show", _("Ikke truffet hjemme")
    CANCELLED = "cancelled", _("Aflyst")


class VisitSource(models.TextChoices):
    RECORDED = "recorded", _("Registreret i fhb")
    IMPORTED = "imported", _("Overført fra tidligere system")


class Visit(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="visits")
    citizen = models.ForeignKey(Citizen, on_delete=models.PROTECT, related_name="visits")
    kind = models.CharField(_("type"), max_length=20, choices=VisitKind.choices)
    outcome = models.CharField(_("udfald"), max_length=20, choices=VisitOutcome.choices)
    visit_date = models.DateField(_("dato"))
    consultant = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits")
    consultant_name = models.CharField(_("konsulent (fra tidligere system)"), max_length=200, blank=True)
    note = models.TextField(_("journalnotat"), blank=True)
    started_at = models.TimeField(_("starttidspunkt"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("varighed (minutter)"), null=True, blank=True)
    themes = models.JSONField(_("temaer"), default=list, blank=True)
    is_draft = models.BooleanField(_("kladde"), default=False)
    # Optimistic locking: an edit names the version it started from and fails if it has moved on.
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    source = models.CharField(max_length=20, choices=VisitSource.choices, default=VisitSource.RECORDED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-visit_date", "-id"]
        constraints = [
            # An imported history is keyed by citizen, date and kind, so re-importing changes nothing.
            models.UniqueConstraint(
                fields=["citizen", "visit_date", "kind"],
                condition=models.Q(source="imported"),
                name="visit_unique_imported",
            )
        ]
        indexes = [models.Index(fields=["municipality", "visit_date"], name="visit_muni_date")]
        verbose_name = _("besøg")
        verbose_name_plural = _("besøg")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visit_date:%d-%m-%Y} ({self.get_outcome_display()})"

    @property
    def is_visit(self) -> bool:
        return self.kind in VISIT_KINDS


class Screening(models.Model):
    """A screening done during a visit, with its structured values (see visits.screenings)."""

    class Level(models.TextChoices):
        NORMAL = "normal", _("Normal")
        ATTENTION = "attention", _("Opmærksomhed")
        RED = "red", _("Rød — handling")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="screenings")
    kind = models.CharField(_("screening"), max_length=30)
    values = models.JSONField(_("værdier"), default=dict)
    level = models.CharField(_("vurdering"), max_length=10, choices=Level.choices, default=Level.NORMAL)
    finding = models.CharField(_("fund"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["visit", "kind"], name="screening_unique_kind")]
        verbose_name = _("screening")
        verbose_name_plural = _("screeninger")

    def __str__(self) -> str:
        return f"{self.label}: {self.summary}"

    @property
    def definition(self):
        return SCREENINGS.get(self.kind)

    @property
    def label(self) -> str:
        return str(self.definition.label) if self.definition else self.kind

    @property
    def summary(self) -> str:
        return self.definition.summary(self.values) if self.definition else ""


class FollowUpKind(models.TextChoices):
    CIVIL_SOCIETY = "civil_society", _("Henvisning til civilsamfundsaktivitet")
    HANDOVER = "handover", _("Overdragelse til anden kommunal enhed")
    GP = "gp", _("Kontakt til egen læge")
    NEW_VISIT = "new_visit", _("Nyt besøg (genbesøg)")
    NEW_CONTACT = "new_contact", _("Ny kontakt (telefon)")
    OWN_ACTIVITY = "own_activity", _("Teamets egne aktiviteter")


class MunicipalUnit(models.TextChoices):
    HOME_HELP = "home_help_83", _("Hjemmehjælp (§ 83)")
    REHABILITATION = "rehabilitation_83a", _("Rehabiliteringsforløb (§ 83 a)")
    TRAINING = "training_86", _("Træning (§ 86)")
    ASSISTIVE_DEVICES = "assistive_devices_112", _("Hjælpemidler (§ 112)")
    HOUSING = "housing_116", _("Boligindretning (§ 116)")
    DEMENTIA = "dementia_coordinator", _("Demenskoordinator")


# Follow-ups that pass information about the citizen to someone else: they need consent.
SHARING_KINDS = frozenset({FollowUpKind.HANDOVER, FollowUpKind.GP})
# Follow-ups that are a new visit or contact the consultant must make by a date.
DATED_KINDS = frozenset({FollowUpKind.NEW_VISIT, FollowUpKind.NEW_CONTACT})


class FollowUp(models.Model):
    """What was agreed at a visit: a referral, a hand-over (with the citizen's consent to share), or
    a new visit or contact by a date. Open follow-ups show on the consultant's agenda."""

    class Status(models.TextChoices):
        OPEN = "open", _("Åben")
        DONE = "done", _("Udført")
        CANCELLED = "cancelled", _("Annulleret")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="follow_ups")
    citizen = models.ForeignKey(Citizen, on_delete=models.PROTECT, related_name="follow_ups")
    visit = models.ForeignKey(Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups")
    kind = models.CharField(_("opfølgning"), max_length=20, choices=FollowUpKind.choices)
    unit = models.CharField(_("enhed"), max_length=30, choices=MunicipalUnit.choices, blank=True)
    description = models.CharField(_("beskrivelse"), max_length=300, blank=True)
    due_on = models.DateField(_("senest"), null=True, blank=True)
    consent_given = models.BooleanField(_("samtykke til videregivelse"), default=False)
    consent_to = models.CharField(_("samtykke gælder"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(_("udført"), null=True, blank=True)
    done_visit = models.ForeignKey(Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # What came of it, recorded when it is closed by hand ("Visiteret til træning", "Ønskede ikke").
    outcome = models.CharField(_("udfald"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("afsluttet"), null=True, blank=True)
    closed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    assigned_to = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups", verbose_name=_("ansvarlig")
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["assigned_to", "status", "due_on"], name="followup_agenda")]
        verbose_name = _("opfølgning")
        verbose_name_plural = _("opfølgninger")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if self.kind == FollowUpKind.HANDOVER and self.unit:
            return f"{self.get_kind_display()}: {self.get_unit_display()}"
        return str(self.get_kind_display())

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on is not None and self.due_on < timezone.localdate()


class CollectiveEvent(models.Model):
    """A collective event (kollektivt arrangement, BEK 716/2019 § 1): a senior day, a birthday
    event, a course. Attendance counts as a visit of kind `collective_event`."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="events")
    title = models.CharField(_("titel"), max_length=200)
    theme = models.CharField(_("tema"), max_length=200, blank=True)
    description = models.TextField(_("beskrivelse"), blank=True)
    date = models.DateField(_("dato"))
    starts_at = models.TimeField(_("starttidspunkt"))
    ends_at = models.TimeField(_("sluttidspunkt"), null=True, blank=True)
    venue = models.CharField(_("sted"), max_length=300)
    capacity = models.PositiveIntegerField(_("pladser"))
    speakers = models.TextField(_("oplægsholdere og samarbejdspartnere"), blank=True)
    target_groups = models.JSONField(_("målgrupper"), default=list, blank=True)
    cancelled = models.BooleanField(_("aflyst"), default=False)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "starts_at", "id"]
        indexes = [models.Index(fields=["municipality", "date"], name="event_muni_date")]
        verbose_name = _("kollektivt arrangement")
        verbose_name_plural = _("kollektive arrangementer")

    def __str__(self) -> str:
        return f"{self.title} {self.date:%d-%m-%Y}"


class RegistrationStatus(models.TextChoices):
    INVITED = "invited", _("Inviteret")
    REGISTERED = "registered", _("Tilmeldt")
    DECLINED = "declined", _("Takket nej")
    ATTENDED = "attended", _("Deltog")
    NO_SHOW = "no_show", _("Udeblev")


class EventRegistration(models.Model):
    event = models.ForeignKey(CollectiveEvent, on_delete=models.CASCADE, related_name="registrations")
    citizen = models.ForeignKey(Citizen, on_delete=models.PROTECT, related_name="event_registrations")
    status = models.CharField(
        _("status"), max_length=12, choices=RegistrationStatus.choices, default=RegistrationStatus.INVITED
    )
    invited_at = models.DateTimeField(_("inviteret"), null=True, blank=True)
    responded_at = models.DateTimeField(_("svar"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("tjekket ind"), null=True, blank=True)
    checked_in_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decline_reason = models.CharField(_("begrundelse"), max_length=300, blank=True)
    visit = models.OneToOneField(Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="registration")

    history = HistoricalRecords()

    class Meta:
        ordering = ["citizen__last_name", "citizen__first_name", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "citizen"], name="registration_unique")]
        verbose_name = _("tilmelding")
        verbose_name_plural = _("tilmeldinger")

    def __str__(self) -> str:
        return f"{self.citizen} · {self.event} ({self.get_status_display()})"


# --- Scheduling: bookings, and each consultant's working calendar and absences --------------------


class CancelReason(models.TextChoices):
    """Why a booked visit was cancelled: asked when cancelling, kept with the booking."""

    CITIZEN_CANCELLED = "citizen_cancelled", _("Borgeren har aflyst")
    CITIZEN_ILL = "citizen_ill", _("Borgeren er syg eller indlagt")
    CONSULTANT_ILL = "consultant_ill", _("Konsulenten er syg")
    MOVED = "moved", _("Besøget flyttes til en anden tid")
    DECLINED = "declined", _("Borgeren ønsker ikke besøg")
    OTHER = "other", _("Andet")


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booket")
    COMPLETED = "completed", _("Gennemført")
    CANCELLED = "cancelled", _("Aflyst")


# A booking takes its time in the calendar (and its place in the week's capacity) unless cancelled:
# a completed visit's time is as taken as a booked one's.
OCCUPYING = (BookingStatus.BOOKED, BookingStatus.COMPLETED)


class Booking(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="bookings")
    citizen = models.ForeignKey(Citizen, on_delete=models.PROTECT, related_name="bookings")
    offer = models.ForeignKey(Offer, on_delete=models.SET_NULL, null=True, blank=True, related_name="bookings")
    consultant = models.ForeignKey(User, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("konsulent"))
    kind = models.CharField(_("type"), max_length=20, default="home_visit")
    starts_at = models.DateTimeField(_("tidspunkt"))
    duration_minutes = models.PositiveSmallIntegerField(_("varighed (minutter)"), default=60)
    status = models.CharField(_("status"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    # Practical, not health information: "ring på hos naboen", "tolk".
    note = models.CharField(_("praktisk note"), max_length=300, blank=True)
    visit = models.OneToOneField(Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="booking")
    cancel_reason = models.CharField(_("årsag til aflysning"), max_length=20, choices=CancelReason.choices, blank=True)
    cancelled_at = models.DateTimeField(_("aflyst"), null=True, blank=True)
    cancelled_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["consultant", "starts_at"], name="booking_agenda")]
        verbose_name = _("booking")
        verbose_name_plural = _("bookinger")

    def __str__(self) -> str:
        return f"{self.citizen} {self.starts_at:%d-%m-%Y %H:%M}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)


# --- Capacity: each consultant's working calendar, absences and districts -------------------------


def _weekdays_default() -> list[int]:
    return [0, 1, 2, 3, 4]  # Monday to Friday


def first_visit_default() -> dt.time:
    """09:00. A callable: a fixed time as the default makes Django's check warn (fields.W161)
    whenever it runs within ten seconds of that time of day."""
    return dt.time(9, 0)


class ConsultantCalendar(models.Model):
    """When a consultant can visit: weekdays, the visiting day, one visit's length and the travel
    buffer after it, and the districts they cover (none: the whole municipality)."""

    consultant = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar")
    weekdays = models.JSONField(_("arbejdsdage"), default=_weekdays_default, help_text=_("0 = mandag … 6 = søndag"))
    day_starts = models.TimeField(_("første besøg"), default=first_visit_default)
    day_ends = models.TimeField(_("sidste besøg slut"), default=dt.time(15, 0))
    visit_minutes = models.PositiveSmallIntegerField(_("besøgets længde (minutter)"), default=60)
    travel_minutes = models.PositiveSmallIntegerField(_("transporttid mellem besøg (minutter)"), default=30)
    districts = models.ManyToManyField(District, blank=True, related_name="calendars", verbose_name=_("distrikter"))
    history = HistoricalRecords(m2m_fields=[districts])

    class Meta:
        verbose_name = _("arbejdskalender")
        verbose_name_plural = _("arbejdskalendere")

    def __str__(self) -> str:
        return f"{self.consultant}"

    def slot_starts(self) -> list[dt.time]:
        """The day's visit start times: from the first visit, one visit plus travel apart, while the
        visit ends by the end of the day."""
        starts = []
        minute = self.day_starts.hour * 60 + self.day_starts.minute
        end = self.day_ends.hour * 60 + self.day_ends.minute
        step = max(self.visit_minutes + self.travel_minutes, 5)
        while minute + self.visit_minutes <= end:
            starts.append(dt.time(minute // 60, minute % 60))
            minute += step
        return starts


class Absence(models.Model):
    consultant = models.ForeignKey(User, on_delete=models.CASCADE, related_name="absences")
    starts_on = models.DateField(_("fra"))
    ends_on = models.DateField(_("til og med"))
    reason = models.CharField(_("årsag"), max_length=100, blank=True)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="absence_order")
        ]
        verbose_name = _("fravær")
        verbose_name_plural = _("fravær")

    def __str__(self) -> str:
        return f"{self.consultant} {self.starts_on}–{self.ends_on}"


class ClosingDay(models.Model):
    """A day the municipality's prevention team does not visit, beyond the public holidays (which
    come from the `holidays` library): for example 24 and 31 December or Grundlovsdag. The planner,
    the slot picker and bookings never use it (`workdays.py`)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="closing_days")
    date = models.DateField(_("dato"))
    name = models.CharField(_("betegnelse"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["municipality", "date"], name="closing_day_once")]
        verbose_name = _("lukkedag")
        verbose_name_plural = _("lukkedage")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"
