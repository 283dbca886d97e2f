"""`manage.py import_risk_events FILE [--strict] [--errors OUT.csv]` (interfaces.md § 2)."""

from fhb.registry import risk_events_import

from ._import import ImportCommand


class Command(ImportCommand):
    help = "Import risk events (the quality standard's at-risk groups) for citizens in the registry."
    service = risk_events_import
