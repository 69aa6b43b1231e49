"""Benchmark harness: the real app under gunicorn on generated data, timed from loopback.

A run: a throwaway instance folder (SQLite migrated to heads, or ``DATABASE_URL``), the data
generators the selected scenarios need, then per scenario an in-process "floor" (the same
SQL and template, no HTTP) and the SQL query count, then per worker count a gunicorn
process and a bounded number of requests with a given concurrency. See bench/README.md.
"""

from __future__ import annotations

import http.client
import importlib
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask
from sqlalchemy.engine import Engine

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
#: Statements that are transaction plumbing, not queries a view asked for.
NOT_QUERIES = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")


# --------------------------------------------------------------------------- registry


@dataclass
class Scenario:
    """One page or action to time: what to request, as whom, and how to floor it.

    * ``path`` — a URL path, or a callable returning one (called in an app context after
      the data is generated, e.g. to pick a generated dossier's id);
    * ``signed_in_as`` — the email of a user who signs in over HTTP first (password
      ``password``, the demo password by default); ``None`` means anonymous;
    * ``body`` — for POST: a dict (form-encoded) or bytes; the CSRF token is added;
    * ``expect_status`` — any other status counts as an error (so a 302 to the login page
      is an error unless the scenario expects 302);
    * ``floor(user)`` — called in a test request context for ``path`` with ``user``
      signed in (``None`` when anonymous): run the view's SQL and render its template;
    * ``data_size()`` — a short text describing the data the page works on;
    * ``data`` — the data generators this scenario needs (names given to ``@generator``).
    """

    name: str
    path: str | Callable[[], str]
    method: str = "GET"
    signed_in_as: str | None = None
    password: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, str] | bytes | None = None
    expect_status: int = 200
    floor: Callable[[Any], Any] | None = None
    target_p95_ms: float | None = None
    data_size: Callable[[], str] | None = None
    data: tuple[str, ...] = ("foundation",)


@dataclass
class Generator:
    name: str
    func: Callable[[float], None]
    requires: tuple[str, ...] = ()


SCENARIOS: dict[str, Scenario] = {}
GENERATORS: dict[str, Generator] = {}


def register(scenario: Scenario) -> Scenario:
    """Add a scenario to the registry (names are unique)."""
    if scenario.name in SCENARIOS:
        raise ValueError(f"scenario {scenario.name!r} is already registered")
    SCENARIOS[scenario.name] = scenario
    return scenario


def generator(
    name: str, requires: Iterable[str] = ()
) -> Callable[[Callable[[float], None]], Callable[[float], None]]:
    """Register a data generator ``func(scale)``, run in an app context after ``requires``."""

    def decorator(func: Callable[[float], None]) -> Callable[[float], None]:
        GENERATORS[name] = Generator(name, func, tuple(requires))
        return func

    return decorator


def load_scenario_modules() -> list[str]:
    """Import every bench/scenarios_*.py so that their scenarios register themselves."""
    names = sorted(p.stem for p in Path(__file__).parent.glob("scenarios_*.py"))
    for name in names:
        importlib.import_module(f"bench.{name}")
    return names


def generators_for(scenarios: Iterable[Scenario]) -> list[Generator]:
    """The generators the scenarios need, dependencies first."""
    ordered: list[Generator] = []
    seen: set[str] = set()

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if name in seen:
            return
        if name in chain:
            raise ValueError(f"generator dependency cycle: {' -> '.join((*chain, name))}")
        if name not in GENERATORS:
            raise KeyError(f"no data generator named {name!r}")
        for required in GENERATORS[name].requires:
            visit(required, (*chain, name))
        seen.add(name)
        ordered.append(GENERATORS[name])

    for scenario in scenarios:
        for name in scenario.data:
            visit(name, ())
    return ordered


# --------------------------------------------------------------------------- figures


