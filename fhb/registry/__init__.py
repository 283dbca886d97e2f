"""Imports of the registry extract, risk events and the quality standard (interfaces.md §§ 1, 2, 6).

One service per file kind; the management commands, the upload page and its Celery task all call
these. Every import validates the whole file first, then applies the valid rows in one transaction.
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
