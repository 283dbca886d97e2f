"""`manage.py import_quality_standard FILE.json` (interfaces.md § 6)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fhb.registry import ImportFileError, quality_standard_import
from fhb.tasks import offers_sync_soon


class Command(BaseCommand):
    help = "Create or replace a municipality's quality standard for a year from a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the quality standard as JSON")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}", returncode=2) from None
        try:
            result = quality_standard_import(data=data)
        except ImportFileError as exc:
            raise CommandError(f"{path}: {exc}", returncode=2) from None
        offers_sync_soon({result.standard.municipality_id})  # as after an upload
        self.stdout.write(result.summary)
