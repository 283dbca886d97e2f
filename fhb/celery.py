"""The Celery app. Without REDIS_URL tasks run in-process (the demo); with it, on a real worker."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fhb.settings.base")

app = Celery("fhb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
