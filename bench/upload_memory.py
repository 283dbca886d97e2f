"""Benchmark: memory of a large registry extract uploaded through the web page and imported.

    .venv/bin/python bench/upload_memory.py [--mb 200]

1. Writes a registry extract of about `--mb` MB to disk (1.2 million citizens is ~190 MB).
2. Starts gunicorn (gunicorn.conf.py, one worker) on a fresh bench database, with Celery pointed
   at an unused Redis database so the upload is only queued. Logs in as a municipality admin and
   POSTs the file as multipart/form-data, streamed from disk. Reads the worker's peak RSS (VmHWM).
3. Runs the queued import in a fresh process, as the Celery worker does (`import_job_run`), and
   reads its peak RSS.

Target: each process under 300 MiB for a 200 MB file (before: 1.9 GB in the web worker and 2.5 GB
in the Celery worker for a 199 MiB file).
"""

import argparse
import datetime as dt
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from _setup import ROOT, fresh_database

DB = "fhb_bench_upload"
PASSWORD = "bench-upload-2026"


def write_extract(path: Path, megabytes: float) -> int:
    """Write the extract in blocks of 20,000 citizens until it reaches the size; returns rows."""
    from fhb.demo import build_registry_csv

    rng = random.Random(7)
    used: set[str] = set()
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        while path.stat().st_size < megabytes * 1e6 if rows else True:
            text, people = build_registry_csv(today=dt.date(2026, 11, 22), count=20_000, rng=rng)
            lines = text.splitlines(keepends=True)
            if not rows:
                out.write(lines[0])
            for line, (cpr, _age, _birth) in zip(lines[1:], people, strict=True):
                if cpr not in used:
                    used.add(cpr)
                    out.write(line)
                    rows += 1
            out.flush()
    return rows


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Just enough of a browser: cookies, CSRF token, form posts, a streamed file upload."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"Host": "localhost", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        content = response.read()
        conn.close()
        return response.status, dict(response.getheaders()), content

    def csrf(self, path):
        status, _headers, content = self.request("GET", path)
        assert status == 200, (path, status)
        return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1).decode()

    def post_form(self, path, fields):
        fields = {"csrfmiddlewaretoken": self.csrf(path), **fields}
        body = urllib.parse.urlencode(fields)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://localhost{path}"}
        return self.request("POST", path, body, headers)

    def upload(self, path, fields, name, file_path: Path):
        """multipart/form-data with the file streamed from disk (the body is never built in memory)."""
        token = self.csrf(path)
        boundary = "fhbbench" + os.urandom(8).hex()
        head = "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
            for k, v in {"csrfmiddlewaretoken": token, **fields}.items()
        )
        head += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{file_path.name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        )
        tail = f"\r\n--{boundary}--\r\n".encode()
        head_bytes = head.encode()
        length = len(head_bytes) + file_path.stat().st_size + len(tail)

        def body():
            yield head_bytes
            with file_path.open("rb") as f:
                while block := f.read(1 << 20):
                    yield block
            yield tail

        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(length),
            "Referer": f"http://localhost{path}",
        }
        return self.request("POST", path, body(), headers)


def peak_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=200)
    args = parser.parse_args()
    url = fresh_database(DB)
    from fhb.demo import DEMO_MUNICIPALITY
    from fhb.models import Citizen, ImportJob, Municipality, Role, User
    from fhb.registry.jobs import MAX_UPLOAD_BYTES

    admin = User.objects.create_user(
        "bench-admin", password=PASSWORD, municipality=Municipality.objects.get(code=DEMO_MUNICIPALITY),
        role=Role.MUNICIPALITY_ADMIN,
    )  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="fhb-bench-upload-"))
    extract = work / "udtraek.csv"
    started = time.perf_counter()
    rows = write_extract(extract, args.mb)
    size = extract.stat().st_size
    assert size <= MAX_UPLOAD_BYTES, f"{size} bytes is over the upload limit"
    print(f"extract: {rows:,} rows, {size / 1e6:.1f} MB (written in {time.perf_counter() - started:.0f} s)")

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "fhb.settings.base",
        "REDIS_URL": "redis://127.0.0.1:6379/13",  # queued only: no worker listens here
        "MEDIA_ROOT": str(work / "media"),
        "ALLOWED_HOSTS": "localhost",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "fhb.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--timeout", "600", "--config", str(ROOT / "gunicorn.conf.py")],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        browser = Browser(port)
        for _ in range(100):
            try:
                browser.request("GET", "/login/")
                break
            except OSError:
                time.sleep(0.2)
        status, _headers, _ = browser.post_form("/login/", {"username": admin.username, "password": PASSWORD})
        assert status == 302, f"login: {status}"
        worker = int(subprocess.check_output(["pgrep", "-P", str(server.pid)]).split()[0])
        before = peak_mib(worker)
        t0 = time.perf_counter()
        status, _headers, _ = browser.upload("/import/", {"kind": "citizens"}, "file", extract)
        upload_seconds = time.perf_counter() - t0
        assert status == 302, f"upload: {status}"
        web_peak = peak_mib(worker)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    job = ImportJob.objects.get()
    print(f"web:    upload {upload_seconds:.1f} s, worker peak RSS {web_peak:.0f} MiB (after log-in {before:.0f} MiB)")

    # The import, as the Celery worker runs it: a fresh process, its own peak RSS.
    # (Its peak is VmHWM: ru_maxrss would include this process's memory at the fork, kept across exec.)
    script = (
        "import django, re, time; django.setup()\n"
        "from fhb.registry.jobs import import_job_run\n"
        f"t = time.perf_counter(); job = import_job_run(job_id={job.pk})\n"
        "hwm = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)) / 1024\n"
        "print(job.status, job.created, job.rejected, round(time.perf_counter() - t, 1), hwm)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    seen_progress = set()  # what the import page would show while it runs (its own connection)
    while process.poll() is None:
        seen_progress.add(ImportJob.objects.values_list("rows_done", flat=True).get(pk=job.pk))
        time.sleep(0.5)
    stdout, stderr = process.communicate()
    assert process.returncode == 0, stderr[-2000:]
    status, created, _rejected, seconds, import_peak = stdout.split()[-5:]
    assert status == "done" and int(created) == rows, stdout
    moving = len(seen_progress - {0})
    assert Citizen.objects.count() == rows
    print(
        f"import: {int(created):,} created in {float(seconds):.0f} s, peak RSS {float(import_peak):.0f} MiB, "
        f"progress seen moving {moving} times"
    )
    result = {
        "rows": rows, "megabytes": round(size / 1e6, 1), "web_peak_mib": round(web_peak),
        "web_after_login_mib": round(before), "upload_seconds": round(upload_seconds, 1),
        "import_peak_mib": round(float(import_peak)), "import_seconds": float(seconds),
        "progress_updates_seen": moving,
    }  # fmt: skip
    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "upload_memory.json").write_text(json.dumps(result, indent=2))
    subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    main()
