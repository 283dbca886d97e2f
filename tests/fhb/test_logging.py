"""CPR numbers never reach a log line: gunicorn's access log leaves query strings out and masks a
CPR number typed into a path; the Celery worker keeps Django's logging (and its masking filter)."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CPR = "231246-0649"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_access_log_has_no_cpr(tmp_path):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "fhb.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=ROOT,
            env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "fhb.settings.test", "HOME": str(tmp_path)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/citizens/{CPR}/?name={CPR}", timeout=5)
            except urllib.error.HTTPError:
                break  # answered (403: no credentials)
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"gunicorn did not answer: {log.read_text()[-2000:]}")
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=20)
    text = log.read_text()
    assert '"GET /api/v1/citizens/231246-xxxx/ HTTP/1.1" 403' in text
    # Neither the number (with or without its hyphen) nor its last four digits after the hyphen (a
    # bare "0649" may be a pid or a duration in the log), and no query string.
    digits = CPR.replace("-", "")
    assert CPR not in text and digits not in text and "-0649" not in text and "name=" not in text


def test_the_celery_worker_keeps_djangos_logging():
    from fhb.celery import app

    assert app.conf.worker_hijack_root_logger is False
