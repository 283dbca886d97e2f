"""Bookings: a citizen's visit at a concrete time with a consultant. Made by hand from the citizen
page now; the letter-batch planner makes them for date letters."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fhb.models import Citizen, Municipality, Offer, User


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
