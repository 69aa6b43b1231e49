"""Dossiers scenarios: the phonetic register search (htmx fragment) on a register of a
million fictitious persons, and the alphabetical dossier index on 30k dossiers of one CPAS.

Data: ``register`` — 1,000,000 × scale persons in households (``generate_persons``);
``dossiers`` — 30,000 × scale dossiers of « CPAS de Demoville » for heads of household of
the register, each with its main beneficiary as household member, bulk-inserted.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import render_template
from sqlalchemy import and_, func, insert, select
from werkzeug.datastructures import MultiDict

from bench.harness import Scenario, generator, register
from cpas import audit
from cpas.access.models import Organisation
from cpas.dossiers import queries
from cpas.dossiers.forms import PersonSearchForm
from cpas.dossiers.models import Dossier, HouseholdMember
from cpas.dossiers.services import index_key
from cpas.extensions import db
from cpas.pagination import paginate
from cpas.registry.adapters import SOURCE_LABEL, LocalRegister, PhoneticQuery
from cpas.registry.birthdates import parse_partial, search_window
from cpas.registry.generator import generate_persons
from cpas.registry.models import RegisterPerson
from cpas.timeutil import utcnow

PERSONS = 1_000_000
DOSSIERS = 30_000
BATCH = 5_000
SEED = 2026
CPAS = "CPAS de Demoville"
USER = "as@cpas-demoville.be"  # « Travailleur social »: dossiers.* functions
#: A variant spelling of a generated surname (DUPONT), around the demo's DUPONT Marie.
SEARCH = {
    "mode": "phonetique",
    "nom": "Dupond",
    "prenom": "Marie",
    "naissance": "00/03/1985",
    "tolerance": "2",
}
LETTER = "D"


# --------------------------------------------------------------------------- data


@generator("register", requires=["foundation"])
def generate_register(scale: float) -> None:
    """``1M × scale`` persons in the local register (only what is missing)."""
    have = db.session.scalar(select(func.count(RegisterPerson.id))) or 0
    generate_persons(int(PERSONS * scale) - have, seed=SEED)


@generator("dossiers", requires=["register"])
def generate_dossiers(scale: float) -> None:
    """``30k × scale`` dossiers of CPAS de Demoville, one main member each (idempotent)."""
    org_id = db.session.scalar(select(Organisation.id).where(Organisation.name == CPAS))
    have = db.session.scalar(
        select(func.count(Dossier.id)).where(Dossier.organisation_id == org_id)
    )
    missing = int(DOSSIERS * scale) - have
    db.session.info["write"] = True
    try:
        if missing > 0:
            _insert_dossiers(org_id, missing)
        _insert_main_members(org_id)
    finally:
        db.session.info.pop("write", None)


def _insert_dossiers(org_id: int, count: int) -> None:
    has_dossier = select(Dossier.niss).where(Dossier.organisation_id == org_id)
    people = db.session.execute(
        select(
            RegisterPerson.niss,
            RegisterPerson.last_name,
            RegisterPerson.first_name,
            RegisterPerson.sex,
            RegisterPerson.birth_date,
        )
        .where(RegisterPerson.is_head.is_(True), RegisterPerson.niss.not_in(has_dossier))
        .order_by(RegisterPerson.id)
        .limit(count)
    ).all()
    today = date.today()
    now = utcnow()
    rows = [
        {
            "organisation_id": org_id,
            "niss": p.niss,
            "dossier_number": p.niss,
            "opened_on": today - timedelta(days=(n * 7) % 3650),
            "archived": n % 10 == 9,  # one in ten among « Anciens dossiers »
            "last_name": p.last_name,
            "first_name": p.first_name,
            "name_key": index_key(p.last_name),
            "first_key": index_key(p.first_name),
            "sex": p.sex,
            "birth_date": p.birth_date,
            "created_at": now,
        }
        for n, p in enumerate(people)
    ]
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(Dossier), rows[start : start + BATCH])
    db.session.commit()


def _insert_main_members(org_id: int) -> None:
    """The main beneficiary of every dossier that has none, from the register."""
    main = HouseholdMember
    rows = db.session.execute(
        select(Dossier.id, RegisterPerson)
        .join(RegisterPerson, RegisterPerson.niss == Dossier.niss)
        .outerjoin(main, and_(main.dossier_id == Dossier.id, main.is_main.is_(True)))
        .where(Dossier.organisation_id == org_id, main.id.is_(None))
    ).all()
    now = utcnow()
    members = [
        {
            "dossier_id": dossier_id,
            "is_main": True,
            "relation": "beneficiary",
            "niss": p.niss,
            "last_name": p.last_name,
            "first_name": p.first_name,
            "sex": p.sex,
            "birth_date": p.birth_date,
            "birth_precision": p.birth_precision,
            "nationality": p.nationality,
            "civil_state": p.civil_state,
            "registre": p.registre,
            "legal_street": p.street,
            "legal_number": p.house_number,
            "legal_box": p.box,
            "legal_postal_code": p.postal_code,
            "legal_locality": p.locality,
            "street": p.street or "",
            "house_number": p.house_number or "",
            "box": p.box,
            "postal_code": p.postal_code or "",
            "locality": p.locality or "",
            "refreshed_at": now,
        }
        for dossier_id, p in rows
    ]
    db.session.expunge_all()
    for start in range(0, len(members), BATCH):
        db.session.execute(insert(HouseholdMember), members[start : start + BATCH])
    db.session.commit()


def _register_size() -> str:
    count = db.session.scalar(select(func.count(RegisterPerson.id)))
    return f"{count:,} persons".replace(",", ".")


def _dossiers_size() -> str:
    org_id = db.session.scalar(select(Organisation.id).where(Organisation.name == CPAS))
    count = db.session.scalar(
        select(func.count(Dossier.id)).where(Dossier.organisation_id == org_id)
    )
    return f"{count:,} dossiers".replace(",", ".")


# --------------------------------------------------------------------------- floors


def phonetic_search_floor(user: Any) -> str:
    """POST /dossiers/nouveau/recherche (htmx): access check, the register query, the
    consultation logged, the results fragment."""
    user.has_function("dossiers.create")
    form = PersonSearchForm(formdata=MultiDict(SEARCH))
    birth = parse_partial(SEARCH["naissance"])
    tolerance = int(SEARCH["tolerance"])
    results = LocalRegister().phonetic(
        PhoneticQuery(SEARCH["nom"], SEARCH["prenom"], birth, tolerance)
    )
    audit.record_views("registry.search_phonetic", (p.niss for p in results))  # one per NISS
    html = render_template(
        "dossiers/_person_search.html",
        dossier=None,
        recent=queries.recent_dossiers(user.organisation_id),
        source_label=SOURCE_LABEL,
        search_action="/dossiers/nouveau/recherche",
        form=form,
        results=results,
        window=search_window(birth, tolerance),
        details_endpoint="dossiers.person",
    )
    audit.flush_pending_views()  # after_request: the consultation is written
    return html


def dossier_index_floor(user: Any) -> str:
    """GET /dossiers/?lettre=D: access check, the first page of the index, the page."""
    user.has_function("dossiers.search")
    page = paginate(queries.index_query(user.organisation_id, LETTER, False), 1, 25)
    for dossier in page.items:  # one consultation per dossier listed
        audit.record_view("dossiers.index", obj=dossier, niss=dossier.niss)
    html = render_template(
        "dossiers/index.html",
        dossier=None,
        recent=queries.recent_dossiers(user.organisation_id),
        source_label=SOURCE_LABEL,
        page=page,
        letter=LETTER,
        archived=False,
        letters=queries.LETTERS,
    )
    audit.flush_pending_views()  # after_request: the consultations are written (one INSERT)
    return html


register(
    Scenario(
        "dossiers phonetic search",
        "/dossiers/nouveau/recherche",
        method="POST",
        body=SEARCH,
        signed_in_as=USER,
        headers={"HX-Request": "true"},
        floor=phonetic_search_floor,
        data_size=_register_size,
        data=("register",),
        target_p95_ms=20,
    )
)
register(
    Scenario(
        "dossiers index",
        f"/dossiers/?lettre={LETTER}",
        signed_in_as=USER,
        floor=dossier_index_floor,
        data_size=_dossiers_size,
        data=("dossiers",),
        target_p95_ms=50,
    )
)
