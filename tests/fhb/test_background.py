"""Long tasks started from a page: queued when there is a worker; in the demo (in-process Celery)
run in a thread of their own, so the page returns and its progress bar moves."""

import threading

from fhb import background


class Task:
    name = "fhb.tests.fake"

    def __init__(self):
        self.ran = threading.Event()
        self.calls = []

    def apply(self, args, throw):
        self.calls.append(("apply", args, threading.current_thread().name))
        self.ran.set()

    def delay(self, *args):
        self.calls.append(("delay", args, threading.current_thread().name))


def test_in_process_celery_runs_the_task_in_a_thread(settings):
    settings.FHB = {**settings.FHB, "EAGER_IN_THREAD": True}
    task = Task()
    background.start(task, 7)
    assert task.ran.wait(5)
    assert task.calls == [("apply", (7,), "fhb-fhb.tests.fake")]


def test_tests_and_workers_use_delay(settings):
    task = Task()
    background.start(task, 7)  # the test settings: inline (eager delay)
    assert task.calls == [("delay", (7,), threading.current_thread().name)]
