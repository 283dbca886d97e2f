"""gunicorn's settings (read from the working directory, /app in the image). The access log
writes the path without the query string (a search by CPR number is posted, but an API client may
put one in `?name=`), and every gunicorn log line passes the same CPR-masking filter as the app's
own (a CPR number typed into a path)."""

accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_cpr": {"()": "fhb.cpr.CprMaskingFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_cpr"], "formatter": "plain"},
        "access": {"class": "logging.StreamHandler", "filters": ["mask_cpr"], "formatter": "plain"},
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}