@dataclass
class Stats:
    """Latency figures in milliseconds."""

    count: int
    p50: float
    p95: float
    max: float

    @classmethod
    def from_seconds(cls, samples: list[float]) -> Stats:
        if not samples:
            return cls(0, math.nan, math.nan, math.nan)
        ordered = sorted(samples)
        return cls(
            len(ordered),
            percentile(ordered, 50) * 1000,
            percentile(ordered, 95) * 1000,
            ordered[-1] * 1000,
        )


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class HttpRun:
    workers: int
    requests: int
    concurrency: int
    stats: Stats
    errors: int
    error_kinds: dict[str, int]
    wall_seconds: float

    @property
    def throughput(self) -> float:
        return self.requests / self.wall_seconds if self.wall_seconds else math.nan


@dataclass
class ScenarioReport:
    name: str
    path: str
    data_size: str
    floor: Stats | None
    queries: int | None
    target_p95_ms: float | None
    runs: list[HttpRun] = field(default_factory=list)
    floor_queries: int | None = None

    def ratio(self, run: HttpRun) -> float | None:
        if self.floor is None or not self.floor.p95:
            return None
        return run.stats.p95 / self.floor.p95

    def target_met(self, run: HttpRun) -> bool | None:
        if self.target_p95_ms is None:
            return None
        return run.errors == 0 and run.stats.p95 <= self.target_p95_ms


# --------------------------------------------------------------------------- instance


