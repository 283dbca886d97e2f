"""Test settings: in-memory SQLite and in-process Celery, unless the integration run sets
FHB_INTEGRATION=1 with DATABASE_URL and REDIS_URL (PostgreSQL, Redis and a real worker)."""

import os

from .base import *  # noqa: F403
from .base import env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
INTEGRATION = env.bool("FHB_INTEGRATION", default=False)
if not INTEGRATION:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
# Tasks run in-process unless a test starts a real worker (tests/integration/conftest.py); in that
# worker (FHB_WORKER=1) the tasks a task queues go through the broker too, as in production.
CELERY_TASK_ALWAYS_EAGER = not env.bool("FHB_WORKER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
FHB = {**FHB, "EAGER_IN_THREAD": False}
LOGGING["loggers"]["axes"] = {"level": "WARNING"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = os.environ.get("MEDIA_ROOT") or os.path.join(os.environ.get("TMPDIR", "/tmp"), "fhb-test-media")
LANGUAGE_CODE = "da"
