"""Smoke test of the benchmark harness on tiny sizes: structure and zero errors, no timings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bench import harness
from bench.scenarios_foundation import HOME_USER
from tests.conftest import USE_POSTGRES


@pytest.fixture
def bench_database_url(pg_cluster: Any) -> str | None:
    """SQLite by default; on the PostgreSQL run, an empty database of the throwaway cluster."""
    if not USE_POSTGRES:
        return None
    return pg_cluster.create_database("cpas_bench_smoke")


def test_foundation_scenarios_run_under_gunicorn_without_errors(
    bench_database_url: str | None,
) -> None:
    harness.load_scenario_modules()
    scenarios = [harness.SCENARIOS["login page"], harness.SCENARIOS["home (signed in)"]]
    lines: list[str] = []

    reports = harness.run_benchmark(
        scenarios,
        workers=[1],
        requests=20,
        concurrency=2,
        warmup=2,
        scale=0.05,
        floor_iterations=5,
        database_url=bench_database_url,
        log=lines.append,
    )

    assert [r.name for r in reports] == ["login page", "home (signed in)"]
    for report in reports:
        orgs, users = (
            int(n) for n in re.fullmatch(r"(\d+) orgs, (\d+) users", report.data_size).groups()
        )
        assert orgs >= 6 and users >= 59  # demo data + 1 generated CPAS × 50 users
        assert report.floor is not None and report.floor.count == 5
        assert len(report.runs) == 1
        run = report.runs[0]
        assert (run.workers, run.requests, run.concurrency) == (1, 20, 2)
        assert run.errors == 0, run.error_kinds
        assert run.stats.count == 20
        assert 0 < run.stats.p50 <= run.stats.p95 <= run.stats.max
        assert report.ratio(run) is not None and report.ratio(run) > 0
        assert report.target_met(run) in (True, False)
    login, home = reports
    assert login.queries == 0 and login.floor_queries == 0
    # The floor runs the view's SQL: the same number of queries as the real request.
    assert home.queries is not None and home.queries > 0
    assert home.floor_queries == home.queries
    assert not any(line.startswith("WARNING") for line in lines)
    instance_line = next(line for line in lines if line.startswith("instance "))
    assert instance_line.endswith("(postgresql+psycopg)" if USE_POSTGRES else "(sqlite)")
    assert not Path(instance_line.split()[1]).exists()  # throwaway folder removed

    table = harness.format_table(reports).splitlines()
    assert table[0].split()[:2] == ["scenario", "workers"]
    assert table[2].startswith("login page") and table[3].startswith("home (signed in)")


def test_signed_in_scenario_needs_the_user_signed_in_over_http() -> None:
    home = harness.SCENARIOS.get("home (signed in)")
    if home is None:
        harness.load_scenario_modules()
        home = harness.SCENARIOS["home (signed in)"]
    assert home.signed_in_as == HOME_USER
    spec = harness.request_spec(home, "/", harness.HttpSession("abc", "tok"), "cpas_session")
    assert spec == ("GET", "/", None, {"Cookie": "cpas_session=abc"})
    post = harness.Scenario("post", "/x", method="POST", body={"a": "1"})
    method, path, body, headers = harness.request_spec(
        post, "/x", harness.HttpSession("abc", "tok"), "cpas_session"
    )
    assert (method, body) == ("POST", b"a=1")
    assert headers["X-CSRFToken"] == "tok"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_percentiles_and_generator_order(monkeypatch: Any) -> None:
    stats = harness.Stats.from_seconds([i / 1000 for i in range(1, 101)])
    assert (stats.count, stats.p50, stats.p95, stats.max) == (100, 50.0, 95.0, 100.0)

    monkeypatch.setattr(harness, "GENERATORS", {})
    harness.generator("base")(lambda scale: None)
    harness.generator("domain", requires=["base"])(lambda scale: None)
    scenario = harness.Scenario("s", "/", data=("domain", "base"))
    assert [g.name for g in harness.generators_for([scenario])] == ["base", "domain"]
    with pytest.raises(KeyError):
        harness.generators_for([harness.Scenario("t", "/", data=("missing",))])
