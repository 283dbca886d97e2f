"""`manage.py eligibility --year YEAR [--as-of DATE] [--municipality CODE] [--format json|csv]`
(interfaces.md § 4): who must be offered what in YEAR."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from fhb.eligibility import EligibilityError, rule_set_for
from fhb.eligibility.export import eligibility_all, write_csv, write_json
from fhb.models import Municipality
from fhb.registry.tables import InvalidValue, parse_date


class Command(BaseCommand):
    help = "Print the § 79 a target groups of every citizen for a year (JSON or CSV), sorted by CPR."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD or DD-MM-YYYY (default: 1 January of YEAR)")
        parser.add_argument("--municipality", metavar="CODE", help="kommunekode (default: every municipality)")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

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
        rows = eligibility_all(year=year, as_of=as_of, municipality=municipality)
        writer = write_json if options["format"] == "json" else write_csv
        writer(rows, _Raw(self.stdout))


class _Raw:
    """The command's stdout without OutputWrapper's line endings (the writers place their own)."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")
