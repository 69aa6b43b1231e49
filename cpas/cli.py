"""Command-line tools: ``flask --app app seed-demo``, ``flask --app app backup [--dest D]``,
``flask --app app restore FOLDER [--force]`` and
``flask --app app register generate --persons N [--seed S]`` (fictitious persons in the
local register, in households)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from contextlib import closing, suppress
from pathlib import Path

import click
from flask import Flask, current_app
from flask_babel import gettext as _

from .extensions import db
from .timeutil import utcnow


def register_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Create the demo organisations and users (idempotent)."""
        from .demo import DEMO_PASSWORD, seed_demo

        rows = seed_demo()
        click.echo(_("Données de démonstration prêtes. Comptes (mot de passe commun) :"))
        click.echo("  " + _("mot de passe : %(password)s", password=DEMO_PASSWORD))
        for demo, created in rows:
            state = _("créé") if created else _("existant")
            click.echo(f"  {demo.email:32} {demo.organisation:24} {demo.profile} ({state})")

    @app.cli.command("backup")
    @click.option("--dest", type=click.Path(file_okay=False), default=None)
    def backup_command(dest: str | None) -> None:
        """Back up the SQLite database and the uploads folder, then verify the copy."""
        target = make_backup(Path(dest) if dest else None)
        click.echo(_("Sauvegarde vérifiée (integrity_check = ok) : %(target)s", target=target))

    @app.cli.command("restore")
    @click.argument("source", type=click.Path(exists=True, file_okay=False))
    @click.option("--force", is_flag=True, help="Replace a non-empty database and uploads.")
    def restore_command(source: str, force: bool) -> None:
        """Restore a backup folder into this instance, then migrate and check it."""
        checked = restore_backup(Path(source), force=force)
        click.echo(
            _(
                "Restauration terminée (integrity_check = ok, base migrée) : %(n)s fichiers "
                "référencés, tous présents.",
                n=checked,
            )
        )

    @app.cli.group("register")
    def register_group() -> None:
        """Local register of fictitious persons (National Register stand-in)."""

    @register_group.command("generate")
    @click.option("--persons", type=click.IntRange(min=1), required=True, help="How many.")
    @click.option("--seed", type=int, default=None, help="Random seed (same seed, same data).")
    def register_generate_command(persons: int, seed: int | None) -> None:
        """Add fictitious persons, in households, to the local register."""
        import time

        from sqlalchemy import func, select

        from .registry.generator import generate_persons
        from .registry.models import RegisterPerson

        started = time.perf_counter()
        added = generate_persons(persons, seed=seed)
        total = db.session.scalar(select(func.count(RegisterPerson.id)))
        elapsed = time.perf_counter() - started
        click.echo(
            _(
                "%(added)s personnes ajoutées au registre local en %(seconds)s s "
                "(total : %(total)s personnes).",
                added=added,
                seconds=f"{elapsed:.1f}",
                total=total,
            )
        )


#: Where uploaded files are referenced: (table, column of the stored name, folder under
#: uploads/). A backup and a restore check that every such row has its file.
FILE_COLUMNS = (
    ("water_file", "stored_name", "water"),
    ("centre_profile", "logo_name", "centre"),
)
#: How long a backup waits for a file whose row is already committed (an upload moves its
#: file into place right after its commit).
FILE_WAIT_SECONDS = 5.0


