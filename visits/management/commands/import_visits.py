"""`manage.py import_visits FILE [--strict] [--errors OUT.csv]` (interfaces.md § 3)."""

from fhb.management.commands._import import ImportCommand
from visits.history import visits_import


class Command(ImportCommand):
    help = "Import visits and contacts from a previous system."
    service = visits_import
