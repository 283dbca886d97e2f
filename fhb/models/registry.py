"""The citizen registry and the organisation around it: municipalities, teams, users with roles,
citizens, risk groups and risk events, the annual quality standard, and the access log.

CPR numbers are stored on Citizen only; history tables exclude them (GDPR art. 9: a change
history must not become a second copy of the register).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import cpr as cprlib
from ..law.serviceloven_79a import Exemption


class Municipality(models.Model):
    """A Danish municipality (kommune), identified by its 3-digit kommunekode."""

    code = models.CharField(_("kommunekode"), max_length=3, unique=True)
    name = models.CharField(_("navn"), max_length=100)
    cvr = models.CharField(
        _("CVR-nummer"), max_length=8, blank=True, help_text=_("Bruges til at genkende kommunen ved single sign-on")
    )
    address = models.TextField(_("adresse til brevhoved"), blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    # Target groups in the order they keep date letters when capacity runs short (first: moved to
    # open letters last). Empty: at-risk, 82+, 80, 70 living alone, 75.
    date_letter_priority = models.JSONField(_("prioritet for datobreve"), default=list, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class District(models.Model):
    """A part of a municipality, defined by postal codes; teams and calendars are planned by it."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="districts")
    name = models.CharField(_("navn"), max_length=100)
    postal_codes = models.JSONField(_("postnumre"), default=list, help_text=_("Liste af 4-cifrede postnumre"))

    class Meta:
        ordering = ["municipality", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="district_unique_name")]
        verbose_name = _("distrikt")
        verbose_name_plural = _("distrikter")

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("navn"), max_length=100)
    district = models.ForeignKey(District, on_delete=models.SET_NULL, null=True, blank=True, related_name="teams")

    class Meta:
        ordering = ["municipality", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="team_unique_name")]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CONSULTANT = "consultant", _("Forebyggelseskonsulent")
    TEAM_LEADER = "team_leader", _("Teamleder")
    MUNICIPALITY_ADMIN = "municipality_admin", _("Kommuneadministrator")


