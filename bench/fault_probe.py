"""Fault probe: concurrent users write while gunicorn workers are killed with SIGKILL.

    .venv/bin/python bench/fault_probe.py [--clients 8] [--requests 30] [--workers 2]
                                          [--kills 2] [--max-seconds 180]

A throwaway instance (SQLite, or ``DATABASE_URL``) with the demo data, gunicorn on
127.0.0.1 only, ``--clients`` signed-in CPAS agents each sending ``--requests`` requests
(one in three a write: a new FSE request whose internal reference is a unique marker,
the others reads of the FSE list). Meanwhile a worker is killed (``kill -9``) ``--kills``
times, evenly spread over the run. Then every marker is counted in the database:
an acknowledged write (2xx/3xx answer) must be stored exactly once, an unanswered one
(connection cut by the kill) at most once. Prints figures; exit status 1 on any loss or
duplicate. Bounded by the request count and by ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402

AGENT = "agent@cpas-demoville.be"
HOST = "127.0.0.1"  # loopback only, never another address
WRITE_EVERY = 3


@dataclass
class Tally:
    acknowledged: set[str] = field(default_factory=set)
    unanswered: set[str] = field(default_factory=set)
    refused: Counter = field(default_factory=Counter)  # status -> count, for writes
    reads: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: the master's children."""
    try:
        text = Path(f"/proc/{master}/task/{master}/children").read_text()
    except OSError:
        return []
    return [int(pid) for pid in text.split()]


def fse_form(marker: str, distributor_id: int, csrf: str) -> bytes:
    return urlencode(
        {
            "csrf_token": csrf,
            "internal_ref": marker,
            "distributor_id": distributor_id,
            "last_name": "Sonde",
            "first_name": "Panne",
            "street": "Rue de la Source",
            "house_number": "1",
            "postal_code": "4000",
            "locality": "Liège",
            "client_number": marker,
            "requested_amount": "123,45",
            "recurrence": "ponctuelle",
            "contract_accounts": "CA-1",
            "invoice_numbers": "F-1",
        }
    ).encode()


def client_loop(
    port: int,
    session: harness.HttpSession,
    cookie_name: str,
    distributor_id: int,
    number: int,
    requests: int,
    deadline: float,
    tally: Tally,
) -> None:
    cookie = {"Cookie": f"{cookie_name}={session.cookie}"}
    for n in range(requests):
        if time.monotonic() > deadline:
            return
        write = n % WRITE_EVERY == 0
        marker = f"PROBE-{number:02d}-{n:04d}"
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        started = time.perf_counter()
        try:
            if write:
                conn.request(
                    "POST",
                    "/fonds-eau/fse/nouvelle",
                    body=fse_form(marker, distributor_id, session.csrf_token or ""),
                    headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"},
                )
            else:
                conn.request("GET", "/fonds-eau/fse", headers=cookie)
            response = conn.getresponse()
            response.read()
            status = response.status
            if "/connexion" in (response.getheader("Location") or ""):
                status = 401  # sent back to sign in: not an acknowledged write
        except (OSError, http.client.HTTPException):
            status = None  # cut by a kill: not acknowledged
        finally:
            conn.close()
        elapsed = time.perf_counter() - started
        with tally.lock:
            tally.latencies.append(elapsed)
            if not write:
                tally.reads[status] += 1
            elif status is None:
                tally.unanswered.add(marker)
            elif 200 <= status < 400:
                tally.acknowledged.add(marker)
            else:
                tally.refused[status] += 1


def killer(master: int, times: list[float], killed: list[int], stop: threading.Event) -> None:
    for at in times:
        while time.monotonic() < at:
            if stop.wait(0.05):
                return
        pids = worker_pids(master)
        if pids:
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=30, help="per client")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--max-seconds", type=float, default=180)
    args = parser.parse_args()

    from sqlalchemy import func, select

    from cpas.access.models import Organisation
    from cpas.demo import DEMO_PASSWORD, seed_demo
    from cpas.extensions import db
    from cpas.water_fund.models import WaterRequest

    with harness.BenchInstance(os.environ.get("DATABASE_URL")) as instance:
        assert instance.app is not None
        with instance.app.app_context():
            seed_demo()
            cpas = db.session.scalar(
                select(Organisation).where(Organisation.name == "CPAS de Demoville")
            )
            distributor_id = cpas.distributors[0].id
        cookie_name = instance.app.config["SESSION_COOKIE_NAME"]
        with harness.Gunicorn(instance, args.workers) as server:
            assert server.process is not None
            sessions = [
                harness.sign_in(server.port, AGENT, DEMO_PASSWORD, cookie_name)
                for _ in range(args.clients)
            ]
            tally = Tally()
            started = time.monotonic()
            deadline = started + args.max_seconds
            # Spread the kills over the expected run (about 20 requests/s per client pair).
            expected = max(5.0, args.clients * args.requests / 40)
            times = [started + expected * (k + 1) / (args.kills + 1) for k in range(args.kills)]
            killed: list[int] = []
            stop = threading.Event()
            kill_thread = threading.Thread(
                target=killer, args=(server.process.pid, times, killed, stop)
            )
            kill_thread.start()
            threads = [
                threading.Thread(
                    target=client_loop,
                    args=(
                        server.port,
                        session,
                        cookie_name,
                        distributor_id,
                        number,
                        args.requests,
                        deadline,
                        tally,
                    ),
                )
                for number, session in enumerate(sessions)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            stop.set()
            kill_thread.join()
            wall = time.monotonic() - started
            alive = server.process.poll() is None

        with instance.app.app_context():
            db.session.remove()
            stored = dict(
                db.session.execute(
                    select(WaterRequest.internal_ref, func.count())
                    .where(WaterRequest.internal_ref.like("PROBE-%"))
                    .group_by(WaterRequest.internal_ref)
                ).all()
            )

    lost = sorted(m for m in tally.acknowledged if stored.get(m, 0) == 0)
    duplicated = sorted(m for m, count in stored.items() if count > 1)
    unanswered_stored = sum(1 for m in tally.unanswered if stored.get(m, 0) == 1)
    stats = harness.Stats.from_seconds(tally.latencies)
    total = len(tally.latencies)
    writes = len(tally.acknowledged) + len(tally.unanswered) + sum(tally.refused.values())
    print(
        f"fault probe: {args.clients} clients, {total} requests in {wall:.1f} s "
        f"({total / wall:.0f} req/s, {100 * writes / max(total, 1):.0f} % writes), "
        f"{args.workers} gunicorn workers, {len(killed)} killed with SIGKILL (pids {killed}), "
        f"master alive at the end: {alive}"
    )
    print(f"latency ms: p50 {stats.p50:.0f}, p95 {stats.p95:.0f}, max {stats.max:.0f}")
    print(
        f"writes: {len(tally.acknowledged)} acknowledged, {len(tally.unanswered)} unanswered "
        f"({unanswered_stored} of them stored), refused {dict(tally.refused)}; "
        f"reads by status {dict(tally.reads)}"
    )
    print(f"acknowledged but lost: {len(lost)} {lost[:5]}; stored twice or more: {len(duplicated)}")
    return 1 if lost or duplicated or not tally.acknowledged else 0


if __name__ == "__main__":
    sys.exit(main())
