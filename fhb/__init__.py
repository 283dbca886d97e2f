"""fhb: case management for preventive home visits (Serviceloven § 79 a)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