class User(AbstractUser):
    """A member of staff. Every user belongs to one municipality; data access never leaves it."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("kommune")
    )
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members")
    role = models.CharField(_("rolle"), max_length=30, choices=Role.choices, blank=True)
    phone = models.CharField(_("direkte telefon"), max_length=30, blank=True)
    title = models.CharField(_("stilling"), max_length=100, blank=True)
    # Home visits a consultant can take a week (the dashboard's capacity line); empty: the default.
    weekly_visit_capacity = models.PositiveSmallIntegerField(_("besøg pr. uge"), null=True, blank=True)

    class Meta:
        verbose_name = _("medarbejder")
        verbose_name_plural = _("medarbejdere")

    @property
    def is_municipality_staff(self) -> bool:
        return self.is_active and self.municipality_id is not None and bool(self.role)

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class CivilStatus(models.TextChoices):
    UNMARRIED = "U", _("Ugift")
    MARRIED = "G", _("Gift")
    PARTNERSHIP = "P", _("Registreret partnerskab")
    DIVORCED = "F", _("Fraskilt")
    WIDOWED = "E", _("Enke/enkemand")
    DEAD = "D", _("Død")


class Sex(models.TextChoices):
    MALE = "M", _("Mand")
    FEMALE = "F", _("Kvinde")


class CitizenQuerySet(models.QuerySet):
    def alive_and_resident_on(self, day: dt.date) -> CitizenQuerySet:
        """Neither dead nor moved out on or before `day`."""
        return self.filter(Q(deceased_on__isnull=True) | Q(deceased_on__gt=day)).filter(
            Q(moved_out_on__isnull=True) | Q(moved_out_on__gt=day)
        )


class Citizen(models.Model):
    """A citizen from the municipality's registry extract (keyed by municipality and CPR)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="citizens")
    cpr = models.CharField(_("CPR-nummer"), max_length=10)
    birth_date = models.DateField(_("fødselsdato"))
    sex = models.CharField(_("køn"), max_length=1, choices=Sex.choices)
    first_name = models.CharField(_("fornavn"), max_length=100)
    last_name = models.CharField(_("efternavn"), max_length=100)
    address = models.CharField(_("adresse"), max_length=200)
    postal_code = models.CharField(_("postnummer"), max_length=4)
    city = models.CharField(_("by"), max_length=100)
    household_size = models.PositiveSmallIntegerField(_("personer på adressen"))
    civil_status = models.CharField(_("civilstand"), max_length=1, choices=CivilStatus.choices, blank=True)
    civil_status_date = models.DateField(_("civilstand siden"), null=True, blank=True)
    personal_care = models.BooleanField(_("personlig pleje (§ 83)"), default=False)
    practical_help = models.BooleanField(_("praktisk hjælp (§ 83)"), default=False)
    deceased_on = models.DateField(_("død"), null=True, blank=True)
    moved_out_on = models.DateField(_("fraflyttet"), null=True, blank=True)
    digital_post_exempt = models.BooleanField(_("fritaget for Digital Post"), default=False)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["cpr"], cascade_delete_history=False)
    objects = CitizenQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [models.UniqueConstraint(fields=["municipality", "cpr"], name="citizen_unique_cpr")]
        indexes = [
            models.Index(fields=["municipality", "birth_date"], name="citizen_muni_birth"),
            models.Index(fields=["municipality", "postal_code"], name="citizen_muni_postal"),
            models.Index(fields=["municipality", "last_name", "first_name"], name="citizen_muni_name"),
        ]
        verbose_name = _("borger")
        verbose_name_plural = _("borgere")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.cpr_masked})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def cpr_masked(self) -> str:
        return cprlib.mask(self.cpr)

    @property
    def cpr_formatted(self) -> str:
        return f"{self.cpr[:6]}-{self.cpr[6:]}"

    @property
    def lives_alone(self) -> bool:
        return self.household_size == 1

    def age_on(self, day: dt.date) -> int:
        """Completed years on `day` (a 29 February birthday counts on 1 March in other years)."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    @property
    def age_today(self) -> int:
        return self.age_on(timezone.localdate())


class RiskSource(models.TextChoices):
    REGISTRY = "registry", _("Registerudtræk")
    CONCERN_REFERRAL = "concern_referral", _("Bekymringshenvendelse")
    SELF_REFERRAL = "self_referral", _("Selvhenvendelse")
    SCREENING = "screening", _("Screening")
    OTHER = "other", _("Andet")
    # Not a value of the CSV import (interfaces.md § 2): set by the MedCom hospital-notification import.
    HOSPITAL_NOTIFICATION = "hospital_notification", _("Sygehusadvis (MedCom)")


class RiskGroupQuerySet(models.QuerySet):
    def for_municipality(self, municipality: Municipality) -> RiskGroupQuerySet:
        """Built-in groups plus the municipality's own."""
        return self.filter(Q(municipality__isnull=True) | Q(municipality=municipality))


