"""Background jobs for real: the task registry a consumer sees, a real huey_consumer process
exporting more than 5.000 rows, a failing job, a consumer killed mid-job, stale jobs."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select
from sqlalchemy.exc import OperationalError

from cpas.access.models import Organisation, OrganisationKind
from cpas.extensions import db
from cpas.taskqueue import huey
from cpas.timeutil import utcnow
from cpas.water_fund import exports
from cpas.water_fund.models import ExportJob, WaterRequest
from tests.helpers import page_text

ROOT = Path(__file__).resolve().parents[2]
CONSUMER = [str(ROOT / ".venv" / "bin" / "huey_consumer"), "cpas.jobs.huey", "--workers", "1"]
#: Written from the code as it should be, not read from it: a new task is added here too.
EXPECTED_TASKS = {"cpas.water_fund.exports.run_export_job"}
TASK_DECORATOR = re.compile(r"@huey\.(?:periodic_)?task\([^)]*\)\s*\ndef (\w+)")
#: Bounds of every wait on the consumer (a loaded machine is slow, never this slow).
DEADLINE_SECONDS = 120


# --------------------------------------------------------------------------- registry


def _registry_of_fresh_interpreter(tmp_path: Path, huey_url: str | None) -> set[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"HUEY_IMMEDIATE", "HUEY_URL"}}
    env["CPAS_INSTANCE_PATH"] = str(tmp_path)
    if huey_url:
        env["HUEY_URL"] = huey_url
    code = (
        "import json, cpas.jobs as jobs; "
        "print(json.dumps([type(jobs.huey).__name__, sorted(jobs.huey._registry._registry)]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    kind, names = json.loads(out.stdout.strip().splitlines()[-1])
    assert kind == ("RedisHuey" if huey_url else "SqliteHuey")
    return set(names)


def _tasks_declared_in_code() -> set[str]:
    found = set()
    for path in (ROOT / "cpas").rglob("*.py"):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for name in TASK_DECORATOR.findall(path.read_text(encoding="utf-8")):
            found.add(f"{module}.{name}")
    return found


@pytest.mark.parametrize("storage", ["sqlite", "redis"])
def test_a_fresh_consumer_interpreter_has_every_task(tmp_path, storage):
    if storage == "redis":
        pytest.importorskip("redis", reason="the redis client is not installed (not a dependency)")
    names = _registry_of_fresh_interpreter(
        tmp_path, "redis://127.0.0.1:1/0" if storage == "redis" else None
    )
    assert names == EXPECTED_TASKS
    assert _tasks_declared_in_code() == EXPECTED_TASKS  # a new task is listed above too


def test_the_task_modules_are_imported_by_name():
    """What the consumer loads names each task module in an import (grep finds it)."""
    from cpas import jobs

    assert set(jobs.TASK_MODULES) == {task.rsplit(".", 1)[0] for task in EXPECTED_TASKS}
    source = (ROOT / "cpas" / "jobs.py").read_text(encoding="utf-8")
    assert "import_module" not in source
    for module in jobs.TASK_MODULES:
        package, name = module.rsplit(".", 1)
        assert re.search(rf"^from \.{package.split('.', 1)[1]} import {name}\b", source, re.M)


def test_the_consumer_recovers_stale_jobs_on_start_up():
    assert "_recover_on_startup" in huey._startup


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def export_world(app, make_org, make_user):
    """A CPAS agent who may export, and a helper adding FSE requests in bulk."""
    cpas = make_org(OrganisationKind.CPAS, name="CPAS Export")
    dist = make_org(OrganisationKind.DISTRIBUTOR, name="Distributeur Export")
    with app.app_context():
        db.session.get(Organisation, cpas.id).distributors = [db.session.get(Organisation, dist.id)]
        db.session.commit()
    user = make_user(cpas, all_access=True, email="export@cpas-export.be")

    def add_requests(count: int) -> set[int]:
        year = date.today().year
        start = datetime(year, 1, 1)
        with app.app_context():
            db.session.info["write"] = True
            rows = [
                {
                    "kind": "fse",
                    "cpas_id": cpas.id,
                    "distributor_id": dist.id,
                    "year": year,
                    "status": "SOUMISE",
                    "version": 1,
                    "created_at": start + timedelta(minutes=n),
                    "last_name": f"Nom{n:06d}",
                    "first_name": "Prénom",
                    "street": "Rue de la Source",
                    "house_number": "1",
                    "postal_code": "4000",
                    "locality": "Liège",
                    "client_number": f"C{n:07d}",
                    "name_key": f"nom{n:06d}",
                    "first_key": "prenom",
                    "client_key": f"c{n:07d}",
                    "ref_key": "",
                    "requested_amount": Decimal(100 + n % 900),
                    "recurrence": "ponctuelle",
                    "billing_different": False,
                }
                for n in range(count)
            ]
            db.session.execute(insert(WaterRequest), rows)
            db.session.commit()
            db.session.info.pop("write", None)
            return set(db.session.scalars(select(WaterRequest.id)))

    return SimpleNamespace(user=user, add_requests=add_requests)


@pytest.fixture
def real_queue(app, monkeypatch):
    """Queue tasks into the instance's huey SQLite file, where a real consumer takes them."""
    from huey.storage import SqliteStorage

    storage = SqliteStorage("cpas", filename=str(Path(app.instance_path) / "huey.sqlite"))
    monkeypatch.setattr(huey, "storage", storage)
    monkeypatch.setattr(huey, "_immediate", False)
    return storage


