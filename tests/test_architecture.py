"""The import contract (.importlinter) bites: an upward import or a new cycle breaks `make lint`,
and each exception it allows guards a real import (removing one makes it fail on that import)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("fhb", "visits", "invitations", "reports")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """A copy of the four packages' sources and the contract, to break on purpose."""
    root = tmp_path_factory.mktemp("arch")
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__", "locale", "static")
        )
    return root


def lint(root: Path, config: str) -> subprocess.CompletedProcess:
    (root / ".importlinter").write_text(config)
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def contract() -> str:
    return (ROOT / ".importlinter").read_text()


def test_the_real_tree_keeps_the_contract(tree):
    run = lint(tree, contract())
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("fhb/offers.py", "from reports import dst as _upward\n", "The flow runs one way"),
        ("visits/services.py", "from invitations import models as _upward\n", "The flow runs one way"),
        ("fhb/law/dst.py", "from fhb import models as _impure\n", "The law is pure"),
        ("fhb/models/__init__.py", "from fhb import selectors as _cycle\n", "No module cycles"),
    ],
)
def test_a_forbidden_import_breaks_it(tree, module, line, broken):
    path = tree / module
    original = path.read_text()
    try:
        path.write_text(original + "\n" + line)
        run = lint(tree, contract())
    finally:
        path.write_text(original)
    assert run.returncode != 0
    assert f"{broken}" in run.stdout and "BROKEN" in run.stdout
    # the report names the module that broke it
    assert Path(module).stem.replace("__init__", "models") in run.stdout


@pytest.mark.parametrize(
    "allowed",
    [
        "fhb.registry.jobs -> fhb.tasks",
        "invitations.batches.rendering -> invitations.tasks",
        "reports.services -> reports.tasks",
    ],
)
def test_each_allowed_import_is_real(tree, allowed):
    """Removing one exception from the contract breaks it on the import it names."""
    config = contract()
    assert f"    {allowed}\n" in config
    run = lint(tree, config.replace(f"    {allowed}\n", ""))
    assert run.returncode != 0, run.stdout
    importer, imported = allowed.split(" -> ")
    assert "BROKEN" in run.stdout
    app = importer.split(".")[0]
    if importer.split(".")[0] == imported.split(".")[0]:  # a cycle: reported as the dependency to remove
        assert f"No cycles are allowed in {app}" in run.stdout and imported.rsplit(".", 1)[-1] in run.stdout
    else:
        assert f"{importer} -> {imported}" in run.stdout


def test_the_boundary_is_applied_in_one_place():
    """No view, API view, export or app selector filters by the user's municipality itself: they
    start from `fhb.selectors.visible_to` (through their app's selectors)."""
    pattern = re.compile(r"(filter|get_object_or_404)\(.*municipality(_id)?=(self\.)?(request\.)?user\.municipality")
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


VIEW_MODULES = [
    "fhb/views.py", "fhb/views_due.py", "fhb/api/views.py", "fhb/api/access_log.py",
    "visits/views.py", "visits/api.py", "invitations/views.py", "invitations/api.py",
    "invitations/views_trial.py", "invitations/api_trial.py",
    "reports/views.py", "reports/api.py",
]  # fmt: skip


def test_views_do_not_write():
    """Views and API views call services; none saves, creates, updates or deletes rows itself."""
    pattern = re.compile(r"\.save\(|\.delete\(|objects\.create\(|\.bulk_(create|update)\(|_or_create\(|\)\.update\(")
    offenders = [
        f"{module}:{number}: {line.strip()}"
        for module in VIEW_MODULES
        for number, line in enumerate((ROOT / module).read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