class RiskGroup(models.Model):
    """A situation putting a citizen at special risk (§ 79 a stk. 4). Built-in groups have no
    municipality; a municipality defines its own through its quality standard."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="risk_groups"
    )
    code = models.SlugField(_("kode"), max_length=50)
    label = models.CharField(_("betegnelse"), max_length=200)
    is_active = models.BooleanField(_("aktiv"), default=True)

    objects = RiskGroupQuerySet.as_manager()

    class Meta:
        ordering = ["municipality_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(municipality__isnull=True), name="riskgroup_unique_builtin"
            ),
            models.UniqueConstraint(fields=["municipality", "code"], name="riskgroup_unique_local"),
        ]
        verbose_name = _("risikogruppe")
        verbose_name_plural = _("risikogrupper")

    def __str__(self) -> str:
        return self.label

    @property
    def is_builtin(self) -> bool:
        return self.municipality_id is None


class RiskEvent(models.Model):
    """The citizen entered a risk situation on `registered_on`."""

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="risk_events")
    risk_group = models.ForeignKey(RiskGroup, on_delete=models.PROTECT, related_name="events")
    registered_on = models.DateField(_("registreret"))
    source = models.CharField(_("kilde"), max_length=30, choices=RiskSource.choices, default=RiskSource.OTHER)
    note = models.TextField(_("note"), blank=True)
    # Who raised a concern (intake): "datter", "hjemmeplejen", "egen læge".
    referrer = models.CharField(_("henvendelse fra"), max_length=200, blank=True)
    # The sender's own key, so a corrected or cancelled message finds its event (MedCom: the
    # hospital stay's episode-of-care identifier).
    external_ref = models.CharField(max_length=200, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-registered_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["citizen", "risk_group", "registered_on"], name="riskevent_unique")
        ]
        indexes = [models.Index(fields=["registered_on"], name="riskevent_registered_on")]
        verbose_name = _("risikohændelse")
        verbose_name_plural = _("risikohændelser")

    def __str__(self) -> str:
        return f"{self.risk_group} {self.registered_on:%d-%m-%Y}"


class InvitationKind(models.TextChoices):
    DATE_LETTER = "date_letter", _("Datobrev")
    OPEN_LETTER = "open_letter", _("Åbent brev")
    COLLECTIVE_EVENT = "collective_event", _("Kollektivt arrangement")


class QualityStandard(models.Model):
    """The municipality's annual quality standard (kvalitetsstandard, BEK 716/2019 § 4) as data:
    the local parts of § 79 a that eligibility and invitations read."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="quality_standards")
    year = models.PositiveSmallIntegerField(_("år"))
    exemption = models.CharField(
        _("fritagelse"), max_length=40, choices=Exemption.choices, blank=True, default=Exemption.NONE
    )
    exemption_legal_basis = models.TextField(
        _("hjemmel for fritagelsen"), blank=True, help_text=_("Fx SEL § 79 a, stk. 6, eller en velfærdsaftale")
    )
    risk_window_months = models.PositiveSmallIntegerField(_("risikovindue (måneder)"), default=12)
    risk_groups = models.ManyToManyField(RiskGroup, related_name="quality_standards", verbose_name=_("risikogrupper"))
    invitations = models.JSONField(_("invitationsform pr. målgruppe"), default=dict)
    document = models.JSONField(_("indlæst dokument"), default=dict)
    adopted_at = models.DateTimeField(_("indlæst"), auto_now=True)
    adopted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    history = HistoricalRecords(m2m_fields=[risk_groups])

    class Meta:
        ordering = ["municipality", "-year"]
        constraints = [models.UniqueConstraint(fields=["municipality", "year"], name="qualitystandard_unique_year")]
        verbose_name = _("kvalitetsstandard")
        verbose_name_plural = _("kvalitetsstandarder")

    def __str__(self) -> str:
        return f"{self.municipality.name} {self.year}"


ACCESS_ENDPOINT_LABELS = {
    "citizen-detail": _("Borgerside"),
    "citizen-list": _("Borgerlisten (søgning på CPR-nummer)"),
    "citizen-accesses": _("Opslagslog"),
    "access-control": _("Kontrol af opslagslog"),
    "api:citizen-detail": _("API: borger"),
    "api:citizen-lookup": _("API: opslag på CPR-nummer"),
    "api:citizen-eligibility": _("API: målgrupper"),
    "due-list-export": _("Eksport af målgruppeliste"),
    "visit-edit": _("Besøg"),
    "api:visit-update": _("API: besøg"),
    "visit-create": _("Registrering af besøg"),
    "booking-create": _("Booking af besøg"),
    "citizen-referral": _("Henvendelse"),
    "agenda": _("Dagsplan (bookede besøg)"),
    "event-detail": _("Deltagerliste til arrangement"),
    "event-checkin": _("Indtjekning til arrangement"),
}


