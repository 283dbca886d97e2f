"""`manage.py sync_offers --year YEAR [--as-of DATE] [--municipality CODE]`: compute the year's
target groups and bring the offers (the due lists) in line. Runs nightly from Celery beat too."""

from django.core.management.base import BaseCommand, CommandError

from fhb.eligibility import EligibilityError, rule_set_for
from fhb.models import Citizen, Municipality
from fhb.offers import offers_sync
from fhb.registry.tables import InvalidValue, parse_date


class Command(BaseCommand):
    help = "Recompute a year's target groups into offers, per municipality."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--as-of", dest="as_of", help="default: today within the year")
        parser.add_argument("--municipality", metavar="CODE", help="default: every municipality with citizens")

    def handle(self, *args, **options):
        try:
            rule_set_for(options["year"])
            as_of = parse_date(options["as_of"]) if options["as_of"] else None
        except (EligibilityError, InvalidValue) as exc:
            raise CommandError(str(exc), returncode=2) from None
        municipalities = Municipality.objects.filter(pk__in=Citizen.objects.values("municipality_id"))
        if options["municipality"]:
            municipalities = municipalities.filter(code=options["municipality"].zfill(3))
            if not municipalities:
                raise CommandError(f"No citizens in municipality {options['municipality']!r}", returncode=2)
        for municipality in municipalities:
            result = offers_sync(municipality=municipality, year=options["year"], as_of=as_of)
            self.stdout.write(f"{municipality.code} {options['year']}: {result.summary} ({result.run.seconds:.1f} s)")
