"""Excel export of 50k FSE requests: wall time and peak memory of the export process.

    .venv/bin/python bench/water_export.py [--rows 50000]

Builds a throwaway SQLite instance with the demo data and the generated requests, then
runs the export (the same code as the background job: queries.export_rows streamed into
a write-only workbook) in a fresh process and prints its time and peak RSS.
Targets (issue 4): ≤ 8 s and ≤ 150 MB peak.
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def prepare(instance: Path, rows: int) -> None:
    from flask_migrate import upgrade

    from bench.scenarios_water import ROWS, generate_water
    from cpas import create_app
    from cpas.demo import seed_demo

    app = create_app()
    with app.app_context():
        upgrade(revision="heads")
        seed_demo()
        generate_water(rows / ROWS)


def peak_rss_mb() -> float:
    """Peak RSS of this process image. Not ``ru_maxrss``: on Linux it survives execve, so
    the export child would report its parent's peak (the data generation)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def export(instance: Path) -> None:
    from flask_login import login_user
    from sqlalchemy import select

    from cpas import create_app
    from cpas.access.models import User
    from cpas.extensions import db
    from cpas.water_fund import exports, queries
    from cpas.water_fund.routes import filters_from

    app = create_app()
    with app.test_request_context("/"):
        user = db.session.scalar(select(User).where(User.email == "agent@cpas-demoville.be"))
        login_user(user)
        started = time.perf_counter()
        count = exports.write_xlsx(
            instance / "export.xlsx", queries.export_rows(user, filters_from("fse", {}))
        )
        elapsed = time.perf_counter() - started
    peak_mb = peak_rss_mb()
    size_mb = (instance / "export.xlsx").stat().st_size / 1024 / 1024
    print(
        f"excel export: {count} rows in {elapsed:.2f} s (target ≤ 8 s), peak RSS of the "
        f"export process {peak_mb:.0f} MB (target ≤ 150 MB), file {size_mb:.1f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--export-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_only:
        export(args.export_only)
        return
    with tempfile.TemporaryDirectory(prefix="cpas-bench-export-") as folder:
        env = {**os.environ, "CPAS_INSTANCE_PATH": folder, "SECRET_KEY": secrets.token_hex(16)}
        os.environ.update(env)
        started = time.perf_counter()
        prepare(Path(folder), args.rows)
        print(f"data: {args.rows} FSE requests generated in {time.perf_counter() - started:.1f} s")
        subprocess.run(
            [sys.executable, __file__, "--export-only", folder], env=env, check=True, cwd=ROOT
        )


if __name__ == "__main__":
    main()
