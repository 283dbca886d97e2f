"""`manage.py seed_demo`: the synthetic demo municipality used by `make demo`."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from fhb.demo import DEMO_PASSWORD, STAFF, demo_seed


class Command(BaseCommand):
    help = "Create a synthetic demo municipality with staff and ~20,000 citizens (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--citizens", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=79)

    def handle(self, *args, **options):
        made = demo_seed(today=timezone.localdate(), citizens=options["citizens"], seed=options["seed"])
        self.stdout.write(f"Demo municipality: {made['municipality']}")
        if made["citizens"] is None:
            self.stdout.write("Citizens: already there (the demo population is generated once)")
        else:
            self.stdout.write(f"Citizens: {made['citizens'].summary}")
            self.stdout.write(f"Risk events: {made['risk_events'].summary}")
        for line in made["offers"]:
            self.stdout.write(f"Target groups: {line}")
        if made["visits"] is not None:
            self.stdout.write(f"Visits (last four weeks): {made['visits'].summary}")
        agenda = made["agenda"]
        self.stdout.write(
            f"Agenda: {agenda['bookings']} bookings this week, {agenda['follow_ups']} follow-ups, "
            f"{agenda['events']} collective events ({agenda['invited']} invited)"
        )
        if made.get("target_group_draft"):
            year = made["target_group_draft"]
            self.stdout.write(f"Target groups {year}: a draft of the municipality's own, to try at /maalgrupper/proev/")
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for username, first, last, role, _title in STAFF:
            self.stdout.write(f"  {username:<12} {first} {last} ({role.label})")
