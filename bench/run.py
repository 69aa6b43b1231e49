"""Run the registered benchmark scenarios and print their figures.

.venv/bin/python bench/run.py [--workers 2 4] [--requests 500] [--concurrency 8]
                              [--only NAME ...] [--scale 1] [--list]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sys
from dataclasses import asdict
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench import harness  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--requests", type=int, default=500, help="timed requests per run")
    parser.add_argument("--warmup", type=int, default=None, help="default: requests/10")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies generated data")
    parser.add_argument("--floor-iterations", type=int, default=200)
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help="scenario names (or a prefix of them)"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="an EMPTY throwaway database (default: $DATABASE_URL, else a temporary SQLite)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    return parser.parse_args(argv)


def select(only: list[str] | None) -> list[harness.Scenario]:
    scenarios = list(harness.SCENARIOS.values())
    if not only:
        return scenarios
    chosen = [s for s in scenarios if any(s.name.startswith(o) for o in only)]
    if not chosen:
        raise SystemExit(f"no scenario matches {only}; try --list")
    return chosen


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # A plain `kill` also stops gunicorn: SystemExit unwinds through the harness.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    modules = harness.load_scenario_modules()
    if args.list:
        for scenario in harness.SCENARIOS.values():
            print(f"{scenario.name:30} {scenario.method} {scenario.path}")
        return 0
    scenarios = select(args.only)
    print(
        f"bench: {len(scenarios)} scenario(s) from {', '.join(modules)}; "
        f"{os.cpu_count()} CPU, Python {platform.python_version()}; "
        f"workers {args.workers}, {args.requests} requests, concurrency {args.concurrency}",
        flush=True,
    )
    try:
        reports = run(args, scenarios)
    except KeyboardInterrupt:
        print("interrupted: gunicorn stopped, instance folder removed", file=sys.stderr)
        return 130
    print()
    print(harness.format_table(reports))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([asdict(r) for r in reports], indent=2))
    failed = any(run.errors for report in reports for run in report.runs)
    return 1 if failed else 0


def run(args: argparse.Namespace, scenarios: list[harness.Scenario]) -> list:
    return harness.run_benchmark(
        scenarios,
        workers=args.workers,
        requests=args.requests,
        concurrency=args.concurrency,
        warmup=args.warmup,
        scale=args.scale,
        floor_iterations=args.floor_iterations,
        database_url=args.database_url,
        keep=args.keep,
        log=lambda line: print("  " + line, flush=True),
    )


if __name__ == "__main__":
    raise SystemExit(main())