def make_backup(dest: Path | None = None) -> Path:
    """Copy the live database with SQLite's online backup API, then the uploads; check both."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        raise click.ClickException(
            _(
                "La sauvegarde intégrée ne concerne que SQLite ; pour PostgreSQL, utilisez "
                "pg_dump (voir README)."
            )
        )
    source_path = engine.url.database
    assert source_path
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    configured = current_app.config.get("BACKUP_DIR")
    base = dest or (Path(configured) if configured else Path(current_app.instance_path) / "backups")
    folder = base / f"cpas-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    copy_path = folder / "cpas.sqlite"
    source = sqlite3.connect(source_path, timeout=30)
    try:
        source.execute("PRAGMA busy_timeout=30000")
        target = sqlite3.connect(copy_path)
        try:
            # One step: in WAL mode it reads one snapshot without blocking writers, where
            # small steps restart from scratch each time a writer commits in between.
            source.backup(target, pages=-1)
            result = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
    finally:
        source.close()
    if result != "ok":
        raise click.ClickException(_("La copie est corrompue : %(result)s", result=result))
    # After the database: every file its rows name was written before their commit (or is
    # moved into place just after it), so the copy of uploads/ holds them.
    uploads = Path(current_app.instance_path) / "uploads"
    if uploads.is_dir():
        # Uploads being written are « .<name>.part » until renamed into place (or removed on
        # a failed commit): leave them out, and let a file that vanishes meanwhile go.
        shutil.copytree(
            uploads,
            folder / "uploads",
            ignore=shutil.ignore_patterns(".*.part"),
            copy_function=_copy_if_present,
        )
    _complete_files(copy_path, uploads, folder / "uploads")
    return folder


def _copy_if_present(source: str, target: str) -> None:
    """Copy a file that a writer may remove meanwhile (its row was never committed)."""
    with suppress(FileNotFoundError):
        shutil.copy2(source, target)


def referenced_files(database: Path) -> list[Path]:
    """The upload paths (relative to uploads/) that the database's rows name."""
    found = []
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        for table, column, folder in FILE_COLUMNS:
            if table in tables:
                query = f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL"  # noqa: S608
                found += [Path(folder) / name for (name,) in conn.execute(query)]
    return found


def _missing(database: Path, uploads: Path) -> list[Path]:
    return [path for path in referenced_files(database) if not (uploads / path).is_file()]


def _complete_files(database: Path, live: Path, copy: Path) -> None:
    """Copy again the files the copied rows name that the uploads copy missed."""
    deadline = time.monotonic() + FILE_WAIT_SECONDS
    while missing := _missing(database, copy):
        for path in missing:
            if (live / path).is_file():
                (copy / path).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(live / path, copy / path)
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    if missing := _missing(database, copy):
        click.echo(
            _(
                "Attention : %(n)s fichier(s) référencé(s) par la base manquent aussi "
                "dans l'instance.",
                n=len(missing),
            ),
            err=True,
        )


def restore_backup(source: Path, force: bool = False) -> int:
    """Put a backup folder in place of this instance's database and uploads, then migrate.

    Refuses a non-empty target unless ``force`` (the target is then kept aside, renamed
    ``*.before-restore-<stamp>``). Returns how many file rows were checked."""
    from flask_migrate import upgrade

    engine = db.engine
    if engine.dialect.name != "sqlite":
        raise click.ClickException(
            _(
                "La restauration intégrée ne concerne que SQLite ; pour PostgreSQL, utilisez "
                "pg_restore ou psql (voir README)."
            )
        )
    backup_db = source / "cpas.sqlite"
    if not backup_db.is_file():
        raise click.ClickException(_("Pas de cpas.sqlite dans %(folder)s.", folder=source))
    if _integrity(backup_db) != "ok":
        raise click.ClickException(_("La copie est corrompue (integrity_check) : rien n'a changé."))
    target = Path(engine.url.database or "")
    uploads = Path(current_app.instance_path) / "uploads"
    occupied = _has_tables(target) or (uploads.is_dir() and any(uploads.iterdir()))
    if occupied and not force:
        raise click.ClickException(
            _(
                "La base ou les fichiers de cette instance ne sont pas vides : arrêtez "
                "l'application et relancez avec --force pour les remplacer (ils seront gardés "
                "à part)."
            )
        )
    db.session.remove()
    engine.dispose()  # no pooled connection may keep the old file open
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    for path in (target, Path(f"{target}-wal"), Path(f"{target}-shm"), uploads):
        if path.exists():
            path.rename(path.with_name(f"{path.name}.before-restore-{stamp}"))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.restoring")
    shutil.copy2(backup_db, partial)
    os.replace(partial, target)  # the database appears whole or not at all
    if (source / "uploads").is_dir():
        shutil.copytree(source / "uploads", uploads)
    upgrade(revision="heads")
    db.session.remove()
    engine.dispose()
    if _integrity(target) != "ok":
        raise click.ClickException(_("La base restaurée ne passe pas integrity_check."))
    if missing := _missing(target, uploads):
        raise click.ClickException(
            _(
                "%(n)s fichier(s) référencé(s) par la base restaurée sont absents.",
                n=len(missing),
            )
        )
    return len(referenced_files(target))


def _integrity(database: Path) -> str:
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
            return conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        return str(exc)


def _has_tables(database: Path) -> bool:
    if not database.is_file() or database.stat().st_size == 0:
        return False
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        return (
            conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            > 0
        )
