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
# Each test process its own cache, emptied before each test (tests/conftest.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fhb-test"}}
LOGGING["loggers"]["axes"] = {"level": "WARNING"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = os.environ.get("MEDIA_ROOT") or os.path.join(os.environ.get("TMPDIR", "/tmp"), "fhb-test-media")
LANGUAGE_CODE = "da"

# The whole suite at a chosen date: FHB_TEST_TODAY=2026-12-31 (10:00 in Copenhagen) or an ISO
# date-time with its offset. The clock starts there and runs on (time-machine), in the test
# process and in every process it starts (xdist workers, the integration tests' Celery workers):
# the first process fixes the shift from the real clock in FHB_TEST_CLOCK_SHIFT, and the others
# take it from their environment, so all of them read the same time. time-machine leaves the
# monotonic clocks alone, so pytest's --durations and the tests' deadlines stay real.
if os.environ.get("FHB_TEST_TODAY"):
    import datetime as _dt
    import time as _time
    import zoneinfo as _zoneinfo

    import time_machine as _time_machine

    if not os.environ.get("FHB_TEST_CLOCK_SHIFT"):
        _when = _dt.datetime.fromisoformat(os.environ["FHB_TEST_TODAY"])
        if len(os.environ["FHB_TEST_TODAY"]) == 10:
            _when = _when.replace(hour=10)
        if _when.tzinfo is None:
            _when = _when.replace(tzinfo=_zoneinfo.ZoneInfo(TIME_ZONE))
        os.environ["FHB_TEST_CLOCK_SHIFT"] = str(_when.timestamp() - _time.time())
    _time_machine.travel(_time.time() + float(os.environ["FHB_TEST_CLOCK_SHIFT"]), tick=True).start()
