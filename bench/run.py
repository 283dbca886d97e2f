"""Run every benchmark in bench/ (each is also runnable on its own): `make bench`."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    "import_citizens.py",
    "upload_memory.py",
    "eligibility.py",
    "workbench.py",
    "dst_export.py",
    "dst_counts_writes.py",
    "pages.py",
    "load.py",
    "letters.py",
]

if __name__ == "__main__":
    failed = 0
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        failed |= subprocess.run([sys.executable, name, *sys.argv[1:]], cwd=HERE).returncode
    sys.exit(failed)
