"""Command-line tools: ``flask --app app seed-demo``, ``flask --app app backup`` and
``flask --app app register generate --persons N [--seed S]`` (fictitious persons in the
local register, in households)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import click
from flask import Flask, current_app

from .extensions import db
from .timeutil import utcnow


def register_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Create the demo organisations and users (idempotent)."""
        from .demo import DEMO_PASSWORD, seed_demo

        rows = seed_demo()
        click.echo("Données de démonstration prêtes. Comptes (mot de passe commun) :")
        click.echo(f"  mot de passe : {DEMO_PASSWORD}")
        for demo, created in rows:
            state = "créé" if created else "existant"
            click.echo(f"  {demo.email:32} {demo.organisation:24} {demo.profile} ({state})")

    @app.cli.command("backup")
    @click.option("--dest", type=click.Path(file_okay=False), default=None)
    def backup_command(dest: str | None) -> None:
        """Back up the SQLite database and the uploads folder, then verify the copy."""
        target = make_backup(Path(dest) if dest else None)
        click.echo(f"Sauvegarde vérifiée (integrity_check = ok) : {target}")

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
            f"{added} personnes ajoutées au registre local en {elapsed:.1f} s "
            f"(total : {total} personnes)."
        )


def make_backup(dest: Path | None = None) -> Path:
    """Copy the live database with SQLite's online backup API and check the copy."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        raise click.ClickException(
            "La sauvegarde intégrée ne concerne que SQLite ; pour PostgreSQL, utilisez "
            "pg_dump (voir README)."
        )
    source_path = engine.url.database
    assert source_path
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    base = dest or Path(current_app.instance_path) / "backups"
    folder = base / f"cpas-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    copy_path = folder / "cpas.sqlite"
    source = sqlite3.connect(source_path, timeout=30)
    try:
        source.execute("PRAGMA busy_timeout=30000")
        target = sqlite3.connect(copy_path)
        try:
            source.backup(target, pages=1024)  # steps: writers keep going meanwhile
            result = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
    finally:
        source.close()
    if result != "ok":
        raise click.ClickException(f"La copie est corrompue : {result}")
    uploads = Path(current_app.instance_path) / "uploads"
    if uploads.is_dir():
        shutil.copytree(uploads, folder / "uploads")
    return folder
