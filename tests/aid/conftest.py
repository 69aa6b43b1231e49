"""The aid requests' world, shared by every aid test (history, request page, printing).

* ``aid_world`` — two CPAS (``cpas_a``, ``cpas_b``), in each a social worker
  (``social_a``/``social_b``: the « Travailleur social » template's functions), a director
  (``director_a``/``director_b``: « Tous les accès ») and a user who may only look dossiers
  up (``viewer_a``/``viewer_b``: ``dossiers.view`` + ``dossiers.search``); and dossiers made
  through ``cpas.dossiers.services.create_dossier``, each with its register household:
  ``dossier_a`` (DUPONT Marie, CPAS A, her partner LEFEBVRE Jean added to the de facto
  household, ``jean_member_id``), ``dossier_a2`` (MARTIN Ahmed, CPAS A, alone) and
  ``dossier_b`` (PEETERS Sofie, CPAS B). Dossiers are plain namespaces (``id``, ``niss``,
  ``organisation_id``, ``main_member_id``); ``people`` holds the register rows (``id``,
  ``niss``): marie, jean, lucas (Marie's child, in her official household only), ahmed,
  sofie.
* ``make_request(dossier, by, request_date=None, status="en_cours", ...)`` — a request made
  through ``cpas.aid.services.create_request`` (so numbered, with its creation event, its
  household snapshot and its integration « en enquête »), then walked to ``status`` through
  ``AID.fire``: proposal → submit → decide → send_form → close. Each step is taken by
  ``by`` when they hold its functions, else by the director of the dossier's CPAS (the
  social worker does not decide nor close). ``archived=True`` then moves it to « Anciennes
  demandes ». Returns a namespace: ``id``, ``number``, ``dossier_id``, ``status``,
  ``version``.
* ``aid_urls`` — the URLs of the aid screens (``aid_urls.history(dossier)``,
  ``aid_urls.request(dossier, req)``…) so a test reads like the contract's table.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from cpas.access.models import OrganisationKind, User
from cpas.access.templates import TEMPLATES
from cpas.extensions import db
from tests.dossiers.conftest import ADDRESS, add_person

#: The path walked from « Demande en cours » to each status (each step's target).
WALK: dict[str, tuple[str, ...]] = {
    "en_cours": (),
    "soumise": ("proposal", "submit"),
    "decision": ("proposal", "submit", "decide"),
    "formulaire": ("proposal", "submit", "decide", "send_form"),
    "cloturee": ("proposal", "submit", "decide", "send_form", "close"),
}

SOCIAL_WORKER_CODES: tuple[str, ...] = tuple(
    sorted(next(t for t in TEMPLATES if t.key == "social_worker").codes())
)
VIEWER_CODES: tuple[str, ...] = ("dossiers.view", "dossiers.search")


def _ident(obj: Any) -> int:
    return obj if isinstance(obj, int) else obj.id


@pytest.fixture
def aid_people(app):
    """The register: DUPONT Marie (head), LEFEBVRE Jean (partner) and DUPONT Lucas (child)
    in household 1; MARTIN Ahmed alone (2); PEETERS Sofie alone (3)."""
    with app.app_context():
        rows = {
            "marie": add_person(
                "DUPONT", "Marie", "F", date(1985, 3, 14), 2, 1, True, "Chef de ménage"
            ),
            "jean": add_person(
                "LEFEBVRE", "Jean", "M", date(1983, 7, 2), 1, 1, False, "Cohabitant légal"
            ),
            "lucas": add_person("DUPONT", "Lucas", "M", date(2016, 5, 20), 3, 1, False, "Enfant"),
            "ahmed": add_person(
                "MARTIN", "Ahmed", "M", date(1990, 10, 5), 5, 2, True, "Chef de ménage"
            ),
            "sofie": add_person(
                "PEETERS",
                "Sofie",
                "F",
                date(1979, 11, 23),
                6,
                3,
                True,
                "Chef de ménage",
                street="Rue Haute",
                postal_code="1000",
                locality="Bruxelles",
            ),
        }
        db.session.commit()
        return SimpleNamespace(
            **{k: SimpleNamespace(id=v.id, niss=v.niss) for k, v in rows.items()}
        )


def _make_dossier(app, person_ref: int, by: User, partner_ref: int | None = None):
    from cpas.dossiers import services
    from cpas.registry.adapters import get_register

    address = services.Address(box=None, **ADDRESS)
    with app.app_context():
        actor = db.session.get(User, by.id)
        assert actor is not None
        register = get_register()
        person = register.by_ref(person_ref)
        assert person is not None
        dossier, created = services.create_dossier(actor.organisation, person, address, actor)
        assert created
        partner_id = None
        if partner_ref is not None:
            partner = register.by_ref(partner_ref)
            assert partner is not None
            services.add_member(dossier, partner, address, "partner", date(2020, 1, 1), actor)
            partner_id = next(m.id for m in dossier.members if m.niss == partner.niss)
        main_id = next(m.id for m in dossier.members if m.is_main)
        return SimpleNamespace(
            id=dossier.id,
            niss=dossier.niss,
            organisation_id=dossier.organisation_id,
            main_member_id=main_id,
            partner_member_id=partner_id,
        )


@pytest.fixture
def aid_world(app, make_org, make_user, aid_people):
    cpas_a = make_org(OrganisationKind.CPAS, name="CPAS A")
    cpas_b = make_org(OrganisationKind.CPAS, name="CPAS B")
    world = SimpleNamespace(
        cpas_a=cpas_a,
        cpas_b=cpas_b,
        people=aid_people,
        social_a=make_user(cpas_a, SOCIAL_WORKER_CODES, email="as@cpas-a.be", last_name="Social"),
        director_a=make_user(cpas_a, all_access=True, email="dg@cpas-a.be", last_name="Director"),
        viewer_a=make_user(cpas_a, VIEWER_CODES, email="accueil@cpas-a.be", last_name="Viewer"),
        social_b=make_user(cpas_b, SOCIAL_WORKER_CODES, email="as@cpas-b.be", last_name="SocialB"),
        director_b=make_user(cpas_b, all_access=True, email="dg@cpas-b.be", last_name="DirectorB"),
        viewer_b=make_user(cpas_b, VIEWER_CODES, email="accueil@cpas-b.be", last_name="ViewerB"),
    )
    world.directors = {cpas_a.id: world.director_a, cpas_b.id: world.director_b}
    world.dossier_a = _make_dossier(app, aid_people.marie.id, world.social_a, aid_people.jean.id)
    world.jean_member_id = world.dossier_a.partner_member_id
    world.dossier_a2 = _make_dossier(app, aid_people.ahmed.id, world.social_a)
    world.dossier_b = _make_dossier(app, aid_people.sofie.id, world.social_b)
    return world


@pytest.fixture
def make_request(app, aid_world):
    """Create a request through the service and walk it to ``status`` (see the module)."""
    from cpas.aid import services
    from cpas.aid.lifecycle import AID
    from cpas.aid.models import AidRequest, RequestKind
    from cpas.dossiers.models import Dossier

    def _make(
        dossier: Any,
        by: Any,
        request_date: date | None = None,
        status: str = "en_cours",
        *,
        effective_date: date | None = None,
        kind: str = RequestKind.REQUEST,
        nature: str = "Aide sociale financière : arriérés de loyer.",
        archived: bool = False,
        report: str | None = None,
    ) -> SimpleNamespace:
        walk = WALK[str(status)]
        with app.app_context():
            actor = db.session.get(User, _ident(by))
            row = db.session.get(Dossier, _ident(dossier))
            assert actor is not None and row is not None
            director = db.session.get(User, aid_world.directors[row.organisation_id].id)
            when = request_date or date.today()
            req = services.create_request(
                row,
                services.NewRequest(when, effective_date or when, str(kind), nature),
                actor,
            )
            if report is not None:
                AID.fire(req, "report", actor, req.version, {"report": report})
            for action in walk:
                step = AID.step(action)
                assert step is not None
                who = actor if all(actor.has_function(c) for c in step.functions) else director
                given: dict[str, Any] = {}
                if action == "proposal":
                    given = {"proposal": "Aide de 500 EUR.", "meeting_date": when}
                AID.fire(req, action, who, req.version, given, confirmed=True)
            if archived:
                services.set_archived(req, True, actor)
            req = db.session.get(AidRequest, req.id)
            assert req is not None and req.status == status
            return SimpleNamespace(
                id=req.id,
                number=req.number,
                dossier_id=req.dossier_id,
                status=req.status,
                version=req.version,
            )

    return _make


class AidUrls:
    """The aid screens' URLs (contract of issue 14)."""

    @staticmethod
    def history(dossier: Any, **query: str) -> str:
        base = f"/dossiers/{_ident(dossier)}/demandes"
        if query:
            base += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        return base

    @staticmethod
    def new(dossier: Any) -> str:
        return f"/dossiers/{_ident(dossier)}/demandes/nouvelle"

    @staticmethod
    def archive_closed(dossier: Any) -> str:
        return f"/dossiers/{_ident(dossier)}/demandes/archiver-cloturees"

    @staticmethod
    def request(dossier: Any, req: Any, tail: str = "") -> str:
        return f"/dossiers/{_ident(dossier)}/demandes/{_ident(req)}" + (f"/{tail}" if tail else "")

    @classmethod
    def archive(cls, dossier: Any, req: Any) -> str:
        return cls.request(dossier, req, "archiver")

    @classmethod
    def unarchive(cls, dossier: Any, req: Any) -> str:
        return cls.request(dossier, req, "replacer")


@pytest.fixture
def aid_urls() -> type[AidUrls]:
    return AidUrls
