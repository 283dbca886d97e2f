"""The logging configuration every fhb process uses — Django (fhb.settings), the Celery worker
(which keeps it) and gunicorn (gunicorn.conf.py): one console handler behind the CPR-masking
filter, so no CPR number reaches a log line whoever logs it. Plain Python, no Django: gunicorn's
master reads it before Django is set up."""

from __future__ import annotations


def logging_config(*, level: str = "INFO", loggers: dict | None = None) -> dict:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"mask_cpr": {"()": "fhb.cpr.CprMaskingFilter"}},
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "filters": ["mask_cpr"], "formatter": "plain"},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": loggers or {},
    }
