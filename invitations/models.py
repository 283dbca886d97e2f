"""Bookings (a citizen's visit at a concrete time with a consultant), the consultants' capacity
(working calendars, absences, districts) and invitation letter batches with their letters."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fhb.models import Citizen, District, InvitationKind, Municipality, Offer, User


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booket")
    COMPLETED = "completed", _("Gennemført")
    CANCELLED = "cancelled", _("Aflyst")


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
    visit = models.OneToOneField(
        "visits.Visit", on_delete=models.SET_NULL, null=True, blank=True, related_name="booking"
    )
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


# --- Letters: templates per municipality and kind, batches and the letters in them ----------------


class LetterTemplate(models.Model):
    """The municipality's text for one letter kind. `body` is a template with the letter's fields
    ({{ fornavn }}, {{ dato }}, ...); the layout (letterhead, address window) is the product's."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="letter_templates")
    kind = models.CharField(_("brevtype"), max_length=20, choices=InvitationKind.choices)
    subject = models.CharField(_("overskrift"), max_length=200)
    body = models.TextField(_("brevtekst"))
    updated_at = models.DateTimeField(_("ændret"), auto_now=True)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "kind"], name="letter_template_unique_kind")]
        verbose_name = _("brevskabelon")
        verbose_name_plural = _("brevskabeloner")

    def __str__(self) -> str:
        return f"{self.municipality} {self.get_kind_display()}"


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("Kladde")
    APPROVED = "approved", _("Godkendt")
    RENDERING = "rendering", _("Dannes")
    READY = "ready", _("Klar til afsendelse")
    SENT = "sent", _("Sendt")
    CANCELLED = "cancelled", _("Annulleret")
    FAILED = "failed", _("Fejlet")


STALLED_AFTER = dt.timedelta(minutes=10)  # a chunk of 50 letters takes seconds


class LetterBatch(models.Model):
    """One round of invitation letters: planned as a draft (who gets which letter, date letters with
    a slot), approved (the slots are booked), rendered (PDFs), sent (the offers are invited)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="letter_batches")
    period_start = models.DateField(_("besøg fra"))
    period_end = models.DateField(_("besøg til og med"))
    groups = models.JSONField(_("målgrupper"), default=list)
    statuses = models.JSONField(_("tilbudsstatus"), default=list)
    letter_kinds = models.JSONField(_("brevtype pr. målgruppe"), default=dict)
    letter_date = models.DateField(_("brevdato"))
    event = models.ForeignKey(
        "visits.CollectiveEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="letter_batches"
    )
    status = models.CharField(_("status"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    plan = models.JSONField(_("plan"), default=dict)  # counts, shortfall, proposal, calendar load
    message = models.TextField(blank=True)
    letters_done = models.PositiveIntegerField(default=0)
    letters_total = models.PositiveIntegerField(default=0)
    progress_at = models.DateTimeField(null=True, blank=True)  # the last chunk stored (a stall shows)
    print_pdf = models.FileField(_("tryk-PDF"), upload_to="letters/", blank=True)
    manifest_json = models.FileField(upload_to="letters/", blank=True)
    manifest_csv = models.FileField(upload_to="letters/", blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("brevrunde")
        verbose_name_plural = _("brevrunder")

    def __str__(self) -> str:
        return f"{self.period_start:%d-%m-%Y}–{self.period_end:%d-%m-%Y} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in (BatchStatus.APPROVED, BatchStatus.RENDERING)

    @property
    def is_stalled(self) -> bool:
        """Rendering, but no letter stored for STALLED_AFTER: the worker was probably lost. The task
        comes back by itself after the broker's visibility timeout; the page offers to resume now."""
        since = self.progress_at or self.approved_at
        return self.status == BatchStatus.RENDERING and since is not None and timezone.now() - since > STALLED_AFTER

    @property
    def stalled_minutes(self) -> int:
        return int(STALLED_AFTER.total_seconds() // 60)

    @property
    def progress_percent(self) -> int:
        return int(100 * self.letters_done / self.letters_total) if self.letters_total else 0


class LetterResponse(models.TextChoices):
    NONE = "", _("Ikke registreret")
    ACCEPTED = "accepted", _("Takket ja")
    MOVED = "moved", _("Flyttet")
    DECLINED = "declined", _("Takket nej")
    NO_ANSWER = "no_answer", _("Intet svar")


class Letter(models.Model):
    batch = models.ForeignKey(LetterBatch, on_delete=models.CASCADE, related_name="letters")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="letters")
    citizen = models.ForeignKey(Citizen, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(_("brevtype"), max_length=20, choices=InvitationKind.choices)
    group = models.CharField(_("målgruppe"), max_length=40)
    consultant = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="letters")
    starts_at = models.DateTimeField(_("besøgstidspunkt"), null=True, blank=True)  # date letters
    booking = models.OneToOneField(Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="letter")
    paper = models.BooleanField(_("papirpost"), default=False)  # exempt from Digital Post
    pdf = models.FileField(upload_to="letters/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    pages = models.PositiveSmallIntegerField(default=0)
    response = models.CharField(_("svar"), max_length=12, choices=LetterResponse.choices, blank=True)
    response_reason = models.CharField(_("begrundelse"), max_length=300, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["batch", "id"]
        constraints = [models.UniqueConstraint(fields=["batch", "offer"], name="letter_once_per_batch")]
        indexes = [models.Index(fields=["batch", "sha256"], name="letter_rendered")]
        verbose_name = _("brev")
        verbose_name_plural = _("breve")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.citizen}"
