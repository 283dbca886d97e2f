"""Shared set-up for the benchmarks: a fresh PostgreSQL database, migrated."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def fresh_database(name: str) -> str:
    """Drop and create database `name` on BENCH_PG (default: the local server), migrate it and
    set up Django against it. Returns the DATABASE_URL."""
    server = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    url = f"{server}/{name}"
    admin = f"{server}/postgres"
    subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fhb.settings.base")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def reuse_database(name: str) -> str:
    """Set up Django against database `name` as a previous run left it (no rebuild; migrated, in
    case the code has moved on since)."""
    server = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    url = f"{server}/{name}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fhb.settings.base")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url
