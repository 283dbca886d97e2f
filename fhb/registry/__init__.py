"""Imports of the registry extract, risk events, hospital notifications and the quality standard
(interfaces.md §§ 1, 2, 6).

One service per file kind; the management commands, the upload page and its Celery task all call
these. The row imports (and visits' `visits_import`) are declarations on one framework
(`rowimport.RowImport`: parse -> validate -> apply, errors, --strict, the summary); the quality
standard is one JSON document.
"""

from .citizens import citizens_import
from .quality_standard import quality_standard_import
from .risk_events import risk_events_import
from .tables import ImportFileError, ImportResult, RowError

__all__ = [
    "ImportFileError",
    "ImportResult",
    "RowError",
    "citizens_import",
    "quality_standard_import",
    "risk_events_import",
]
