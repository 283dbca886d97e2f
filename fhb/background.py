"""Start a Celery task from a request. With a worker (REDIS_URL set) the task is queued. In the demo,
where Celery runs in-process, it runs in a thread of its own, so the request returns at once and the
page's progress bar moves as it does with a worker; tests run it inline (FHB["EAGER_IN_THREAD"])."""

from __future__ import annotations

import logging
import threading

from celery import current_app
from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)


def start(task, *args) -> None:
    if not (current_app.conf.task_always_eager and settings.FHB.get("EAGER_IN_THREAD")):
        task.delay(*args)
        return

    def run() -> None:
        try:
            task.apply(args=args, throw=False)  # the task records its own failure for the page
        except Exception:  # pragma: no cover - apply(throw=False) keeps task errors in the result
            log.exception("background task %s failed", task.name)
        finally:
            connections.close_all()

    threading.Thread(target=run, name=f"fhb-{task.name}", daemon=True).start()
