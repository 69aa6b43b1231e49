"""Foundation scenarios: the login page (anonymous) and the signed-in home page.

Data: the demo data plus generated CPAS, each with its « Tous les accès » profile and
users (20 CPAS × 50 users at scale 1), inserted with SQLAlchemy Core in batches.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from sqlalchemy import func, insert, select

from bench.harness import Scenario, generator, register
from cpas.access.models import Organisation, OrganisationKind, Profile, User, user_profile
from cpas.auth.forms import LoginForm
from cpas.auth.passwords import hash_password
from cpas.demo import DEMO_PASSWORD, seed_demo
from cpas.extensions import db

CPAS_PER_SCALE = 20
USERS_PER_CPAS = 50
BATCH = 1000
HOME_USER = "admin@cpas-demoville.be"


@generator("foundation")
def generate_foundation(scale: float) -> None:
    """Demo data, then ``20 × scale`` CPAS with 50 users each (idempotent)."""
    seed_demo()
    db.session.info["write"] = True
    try:
        _generate_organisations(round(CPAS_PER_SCALE * scale))
    finally:
        db.session.info.pop("write", None)


def _generate_organisations(count: int) -> None:
    names = [f"CPAS de Benchville {n:04d}" for n in range(1, count + 1)]
    existing = set(
        db.session.scalars(select(Organisation.name).where(Organisation.name.in_(names)))
    )
    names = [n for n in names if n not in existing]
    if not names:
        return
    db.session.execute(
        insert(Organisation),
        [
            {
                "name": name,
                "kind": OrganisationKind.CPAS.value,
                "email": f"{_slug(name)}@bench.test",
            }
            for name in names
        ],
    )
    org_ids = dict(
        db.session.execute(
            select(Organisation.name, Organisation.id).where(Organisation.name.in_(names))
        ).all()
    )
    db.session.execute(
        insert(Profile),
        [
            {
                "organisation_id": org_id,
                "name_fr": "Tous les accès",
                "name_nl": "Alle toegangen",
                "all_access": True,
            }
            for org_id in org_ids.values()
        ],
    )
    profile_ids = dict(
        db.session.execute(
            select(Profile.organisation_id, Profile.id).where(
                Profile.organisation_id.in_(org_ids.values()), Profile.all_access.is_(True)
            )
        ).all()
    )
    # One hash for everyone: argon2 is slow on purpose, and the bench signs in only once.
    password_hash = hash_password(DEMO_PASSWORD)
    users = [
        {
            "organisation_id": org_id,
            "email": f"user{n:03d}.{_slug(name)}@bench.test",
            "first_name": f"Prénom{n:03d}",
            "last_name": f"Nom{n:03d}",
            "password_hash": password_hash,
        }
        for name, org_id in org_ids.items()
        for n in range(1, USERS_PER_CPAS + 1)
    ]
    for start in range(0, len(users), BATCH):
        db.session.execute(insert(User), users[start : start + BATCH])
    links = [
        {"user_id": user_id, "profile_id": profile_ids[org_id]}
        for user_id, org_id in db.session.execute(
            select(User.id, User.organisation_id).where(User.organisation_id.in_(org_ids.values()))
        )
    ]
    for start in range(0, len(links), BATCH):
        db.session.execute(insert(user_profile), links[start : start + BATCH])
    db.session.commit()


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def foundation_size() -> str:
    orgs = db.session.scalar(select(func.count(Organisation.id)))
    users = db.session.scalar(select(func.count(User.id)))
    return f"{orgs} orgs, {users} users"


def login_floor(user: Any) -> str:
    """GET /connexion: no SQL for an anonymous visitor, the form rendered."""
    return render_template("auth/login.html", form=LoginForm(), error=None)


def home_floor(user: User) -> str:
    """GET /: the user (loaded by the harness) and the home template with its menu."""
    return render_template("main/home.html", organisation=user.organisation)


register(
    Scenario(
        "login page",
        "/connexion",
        floor=login_floor,
        data_size=foundation_size,
        target_p95_ms=50,
    )
)
register(
    Scenario(
        "home (signed in)",
        "/",
        signed_in_as=HOME_USER,
        floor=home_floor,
        data_size=foundation_size,
        target_p95_ms=50,
    )
)
