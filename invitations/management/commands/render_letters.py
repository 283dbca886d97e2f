"""Render (or resume rendering) an approved letter batch in this process, chunk by chunk, with
progress: `manage.py render_letters BATCH_ID`. Letters already rendered are skipped."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from invitations import batches
from invitations.models import BatchStatus, LetterBatch


class Command(BaseCommand):
    help = "Render an approved letter batch (resumes where it stopped)."

    def add_arguments(self, parser):
        parser.add_argument("batch", type=int)

    def handle(self, *args, **options):
        batch = LetterBatch.objects.filter(pk=options["batch"]).first()
        if batch is None:
            raise CommandError("Ukendt brevrunde.", returncode=2)
        if batch.status not in (BatchStatus.APPROVED, BatchStatus.RENDERING, BatchStatus.FAILED):
            raise CommandError(f"Brevrunden er {batch.get_status_display().lower()}.", returncode=2)
        # The same service as approval and the page's "resume": here, chunk by chunk in this process.
        batch = batches.batch_render(
            batch.pk, inline=True, progress=lambda done, total: self.stdout.write(f"{done}/{total}")
        )
        self.stdout.write(f"batch {batch.pk}: {batch.get_status_display()}")
