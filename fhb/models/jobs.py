"""The fields every long job shares (fhb.jobs): an import, a DST delivery, a letter batch."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .organisation import User


class LongJobFields(models.Model):
    """How many times the job was started (a worker lost starts it again, up to a limit), and who
    started it again by hand and when. The worker's last sign of life is the job's own field
    (`heartbeat_at`, or a letter batch's `progress_at`), named in its `fhb.jobs.LongJob`."""

    attempts = models.PositiveSmallIntegerField(default=0)
    restarted_at = models.DateTimeField(_("genstartet"), null=True, blank=True)
    restarted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        abstract = True

    @property
    def is_stalled(self) -> bool:
        """Running, but its worker has not been heard from within the lease (fhb.jobs)."""
        from fhb.jobs import is_stalled  # not at the top: fhb.jobs reads the models' apps' hooks

        return is_stalled(self)
