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
        LetterBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RENDERING, message="")
        pending = list(batch.letters.filter(sha256="").order_by("id").values_list("id", flat=True))
        for start in range(0, len(pending), batches.CHUNK):
            batches.render_chunk(batch.pk, pending[start : start + batches.CHUNK])
            self.stdout.write(f"{min(start + batches.CHUNK, len(pending))}/{len(pending)}")
        batch = batches.batch_finish(batch.pk)
        self.stdout.write(f"batch {batch.pk}: {batch.get_status_display()}")
