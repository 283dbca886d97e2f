"""`manage.py dst_export --year YEAR --municipality CODE --output DIR` (interfaces.md § 5).

Writes the record-level file, the summary JSON and the approval PDF into DIR and keeps the delivery
as a record (the command's run is a delivery like one from the web page). Exit status 0, 1 when the
data-quality criteria fail (the files are still written), 2 on bad arguments."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fhb.eligibility import EligibilityError, rule_set_for
from fhb.errors import DomainError
from fhb.models import Municipality
from reports.models import Delivery
from reports.services import delivery_create, file_names


class Command(BaseCommand):
    help = "Write the year's statistics delivery to Danmarks Statistik (CSV, summary JSON, approval PDF)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--municipality", metavar="CODE", required=True, help="kommunekode, e.g. 101")
        parser.add_argument("--output", metavar="DIR", required=True, help="folder for the three files")

    def handle(self, *args, **options):
        year = options["year"]
        try:
            rule_set_for(year)
        except EligibilityError as exc:
            raise CommandError(str(exc), returncode=2) from None
        code = options["municipality"].strip()
        municipality = Municipality.objects.filter(code=code.zfill(3) if code.isdigit() else code).first()
        if municipality is None:
            raise CommandError(f"Unknown municipality code {options['municipality']!r}", returncode=2)
        output = Path(options["output"])
        if output.exists() and not output.is_dir():
            raise CommandError(f"--output {output}: not a folder", returncode=2)
        try:
            output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"--output {output}: {exc.strerror}", returncode=2) from None

        try:  # the same service and lock as the web page and the API
            delivery = delivery_create(
                municipality=municipality, year=year, user=None, source=Delivery.Source.COMMAND, output=output
            )
        except DomainError as exc:
            raise CommandError(f"--year {year}: {exc.message}", returncode=2) from None
        summary = delivery.summary
        names = file_names(municipality, year)
        self.stdout.write(
            f"{summary['visits']} visits to {summary['citizens']} citizens; "
            f"{delivery.excluded} records excluded; checksum {delivery.checksum}"
        )
        if delivery.rows_added is not None:
            self.stdout.write(
                f"Since delivery #{delivery.previous_id}: {delivery.rows_added} rows added, "
                f"{delivery.rows_removed} removed"
            )
        for criterion in summary["quality"]["criteria"]:
            self.stdout.write(f"  {'PASS' if criterion['pass'] else 'FAIL'}  {criterion['code']}")
        self.stdout.write(f"Wrote {', '.join(names.values())} to {output}")
        if not summary["quality"]["pass"]:
            self.stderr.write("The data-quality criteria are not met (files written; see the summary).")
            raise SystemExit(1)