@pytest.fixture
def consumers(app, tmp_path) -> Iterator:
    """Start real consumer processes on the test's instance and database; stop them after."""
    started: list[tuple[subprocess.Popen, Path]] = []
    env = {k: v for k, v in os.environ.items() if k not in {"HUEY_IMMEDIATE", "HUEY_URL"}}
    env.update(
        CPAS_INSTANCE_PATH=app.instance_path,
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        SECRET_KEY="test-secret-key-of-the-consumer",
        EXPORT_STALE_SECONDS="2",
    )

    def start(argv: list[str] | None = None) -> subprocess.Popen:
        log = tmp_path / f"consumer-{len(started)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                argv or CONSUMER, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
            )
        started.append((process, log))
        return process

    start.logs = lambda: "\n".join(log.read_text(errors="replace") for _p, log in started)
    yield start
    for process, _log in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def _patched_consumer(patch: str) -> list[str]:
    """A real consumer process whose export module is patched first (slow or failing rows)."""
    code = (
        "import sys\n"
        "from cpas.water_fund import exports\n"
        f"{patch}\n"
        "from huey.bin.huey_consumer import consumer_main\n"
        "sys.argv = ['huey_consumer', 'cpas.jobs.huey', '--workers', '1']\n"
        "consumer_main()\n"
    )
    return [sys.executable, "-c", code]


def _start_export(client, login_as, user) -> str:
    login_as(user)
    confirm = client.get("/fonds-eau/fse/export.xlsx")
    assert "en arrière-plan" in page_text(confirm)
    started = client.post("/fonds-eau/fse/export.xlsx")
    assert started.status_code == 302
    return started.headers["Location"].rsplit("/", 1)[1]


def _job(app, token: str) -> ExportJob:
    with app.app_context():
        job = db.session.scalar(select(ExportJob).where(ExportJob.token == token))
        db.session.expunge(job)
        return job


