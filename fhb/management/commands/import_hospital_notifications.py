"""`manage.py import_hospital_notifications FILE [--strict] [--errors OUT.csv] [--municipality CODE]`:
MedCom hospital notifications (FHIR JSON) -> `hospital_discharge` risk events."""

from fhb.registry.medcom import hospital_notifications_import

from ._import import ImportCommand


class Command(ImportCommand):
    help = (
        "Import MedCom hospital notifications (advis om sygehusophold, FHIR JSON: a message Bundle, an array, "
        "a collection Bundle or NDJSON). Discharges become hospital_discharge risk events."
    )
    service = hospital_notifications_import
    streams = False  # a FHIR Bundle is one JSON document

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser._actions[[a.dest for a in parser._actions].index("file")].help = "FHIR JSON or NDJSON file"
