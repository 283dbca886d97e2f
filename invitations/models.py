"""Invitation letters: the municipality's letter texts, letter batches and the letters in them.
Bookings and the consultants' calendars are scheduling (`visits.models`); a letter points at the
booking its date letter proposes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fhb.models import Citizen, InvitationKind, LongJobFields, Municipality, Offer, User
from visits.models import Booking

# --- Letters: templates per municipality and kind, batches and the letters in them ----------------


class LetterTemplate(models.Model):
    """The municipality's text for one letter kind, for every target group (`group` empty) or for
    one of them (its code: the at-risk letter need not say "alle på din alder"). `body` is a
    template with the letter's fields ({{ fornavn }}, {{ dato }}, ...); the layout (letterhead,
    address window) is the product's."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="letter_templates")
    kind = models.CharField(_("brevtype"), max_length=20, choices=InvitationKind.choices)
    group = models.CharField(_("målgruppe"), max_length=40, blank=True, default="", db_default="")
    subject = models.CharField(_("overskrift"), max_length=200)
    body = models.TextField(_("brevtekst"))
    updated_at = models.DateTimeField(_("ændret"), auto_now=True)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "kind", "group"], name="letter_template_unique_kind_group")
        ]
        verbose_name = _("brevskabelon")
        verbose_name_plural = _("brevskabeloner")

    def __str__(self) -> str:
        return f"{self.municipality} {self.get_kind_display()}{f' ({self.group})' if self.group else ''}"


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("Kladde")
    APPROVED = "approved", _("Godkendt")
    RENDERING = "rendering", _("Dannes")
    READY = "ready", _("Klar til afsendelse")
    SENT = "sent", _("Sendt")
    CANCELLED = "cancelled", _("Annulleret")
    FAILED = "failed", _("Fejlet")


class Selection(models.TextChoices):
    """Which of the year's group a batch invites."""

    ALL = "all", _("Hele årets gruppe")
    BIRTH_MONTH = "birth_month", _("Fødselsmåned: borgere med fødselsdag i perioden (og tidligere, ikke inviteret)")
    EVEN = "even", _("Jævn fordeling: gruppens resterende borgere fordelt ligeligt over årets resterende måneder")


class LetterBatch(LongJobFields):
    """One round of invitation letters: planned as a draft (who gets which letter, date letters with
    a slot), approved (the slots are booked), rendered (PDFs), sent (the offers are invited)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="letter_batches")
    period_start = models.DateField(_("besøg fra"))
    period_end = models.DateField(_("besøg til og med"))
    groups = models.JSONField(_("målgrupper"), default=list)
    statuses = models.JSONField(_("tilbudsstatus"), default=list)
    letter_kinds = models.JSONField(_("brevtype pr. målgruppe"), default=dict)
    letter_date = models.DateField(_("brevdato"))
    selection = models.CharField(_("udvælgelse"), max_length=12, choices=Selection.choices, default=Selection.ALL)
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
    def stalled_minutes(self) -> int:
        """After how long without a stored letter the batch counts as stalled (its lease, fhb.jobs)."""
        return settings.FHB["BATCH_LEASE_SECONDS"] // 60

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
    reason = models.CharField(_("hvorfor i brevrunden"), max_length=200, blank=True)
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


class TargetGroupDraft(models.Model):
    """A year's quality standard being worked on (Ældreloven § 4: the municipality's own target
    groups, tried before they are adopted): saved as the team leader goes, not in force. Adopting
    it makes it the year's QualityStandard and removes the draft."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="target_group_drafts")
    year = models.PositiveSmallIntegerField(_("år"))
    document = models.JSONField(_("udkast"))
    updated_at = models.DateTimeField(_("gemt"), auto_now=True)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "year"], name="target_group_draft_unique_year")]
        verbose_name = _("udkast til målgrupper")
        verbose_name_plural = _("udkast til målgrupper")

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}"


class CallOutcome(models.TextChoices):
    NO_ANSWER = "no_answer", _("Intet svar — prøv igen")
    CALL_AGAIN = "call_again", _("Aftalt at ringe igen")
    BOOKED = "booked", _("Besøg booket")
    DECLINED = "declined", _("Takket nej")
    GAVE_UP = "gave_up", _("Ikke truffet — opgivet")


class CallAttempt(models.Model):
    """A phone call to a citizen on the call list: a contact, never a visit (it counts in no
    statistic). 'No answer' and 'call again' keep the citizen on the list, further down, from the
    next attempt's day; booked, declined and given up take them off (the letter's answer)."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="calls")
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="call_attempts")
    outcome = models.CharField(_("udfald"), max_length=12, choices=CallOutcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    next_attempt = models.DateField(_("ring igen"), null=True, blank=True)
    called_at = models.DateTimeField(_("ringet"), default=timezone.now)
    called_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-called_at", "-id"]
        indexes = [models.Index(fields=["letter", "-called_at"], name="call_latest")]
        verbose_name = _("opkald")
        verbose_name_plural = _("opkald")

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} {self.called_at:%Y-%m-%d}"
