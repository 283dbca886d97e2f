"""WSGI entry point (gunicorn fhb.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fhb.settings.production")
application = get_wsgi_application()
