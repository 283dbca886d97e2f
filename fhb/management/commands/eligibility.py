"""`manage.py eligibility --year YEAR [--as-of DATE] [--municipality CODE] [--format json|csv]
[--quality-standard FILE.json]` (interfaces.md § 4): who is to be offered what in YEAR; with
`--quality-standard`, under a draft standard instead of the adopted one, storing nothing."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from fhb.eligibility import EligibilityError, rule_set_for
from fhb.eligibility.export import eligibility_all, write_csv, write_json
from fhb.eligibility.query import eligibility_rows
from fhb.models import Municipality
from fhb.registry.quality_standard import quality_standard_read
from fhb.registry.tables import ImportFileError, InvalidValue, parse_date


class Command(BaseCommand):
    help = (
        "Print every citizen's target groups for a year (JSON or CSV), sorted by CPR: § 79 a until 2025, "
        "the municipality's own groups (or their continuation) from 2026."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD or DD-MM-YYYY (default: 1 January of YEAR)")
        parser.add_argument("--municipality", metavar="CODE", help="kommunekode (default: every municipality)")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument(
            "--quality-standard",
            dest="quality_standard",
            metavar="FILE.json",
            help="evaluate this draft standard (interfaces.md § 6) instead of the adopted one; nothing is stored",
        )

    def handle(self, *args, **options):
        year = options["year"]
        try:
            rule_set_for(year)
        except EligibilityError as exc:
            raise CommandError(str(exc), returncode=2) from None
        as_of = dt.date(year, 1, 1)
        if options["as_of"]:
            try:
                as_of = parse_date(options["as_of"])
            except InvalidValue as exc:
                raise CommandError(f"--as-of {options['as_of']!r}: {exc}", returncode=2) from None
        municipality = None
        if options["municipality"]:
            code = options["municipality"].strip()
            municipality = Municipality.objects.filter(code=code.zfill(3) if code.isdigit() else code).first()
            if municipality is None:
                raise CommandError(f"Unknown municipality code {options['municipality']!r}", returncode=2)
        if options["quality_standard"]:
            rows = self.draft_rows(options["quality_standard"], year=year, as_of=as_of, municipality=municipality)
        else:
            rows = eligibility_all(year=year, as_of=as_of, municipality=municipality)
        writer = write_json if options["format"] == "json" else write_csv
        writer(rows, _Raw(self.stdout))

    def draft_rows(self, path: str, *, year: int, as_of: dt.date, municipality: Municipality | None):
        """The draft's municipality under the draft's policy. A draft § 6 would refuse is refused
        the same way (exit 2)."""
        try:
            with open(path, "rb") as handle:
                draft = quality_standard_read(data=handle.read())
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}", returncode=2) from None
        except ImportFileError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if draft.year != year:
            raise CommandError(f"The quality standard is for {draft.year}, not {year}.", returncode=2)
        if municipality is not None and municipality.pk != draft.municipality.pk:
            raise CommandError(
                f"The quality standard is for municipality {draft.municipality.code}, not {municipality.code}.",
                returncode=2,
            )
        return eligibility_rows(municipality=draft.municipality, year=year, as_of=as_of, policy=draft.policy())


class _Raw:
    """The command's stdout without OutputWrapper's line endings (the writers place their own)."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")
