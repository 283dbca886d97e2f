"""`manage.py import_citizens FILE [--strict] [--errors OUT.csv]` (interfaces.md § 1)."""

from fhb.registry import citizens_import

from ._import import ImportCommand


class Command(ImportCommand):
    help = "Import the registry extract: an upsert of citizens keyed by CPR."
    service = citizens_import
