"""Shared behaviour of the CSV import commands (interfaces.md §§ 1-3): row errors to stderr and
optionally a CSV, the summary as the last line on stdout, exit status 0 / 1 / 2."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fhb.models import Municipality
from fhb.registry import ImportFileError
from fhb.registry.tables import write_error_report
from fhb.tasks import offers_sync_soon


class ImportCommand(BaseCommand):
    service = None  # the import service: f(*, data, strict, municipality, user) -> ImportResult
    streams = True  # the service reads the open file a row at a time (else it is given the bytes)

    def add_arguments(self, parser):
        parser.add_argument("file", help="UTF-8 CSV file, ; or , separated, with a header row")
        parser.add_argument("--strict", action="store_true", help="apply nothing if any row is invalid")
        parser.add_argument("--errors", metavar="OUT.csv", help="also write the rejected rows' errors to this CSV")
        parser.add_argument("--municipality", metavar="CODE", help="only this municipality's citizens (kommunekode)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            handle = path.open("rb")
            data = handle if self.streams else handle.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}", returncode=2) from None
        with handle:
            return self.run(path, data, options)

    def run(self, path, data, options):
        municipality = None
        if options["municipality"]:
            municipality = Municipality.objects.filter(code=options["municipality"].zfill(3)).first()
            if municipality is None:
                raise CommandError(f"Unknown municipality code {options['municipality']!r}", returncode=2)
        try:
            result = type(self).service(data=data, strict=options["strict"], municipality=municipality)
        except ImportFileError as exc:
            raise CommandError(f"{path}: {exc}", returncode=2) from None
        for error in result.errors:
            self.stderr.write(f"row {error.row}, column {error.column}, value {error.value!r}: {error.reason}")
        if options["errors"]:
            with open(options["errors"], "w", encoding="utf-8", newline="") as out:
                write_error_report(result.errors, out)
        if not result.applied:
            self.stderr.write("--strict: nothing was applied because some rows are invalid")
        elif result.created or result.updated:
            offers_sync_soon(result.municipalities)  # as after an upload: this year's and next year's offers
        self.stdout.write(result.summary)
        if result.exit_code:
            sys.stdout.flush()
            sys.exit(result.exit_code)