class BenchInstance:
    """A throwaway instance folder with a database migrated to heads and an app on it."""

    def __init__(self, database_url: str | None = None, keep: bool = False) -> None:
        self.database_url = database_url
        self.keep = keep
        self.path = Path(tempfile.mkdtemp(prefix="cpas-bench-"))
        self.secret_key = secrets.token_hex(32)
        self.app: Flask | None = None

    @property
    def url(self) -> str:
        from cpas.config import normalise_database_url

        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{self.path / 'cpas.sqlite'}"

    def env(self) -> dict[str, str]:
        """Environment for gunicorn: this instance, this key, this database."""
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        env.update(CPAS_INSTANCE_PATH=str(self.path), SECRET_KEY=self.secret_key)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def __enter__(self) -> BenchInstance:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        from flask_migrate import upgrade

        from cpas import create_app

        self.app = create_app(
            {
                "SECRET_KEY": self.secret_key,
                "INSTANCE_PATH": str(self.path),
                "SQLALCHEMY_DATABASE_URI": self.url,
            }
        )
        with self.app.app_context():
            upgrade(revision="heads")

    def generate(self, generators: Iterable[Generator], scale: float) -> None:
        from cpas.extensions import db

        assert self.app is not None
        for gen in generators:
            with self.app.app_context():
                gen.func(scale)
                db.session.commit()

    def close(self) -> None:
        if self.app is not None:
            from cpas.extensions import db

            with self.app.app_context():
                db.session.remove()
                db.engine.dispose()
        if not self.keep:
            shutil.rmtree(self.path, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """The real app under gunicorn on loopback; always stopped on exit (errors, Ctrl-C)."""

    def __init__(self, instance: BenchInstance, workers: int, timeout: float = 60) -> None:
        self.instance = instance
        self.workers = workers
        self.timeout = timeout
        self.port = free_port()
        self.log_path = instance.path / f"gunicorn-{workers}w.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--error-logfile",
            str(self.log_path),
            "--log-level",
            "warning",
            "app:app",
        ]
        # Own session: Ctrl-C reaches only the harness, which then stops gunicorn itself.
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=self.instance.env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_until_healthy()

    def _wait_until_healthy(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/sante")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(
            f"gunicorn did not answer /sante in {self.timeout} s:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()  # graceful: the master stops its workers
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


# --------------------------------------------------------------------------- HTTP


@dataclass
class HttpSession:
    """A signed-in (or anonymous) browser: its cookie and its CSRF token."""

    cookie: str | None = None
    csrf_token: str | None = None


def _cookie_from(response: http.client.HTTPResponse, name: str) -> str | None:
    for header in response.headers.get_all("Set-Cookie") or []:
        jar = SimpleCookie()
        jar.load(header)
        if name in jar:
            return jar[name].value
    return None


def sign_in(port: int, email: str, password: str, cookie_name: str) -> HttpSession:
    """Sign in through the real form: read the CSRF meta tag, post the credentials."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/connexion")
        response = conn.getresponse()
        page = response.read().decode()
        match = META_CSRF.search(page)
        cookie = _cookie_from(response, cookie_name)
        if response.status != 200 or not match or not cookie:
            raise RuntimeError(f"GET /connexion answered {response.status} without a token")
        form = urlencode({"email": email, "password": password, "csrf_token": match.group(1)})
        conn.request(
            "POST",
            "/connexion",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"{cookie_name}={cookie}",
            },
        )
        response = conn.getresponse()
        response.read()
        signed_cookie = _cookie_from(response, cookie_name)
        if response.status != 302 or not signed_cookie:
            raise RuntimeError(f"sign-in as {email} failed: status {response.status}")
        # The CSRF token of the new session, for POST scenarios.
        conn.request("GET", "/", headers={"Cookie": f"{cookie_name}={signed_cookie}"})
        response = conn.getresponse()
        page = response.read().decode()
        match = META_CSRF.search(page)
        if response.status != 200 or not match:
            raise RuntimeError(f"signed in as {email} but GET / answered {response.status}")
        # Sign-in starts a fresh session: the token is created now, in a new cookie.
        return HttpSession(_cookie_from(response, cookie_name) or signed_cookie, match.group(1))
    finally:
        conn.close()


def anonymous_session(port: int, cookie_name: str) -> HttpSession:
    """A visitor who has opened the login page once (so POSTs carry a valid CSRF token)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/connexion")
        response = conn.getresponse()
        match = META_CSRF.search(response.read().decode())
        return HttpSession(_cookie_from(response, cookie_name), match.group(1) if match else None)
    finally:
        conn.close()


def request_spec(
    scenario: Scenario, path: str, session: HttpSession, cookie_name: str
) -> tuple[str, str, bytes | None, dict[str, str]]:
    """Method, path, body and headers of one request of the scenario."""
    headers = dict(scenario.headers)
    if session.cookie:
        headers["Cookie"] = f"{cookie_name}={session.cookie}"
    body: bytes | None = None
    if scenario.method.upper() not in SAFE_METHODS:
        if session.csrf_token:
            headers.setdefault("X-CSRFToken", session.csrf_token)
        if isinstance(scenario.body, dict):
            body = urlencode(scenario.body).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        else:
            body = scenario.body
    return scenario.method.upper(), path, body, headers


STALE_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


def run_load(
    port: int,
    spec: tuple[str, str, bytes | None, dict[str, str]],
    *,
    requests: int,
    concurrency: int,
    expect_status: int,
) -> tuple[list[float], Counter[str], float]:
    """Send exactly ``requests`` requests with ``concurrency`` threads (one connection each).

    Return the latencies in seconds of the requests that got ``expect_status``, the
    errors by kind (status or exception name), and the wall time.
    """
    method, path, body, headers = spec
    lock = threading.Lock()
    remaining = [requests]
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors: list[Counter[str]] = [Counter() for _ in range(concurrency)]

    def take() -> bool:
        with lock:
            if remaining[0] <= 0:
                return False
            remaining[0] -= 1
            return True

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        used = False
        try:
            while take():
                start = time.perf_counter()
                try:
                    try:
                        conn.request(method, path, body=body, headers=headers)
                        response = conn.getresponse()
                    except STALE_CONNECTION:
                        if not used:
                            raise
                        # The server closed an idle keep-alive connection: reconnect once.
                        conn.close()
                        start = time.perf_counter()
                        conn.request(method, path, body=body, headers=headers)
                        response = conn.getresponse()
                    response.read()
                    elapsed = time.perf_counter() - start
                    used = True
                    if response.status == expect_status:
                        latencies[index].append(elapsed)
                    else:
                        errors[index][f"HTTP {response.status}"] += 1
                except Exception as exc:  # every failure is counted, none stops the run
                    errors[index][type(exc).__name__] += 1
                    conn.close()
                    used = False
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    total_errors: Counter[str] = Counter()
    for counter in errors:
        total_errors.update(counter)
    return [x for chunk in latencies for x in chunk], total_errors, wall


# --------------------------------------------------------------------------- in-process


def user_id_for(email: str | None) -> int | None:
    """The id of the user with that email (in an app context)."""
    if email is None:
        return None
    from sqlalchemy import select

    from cpas.access.models import User
    from cpas.extensions import db

    user_id = db.session.scalar(select(User.id).where(User.email == email))
    if user_id is None:
        raise LookupError(f"no user {email!r} in the generated data")
    return user_id


def measure_floor(
    app: Flask, scenario: Scenario, path: str, user_id: int | None, iterations: int
) -> tuple[Stats, int]:
    """Time the scenario's floor in-process: load the user like the login manager, then
    ``scenario.floor(user)``; a fresh database session per iteration, like a request.

    Return the figures and the number of SQL queries of one (untimed) iteration.
    """
    from flask_login import login_user

    from cpas.access.models import User
    from cpas.extensions import db

    assert scenario.floor is not None
    floor = scenario.floor

    def once() -> None:
        db.session.remove()
        user = None
        if user_id is not None:
            user = User.load_with_function_codes(user_id)  # as the user loader does
            login_user(user)
        floor(user)

    warmup = max(5, iterations // 10)
    samples: list[float] = []
    engine = engine_of(app)
    with app.test_request_context(path, method=scenario.method, headers=scenario.headers):
        for _ in range(warmup):
            once()
        with counting_queries(engine) as statements:
            once()
        for _ in range(iterations):
            start = time.perf_counter()
            once()
            samples.append(time.perf_counter() - start)
        db.session.remove()
    return Stats.from_seconds(samples), len(statements)


def engine_of(app: Flask) -> Engine:
    from cpas.extensions import db

    with app.app_context():
        return db.engine


@contextmanager
def counting_queries(engine: Engine) -> Iterator[list[str]]:
    """Collect the SQL statements run on the engine (transaction plumbing excluded)."""
    from sqlalchemy import event

    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(NOT_QUERIES):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def count_queries(app: Flask, scenario: Scenario, path: str, user_id: int | None) -> int | None:
    """SQL queries of one request through the test client (after one warm-up request);
    ``None`` when the request does not answer the expected status."""
    from cpas.access.models import User
    from cpas.extensions import db
    from cpas.timeutil import utcnow

    client = app.test_client()
    if user_id is not None:
        with app.app_context():
            session_id = db.session.get(User, user_id).get_id()
            db.session.remove()
        now = utcnow().timestamp()
        with client.session_transaction() as session:
            session.update(_user_id=session_id, _fresh=True, login_at=now, seen=now)
    method = scenario.method.upper()
    headers = dict(scenario.headers)
    data: Any = scenario.body
    if method not in SAFE_METHODS:
        page = client.get("/" if user_id is not None else "/connexion").get_data(as_text=True)
        match = META_CSRF.search(page)
        if match:
            headers.setdefault("X-CSRFToken", match.group(1))

    def call() -> int:
        return client.open(path, method=method, headers=headers, data=data).status_code

    if call() != scenario.expect_status:
        return None
    with counting_queries(engine_of(app)) as statements:
        status = call()
    return len(statements) if status == scenario.expect_status else None


# --------------------------------------------------------------------------- the run


def run_benchmark(
    scenarios: Iterable[Scenario],
    *,
    workers: Iterable[int] = (2, 4),
    requests: int = 500,
    concurrency: int = 8,
    warmup: int | None = None,
    scale: float = 1.0,
    floor_iterations: int = 200,
    database_url: str | None = None,
    keep: bool = False,
    log: Callable[[str], None] = print,
) -> list[ScenarioReport]:
    """Generate the data, floor each scenario in-process, then time it under gunicorn."""
    from cpas.demo import DEMO_PASSWORD
    from cpas.extensions import db

    scenarios = list(scenarios)
    workers = list(workers)
    if warmup is None:
        warmup = max(concurrency, requests // 10)
    with BenchInstance(database_url, keep=keep) as instance:
        assert instance.app is not None
        app = instance.app
        dialect = app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0]
        log(f"instance {instance.path} ({dialect})")
        started = time.perf_counter()
        instance.generate(generators_for(scenarios), scale)
        log(f"data generated in {time.perf_counter() - started:.1f} s (scale {scale:g})")

        reports: list[ScenarioReport] = []
        resolved: dict[str, tuple[str, int | None]] = {}
        for scenario in scenarios:
            with app.app_context():
                path = scenario.path() if callable(scenario.path) else scenario.path
                user_id = user_id_for(scenario.signed_in_as)
                size = scenario.data_size() if scenario.data_size else ""
                db.session.remove()
            resolved[scenario.name] = (path, user_id)
            floor, floor_queries = (
                measure_floor(app, scenario, path, user_id, floor_iterations)
                if scenario.floor
                else (None, None)
            )
            queries = count_queries(app, scenario, path, user_id)
            reports.append(
                ScenarioReport(
                    scenario.name,
                    path,
                    size,
                    floor,
                    queries,
                    scenario.target_p95_ms,
                    floor_queries=floor_queries,
                )
            )
            log(
                f"{scenario.name}: {size}; floor p95 {_ms(floor.p95) if floor else '-'} ms; "
                f"queries per request {_na(queries)} (floor {_na(floor_queries)})"
            )
            if floor_queries is not None and queries is not None and floor_queries != queries:
                log(f"WARNING {scenario.name}: the floor does not run the view's SQL")

        cookie_name = app.config["SESSION_COOKIE_NAME"]
        for count in workers:
            with Gunicorn(instance, count) as server:
                sessions: dict[str | None, HttpSession] = {}
                for scenario, report in zip(scenarios, reports, strict=True):
                    who = scenario.signed_in_as
                    if who not in sessions:
                        sessions[who] = (
                            sign_in(
                                server.port, who, scenario.password or DEMO_PASSWORD, cookie_name
                            )
                            if who
                            else anonymous_session(server.port, cookie_name)
                        )
                    spec = request_spec(scenario, report.path, sessions[who], cookie_name)
                    run_load(
                        server.port,
                        spec,
                        requests=warmup,
                        concurrency=concurrency,
                        expect_status=scenario.expect_status,
                    )
                    latencies, errors, wall = run_load(
                        server.port,
                        spec,
                        requests=requests,
                        concurrency=concurrency,
                        expect_status=scenario.expect_status,
                    )
                    run = HttpRun(
                        count,
                        requests,
                        concurrency,
                        Stats.from_seconds(latencies),
                        sum(errors.values()),
                        dict(errors),
                        wall,
                    )
                    report.runs.append(run)
                    log(
                        f"{scenario.name} @ {count} workers: p95 {_ms(run.stats.p95)} ms, "
                        f"{run.errors} errors {dict(errors) or ''}".rstrip()
                    )
        return reports


# --------------------------------------------------------------------------- printing


def _ms(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "-"
    return f"{value:.1f}"


def _na(value: object) -> str:
    return "-" if value is None else str(value)


COLUMNS = (
    "scenario",
    "workers",
    "data size",
    "requests",
    "conc.",
    "p50 ms",
    "p95 ms",
    "max ms",
    "errors",
    "req/s",
    "floor p50",
    "floor p95",
    "p95/floor",
    "queries",
    "target",
)


def table_rows(reports: Iterable[ScenarioReport]) -> list[tuple[str, ...]]:
    rows = []
    for report in reports:
        for run in report.runs:
            ratio = report.ratio(run)
            met = report.target_met(run)
            target = (
                "-"
                if met is None
                else f"p95 ≤ {report.target_p95_ms:g} ms {'OK' if met else 'MISS'}"
            )
            rows.append(
                (
                    report.name,
                    str(run.workers),
                    report.data_size or "-",
                    str(run.requests),
                    str(run.concurrency),
                    _ms(run.stats.p50),
                    _ms(run.stats.p95),
                    _ms(run.stats.max),
                    str(run.errors),
                    f"{run.throughput:.0f}",
                    _ms(report.floor.p50) if report.floor else "-",
                    _ms(report.floor.p95) if report.floor else "-",
                    "-" if ratio is None else f"{ratio:.1f}x",
                    _na(report.queries),
                    target,
                )
            )
    return rows


def format_table(reports: Iterable[ScenarioReport]) -> str:
    """A plain-text table, one row per scenario and worker count."""
    rows = [COLUMNS, *table_rows(reports)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    numeric = set(range(3, len(COLUMNS) - 1)) | {1}

    def line(row: tuple[str, ...]) -> str:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(rows[0]), rule, *(line(r) for r in rows[1:])])