def _wait(predicate, what: str, logs, seconds: float = DEADLINE_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    pytest.fail(f"{what}: not within {seconds} s. Consumer output:\n{logs()}")


def _poll(client, token: str) -> str:
    return page_text(client.get(f"/fonds-eau/exports/{token}", headers={"HX-Request": "true"}))


def _downloaded_rows(client, token: str) -> tuple[list, set]:
    response = client.get(f"/fonds-eau/exports/{token}/fichier")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    return list(rows[0]), {row[0] for row in rows[1:]}


# --------------------------------------------------------------------------- real consumer


def test_a_real_consumer_exports_more_than_5000_rows(
    app, client, login_as, export_world, real_queue, consumers
):
    count = exports.BACKGROUND_ROWS + 150
    ids = export_world.add_requests(count)
    token = _start_export(client, login_as, export_world.user)
    assert _job(app, token).status == "queued"
    consumers()
    text = _wait(
        lambda: (t := _poll(client, token)) and ("Export prêt" in t or "Échec" in t) and t,
        "the export job finished",
        consumers.logs,
    )
    assert f"Export prêt : {count} lignes." in text
    assert "hx-trigger" not in text  # polling stops once done
    header, exported_ids = _downloaded_rows(client, token)
    assert header == [
        "ID",
        "Nom",
        "Prénom",
        "Numéro client",
        "CPAS",
        "Distributeur",
        "Montant approuvé / accepté",
        "Montant demandé",
        "Date création",
        "Statut",
        "Action suivante",
        "Fichiers",
        "Référence interne",
    ]
    assert exported_ids == ids
    assert "not found in TaskRegistry" not in consumers.logs()


def test_a_failing_job_in_a_real_consumer_says_echec_and_leaves_no_file(
    app, client, login_as, export_world, real_queue, consumers
):
    export_world.add_requests(exports.BACKGROUND_ROWS + 10)
    token = _start_export(client, login_as, export_world.user)
    # The disk fills up after 1.500 rows: the writer raises in the middle of the file.
    consumers(
        _patched_consumer(
            "real_rows = exports.export_rows\n"
            "def export_rows(user, filters):\n"
            "    for n, row in enumerate(real_rows(user, filters)):\n"
            "        if n == 1500:\n"
            "            raise OSError(28, 'No space left on device')\n"
            "        yield row\n"
            "exports.export_rows = export_rows"
        )
    )
    text = _wait(
        lambda: (t := _poll(client, token)) and ("Export prêt" in t or "Échec" in t) and t,
        "the export job ended",
        consumers.logs,
    )
    assert "Échec : le fichier n'a pas pu être écrit dans le dossier des exports." in text
    assert "hx-trigger" not in text  # no spinner for ever
    job = _job(app, token)
    assert (job.status, job.error) == ("failed", "storage")
    assert job.finished_at is not None
    assert not list((Path(app.instance_path) / "exports").glob(f"{token}*"))  # no half file
    assert client.get(f"/fonds-eau/exports/{token}/fichier").status_code == 404


def test_a_consumer_killed_mid_job_is_detected_and_a_restarted_one_finishes(
    app, client, login_as, export_world, real_queue, consumers
):
    count = exports.BACKGROUND_ROWS + 100
    ids = export_world.add_requests(count)
    token = _start_export(client, login_as, export_world.user)
    slow = consumers(
        _patched_consumer(
            "import time\n"
            "real_rows = exports.export_rows\n"
            "def export_rows(user, filters):\n"
            "    for row in real_rows(user, filters):\n"
            "        time.sleep(0.004)\n"
            "        yield row\n"
            "exports.export_rows = export_rows"
        )
    )
    _wait(lambda: _job(app, token).done_rows >= 1000, "progress recorded", consumers.logs)
    # The bar shows the real progress, read by the page while the consumer writes.
    text = _poll(client, token)
    shown = int(re.search(r'<progress max="(\d+)" value="(\d+)"', text).group(2))
    assert 1000 <= shown < count and shown % 1000 == 0
    assert f"{shown} / {count} lignes" in text
    slow.send_signal(signal.SIGKILL)
    slow.wait(timeout=30)
    killed = _job(app, token)
    assert killed.status == "running" and killed.attempts == 0
    # A restarted consumer and the polling page: the stale job is queued again and done.
    app.config["EXPORT_STALE_SECONDS"] = 2
    consumers()
    _wait(
        lambda: _poll(client, token) and _job(app, token).attempts == 1,
        "the stale job queued again",
        consumers.logs,
    )
    app.config["EXPORT_STALE_SECONDS"] = 300  # the retry, however slow, is not stale
    text = _wait(
        lambda: (t := _poll(client, token)) and ("Export prêt" in t or "Échec" in t) and t,
        "the re-queued export finished",
        consumers.logs,
    )
    assert f"Export prêt : {count} lignes." in text
    job = _job(app, token)
    assert (job.status, job.attempts) == ("done", 1)
    assert _downloaded_rows(client, token)[1] == ids
    # The killed run's half-written file is not the one served.
    assert job.file_name == f"{token}-1.xlsx"


# --------------------------------------------------------------------------- in process


def _queued_job(app, user, **fields) -> str:
    with app.app_context():
        job = ExportJob(
            token=f"t{time.monotonic_ns()}",
            user_id=user.id,
            organisation_id=user.organisation_id,
            kind="fse",
            params="{}",
            total_rows=fields.pop("total_rows", 0),
            **fields,
        )
        db.session.add(job)
        db.session.commit()
        return job.token


def test_progress_and_the_final_state_do_not_fight_for_the_sqlite_lock(app, export_world):
    """As in the consumer (no request): progress is written while the rows stream."""
    export_world.add_requests(2500)
    token = _queued_job(app, export_world.user, total_rows=2500)
    job_id = _job(app, token).id
    with app.app_context():
        exports.run_export_job.call_local(job_id)
    job = _job(app, token)
    assert (job.status, job.done_rows, job.error) == ("done", 2500, None)
    assert (Path(app.instance_path) / "exports" / job.file_name).is_file()


def test_a_failing_final_write_is_caught_and_recorded(app, export_world, monkeypatch):
    export_world.add_requests(1200)
    token = _queued_job(app, export_world.user, total_rows=1200)
    job_id = _job(app, token).id
    real_record = exports._record

    def locked_on_done(job_id, *where, **values):
        if values.get("status") == "done":
            raise OperationalError("UPDATE water_export_job", {}, Exception("database is locked"))
        return real_record(job_id, *where, **values)

    monkeypatch.setattr(exports, "_record", locked_on_done)
    with app.app_context():
        exports.run_export_job.call_local(job_id)
    job = _job(app, token)
    assert (job.status, job.error) == ("failed", "database")
    assert not list((Path(app.instance_path) / "exports").glob(f"{token}*"))


def test_a_stale_job_is_queued_again_once_then_failed(app, client, login_as, export_world):
    export_world.add_requests(3)
    login_as(export_world.user)
    old = utcnow() - timedelta(seconds=app.config["EXPORT_STALE_SECONDS"] + 5)
    fresh = _queued_job(app, export_world.user, status="running", heartbeat_at=utcnow())
    assert "Préparation en cours" in _poll(client, fresh)  # alive: left alone
    assert _job(app, fresh).status == "running"
    # First time stale: queued again (run inline here: tests use immediate mode).
    once = _queued_job(app, export_world.user, status="running", heartbeat_at=old)
    assert "Export prêt : 3 lignes." in _poll(client, once)
    assert _job(app, once).attempts == 1
    # Stale again after its retry: failed, with the reason, and the page stops polling.
    twice = _queued_job(app, export_world.user, status="running", heartbeat_at=old, attempts=1)
    text = _poll(client, twice)
    assert "Échec : le traitement s'est interrompu deux fois" in text
    assert "hx-trigger" not in text
    assert (_job(app, twice).status, _job(app, twice).error) == ("failed", "interrupted")


def test_the_start_up_recovery_takes_stale_running_jobs(app, export_world):
    export_world.add_requests(2)
    old = utcnow() - timedelta(seconds=app.config["EXPORT_STALE_SECONDS"] + 5)
    stale = _queued_job(app, export_world.user, status="running", heartbeat_at=old)
    alive = _queued_job(app, export_world.user, status="running", heartbeat_at=utcnow())
    with app.app_context():
        assert exports.recover_stale_jobs() == 1
    assert (_job(app, stale).status, _job(app, stale).attempts) == ("done", 1)
    assert _job(app, alive).status == "running"


def test_polling_slows_down_and_says_when_no_consumer_takes_the_job(
    app, client, login_as, export_world
):
    login_as(export_world.user)
    young = _queued_job(app, export_world.user)
    assert 'hx-trigger="every 2s"' in _poll(client, young)
    waiting = _queued_job(app, export_world.user, created_at=utcnow() - timedelta(minutes=10))
    text = _poll(client, waiting)
    assert 'hx-trigger="every 15s"' in text
    assert "ne répond pas" in text


def test_export_job_pages_belong_to_their_user(app, client, login_as, export_world, make_user):
    token = _queued_job(app, export_world.user, status="done")
    with app.app_context():
        org = db.session.get(Organisation, export_world.user.organisation_id)
    colleague = make_user(org, all_access=True)
    other_org = make_user(all_access=True)
    no_export = make_user(org, functions=["water.fse.view"])
    anonymous = client.get(f"/fonds-eau/exports/{token}")
    assert anonymous.status_code == 302 and "/connexion" in anonymous.headers["Location"]
    login_as(export_world.user)
    assert client.get(f"/fonds-eau/exports/{token}").status_code == 200
    # done but its file is gone: 404, never a 500
    assert client.get(f"/fonds-eau/exports/{token}/fichier").status_code == 404
    for user, status in ((colleague, 404), (other_org, 404), (no_export, 403)):
        login_as(user)
        for path in (f"/fonds-eau/exports/{token}", f"/fonds-eau/exports/{token}/fichier"):
            assert client.get(path).status_code == status, (user.email, path)
