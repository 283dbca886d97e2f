"""gunicorn's settings (read from the working directory, /app in the image). The access log
writes the path without the query string (a search by CPR number is posted, but an API client may
put one in `?name=`), and every gunicorn log line passes the same CPR-masking filter as the app's
own (a CPR number typed into a path): fhb/logconfig.py."""

from fhb.logconfig import logging_config

accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'
logconfig_dict = logging_config(
    loggers={
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    }
)