class Lookup(models.Model):
    """One request that showed citizens' personal data: who, when, on which page or endpoint and
    what was seen. The citizens it showed are its rows (`CitizenAccess`): a list of 200 names is
    one look-up of 200 citizens. Append-only: never updated or deleted by the application."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="lookups")
    accessed_at = models.DateTimeField(_("tidspunkt"), auto_now_add=True, db_index=True)
    endpoint = models.CharField(_("side/endpoint"), max_length=200)
    purpose = models.CharField(_("formål"), max_length=200)
    citizen_count = models.PositiveIntegerField(_("borgere"), default=0)
    citizens = models.ManyToManyField("Citizen", through="CitizenAccess", related_name="lookups")

    class Meta:
        ordering = ["-accessed_at", "-id"]
        verbose_name = _("opslag")
        verbose_name_plural = _("opslagslog")

    def __str__(self) -> str:
        return f"{self.user} {self.accessed_at:%Y-%m-%d %H:%M} {self.endpoint}"

    @property
    def endpoint_label(self) -> str:
        return str(ACCESS_ENDPOINT_LABELS.get(self.endpoint, self.endpoint))


class CitizenAccess(models.Model):
    """That a look-up showed this citizen (GDPR art. 15: the citizen may ask who looked, when and
    why). Read through the look-up: its user, time, endpoint and purpose."""

    lookup = models.ForeignKey(Lookup, on_delete=models.CASCADE, related_name="rows")
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="accesses")

    class Meta:
        # Look-ups are numbered in time order: a citizen's newest first without reading the time.
        ordering = ["-lookup_id"]
        indexes = [models.Index(fields=["citizen", "-lookup"], name="access_citizen_lookup")]
        constraints = [models.UniqueConstraint(fields=["lookup", "citizen"], name="access_once_per_lookup")]
        verbose_name = _("opslag af borger")
        verbose_name_plural = _("opslag af borgere")

    def __str__(self) -> str:
        return f"{self.lookup} {self.citizen_id}"

    @property
    def user(self):
        return self.lookup.user

    @property
    def accessed_at(self):
        return self.lookup.accessed_at

    @property
    def endpoint(self) -> str:
        return self.lookup.endpoint

    @property
    def purpose(self) -> str:
        return self.lookup.purpose

    @property
    def endpoint_label(self) -> str:
        return self.lookup.endpoint_label


class ImportKind(models.TextChoices):
    CITIZENS = "citizens", _("Borgere (registerudtræk)")
    RISK_EVENTS = "risk_events", _("Risikohændelser")
    QUALITY_STANDARD = "quality_standard", _("Kvalitetsstandard (JSON)")
    VISITS = "visits", _("Besøg fra tidligere system")
    HOSPITAL_NOTIFICATIONS = "hospital_notifications", _("Sygehusadvis (MedCom FHIR)")


class ImportJob(models.Model):
    """An upload through the web page, run by a Celery task. The uploaded file is deleted as soon
    as the import has run; the result and the row errors stay for the error report."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("I kø")
        RUNNING = "running", _("Kører")
        DONE = "done", _("Færdig")
        FAILED = "failed", _("Fejlet")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="import_jobs")
    kind = models.CharField(_("type"), max_length=30, choices=ImportKind.choices)
    filename = models.CharField(_("filnavn"), max_length=255)
    # The uploaded file, on the server's private storage (never served) under a random name; deleted
    # as soon as the import has run. Streamed to disk, never held in memory whole.
    upload = models.FileField(upload_to="imports/", null=True, blank=True, editable=False, max_length=200)
    strict = models.BooleanField(_("streng (alt eller intet)"), default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    applied = models.BooleanField(default=False)
    message = models.TextField(blank=True)
    errors = models.JSONField(default=list)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("import")
        verbose_name_plural = _("importer")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
