"""The social inquiry's world, shared by every inquiry test (identification, information,
resources, expenses, formulaire A).

* ``inquiry_people`` — the register (``add_person``): household 1 is DUPONT Marie (head),
  LEFEBVRE Jean (her partner), DUPONT Lucas (her child, born 2016), DUPONT Anne (her
  mother) and ROBERT Luc (a cohabitant); PEETERS Sofie lives alone (household 2, CPAS B's
  dossier). Each a namespace ``id`` (register row), ``niss``.
* ``inquiry_world`` — two CPAS (``cpas_a``, ``cpas_b``) and their users:
  ``social_a``/``social_b`` (the « Travailleur social » template), ``director_a``/
  ``director_b`` (« Tous les accès »), ``info_viewer_a`` (only ``inquiry.info_view`` and what
  it requires: the aid list, the household and dossier consultation), ``viewer_a``
  (``dossiers.view`` + ``dossiers.search``: no inquiry at all). ``dossier`` is CPAS A's
  dossier of Marie, made through ``cpas.dossiers.services`` with a de facto household of 5:
  ``dossier.members`` maps each relation (``beneficiary``, ``partner``, ``minor_child``,
  ``first_degree``, ``cohabitant``) to a namespace ``id`` (the ``HouseholdMember`` row),
  ``niss``, ``relation``; ``dossier_b`` is CPAS B's dossier of Sofie (beneficiary only).
  ``request`` is an open request (« Demande en cours ») on ``dossier``, ``request_b`` one on
  ``dossier_b``, both made through ``cpas.aid.services.create_request``.
* ``new_request(dossier, by, status="en_cours", request_date=None)`` — another request.
* ``submit(request, by)`` — walk an open request to « Rapport envoyé au Conseil » through
  ``AID.fire`` (proposal, submit); ``complete(request, by)`` — « Compléter l'enquête
  sociale » (back to « Demande en cours »). Both return the refreshed namespace.
* ``inquiry_urls`` — the contract's URLs: ``member(dossier, request, member, tail="")`` (M)
  and ``request(dossier, request, tail="")`` (R); ``dossier``/``request``/``member`` may be
  namespaces or ids.
* ``inquiry_row(request, member)`` — the ``MemberInquiry`` row as a namespace of its columns
  (or None); ``events(request)`` — the request's event kinds in order.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from cpas.access.functions import complete_dependencies
from cpas.access.models import OrganisationKind, User
from cpas.extensions import db
from tests.aid.conftest import SOCIAL_WORKER_CODES, VIEWER_CODES, WALK
from tests.dossiers.conftest import ADDRESS, add_person

RELATIONS_ORDER: tuple[str, ...] = (
    "beneficiary",
    "partner",
    "minor_child",
    "first_degree",
    "cohabitant",
)
INFO_VIEWER_CODES: tuple[str, ...] = tuple(sorted(complete_dependencies({"inquiry.info_view"})[0]))


def ident(obj: Any) -> int:
    """The id of a namespace (or an id already)."""
    return obj if isinstance(obj, int) else obj.id


@pytest.fixture
def inquiry_people(app):
    with app.app_context():
        rows = {
            "marie": add_person(
                "DUPONT", "Marie", "F", date(1985, 3, 14), 2, 1, True, "Chef de ménage"
            ),
            "jean": add_person(
                "LEFEBVRE", "Jean", "M", date(1983, 7, 2), 1, 1, False, "Cohabitant légal"
            ),
            "lucas": add_person("DUPONT", "Lucas", "M", date(2016, 5, 20), 3, 1, False, "Enfant"),
            "anne": add_person("DUPONT", "Anne", "F", date(1955, 1, 9), 4, 1, False, "Ascendant"),
            "luc": add_person("ROBERT", "Luc", "M", date(1992, 6, 30), 7, 1, False, "Cohabitant"),
            "sofie": add_person(
                "PEETERS",
                "Sofie",
                "F",
                date(1979, 11, 23),
                6,
                2,
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


def _make_dossier(app, by: User, main_ref: int, others: dict[str, int]) -> SimpleNamespace:
    """A dossier through ``cpas.dossiers.services``: ``main_ref`` the beneficiary, then each
    ``relation → register ref`` added to the de facto household."""
    from cpas.dossiers import services
    from cpas.registry.adapters import get_register

    address = services.Address(box=None, **ADDRESS)
    with app.app_context():
        actor = db.session.get(User, by.id)
        assert actor is not None
        register = get_register()
        person = register.by_ref(main_ref)
        assert person is not None
        dossier, created = services.create_dossier(actor.organisation, person, address, actor)
        assert created
        for relation, ref in others.items():
            other = register.by_ref(ref)
            assert other is not None
            services.add_member(dossier, other, address, relation, date(2020, 1, 1), actor)
        members = {
            m.relation: SimpleNamespace(id=m.id, niss=m.niss, relation=m.relation)
            for m in dossier.members
        }
        return SimpleNamespace(
            id=dossier.id,
            niss=dossier.niss,
            organisation_id=dossier.organisation_id,
            members=members,
            main=members["beneficiary"],
        )


def _request_ns(req: Any) -> SimpleNamespace:
    return SimpleNamespace(
        id=req.id,
        number=req.number,
        dossier_id=req.dossier_id,
        status=req.status,
        version=req.version,
    )


def _fire(app, request: Any, by: Any, actions: tuple[str, ...], directors: dict[int, Any]):
    """Fire ``actions`` on the request, each by ``by`` when they hold its functions, else by
    the director of the request's CPAS."""
    from cpas.aid.lifecycle import AID
    from cpas.aid.models import AidRequest

    with app.app_context():
        req = db.session.get(AidRequest, ident(request))
        actor = db.session.get(User, ident(by))
        assert req is not None and actor is not None
        director = db.session.get(User, directors[req.organisation_id].id)
        for action in actions:
            step = AID.step(action)
            assert step is not None
            who = actor if all(actor.has_function(c) for c in step.functions) else director
            given: dict[str, Any] = {}
            if action == "proposal":
                given = {"proposal": "Aide de 500 EUR.", "meeting_date": req.request_date}
            AID.fire(req, action, who, req.version, given, confirmed=True)
        req = db.session.get(AidRequest, req.id)
        assert req is not None
        return _request_ns(req)


@pytest.fixture
def inquiry_world(app, make_org, make_user, inquiry_people):
    cpas_a = make_org(OrganisationKind.CPAS, name="CPAS A")
    cpas_b = make_org(OrganisationKind.CPAS, name="CPAS B")
    world = SimpleNamespace(
        cpas_a=cpas_a,
        cpas_b=cpas_b,
        people=inquiry_people,
        social_a=make_user(cpas_a, SOCIAL_WORKER_CODES, email="as@cpas-a.be", last_name="Social"),
        director_a=make_user(cpas_a, all_access=True, email="dg@cpas-a.be", last_name="Director"),
        info_viewer_a=make_user(
            cpas_a, INFO_VIEWER_CODES, email="lecture@cpas-a.be", last_name="Lecteur"
        ),
        viewer_a=make_user(cpas_a, VIEWER_CODES, email="accueil@cpas-a.be", last_name="Viewer"),
        social_b=make_user(cpas_b, SOCIAL_WORKER_CODES, email="as@cpas-b.be", last_name="SocialB"),
        director_b=make_user(cpas_b, all_access=True, email="dg@cpas-b.be", last_name="DirectorB"),
    )
    world.directors = {cpas_a.id: world.director_a, cpas_b.id: world.director_b}
    p = inquiry_people
    world.dossier = _make_dossier(
        app,
        world.social_a,
        p.marie.id,
        {"partner": p.jean.id, "minor_child": p.lucas.id, "first_degree": p.anne.id,
         "cohabitant": p.luc.id},
    )  # fmt: skip
    world.dossier_b = _make_dossier(app, world.social_b, p.sofie.id, {})
    world.request = _new_request(app, world, world.dossier, world.social_a)
    world.request_b = _new_request(app, world, world.dossier_b, world.social_b)
    return world


def _new_request(
    app,
    world: SimpleNamespace,
    dossier: Any,
    by: Any,
    status: str = "en_cours",
    request_date: date | None = None,
) -> SimpleNamespace:
    from cpas.aid import services
    from cpas.aid.models import RequestKind
    from cpas.dossiers.models import Dossier

    with app.app_context():
        actor = db.session.get(User, ident(by))
        row = db.session.get(Dossier, ident(dossier))
        assert actor is not None and row is not None
        when = request_date or date.today()
        req = services.create_request(
            row,
            services.NewRequest(when, when, str(RequestKind.REQUEST), "Aide sociale financière."),
            actor,
        )
        ns = _request_ns(req)
    if WALK[status]:
        ns = _fire(app, ns, by, WALK[status], world.directors)
    return ns


@pytest.fixture
def new_request(app, inquiry_world):
    def _make(dossier: Any, by: Any, status: str = "en_cours", request_date=None):
        return _new_request(app, inquiry_world, dossier, by, status, request_date)

    return _make


@pytest.fixture
def submit(app, inquiry_world):
    """Walk an open request to « Rapport envoyé au Conseil » (proposal, then submit)."""

    def _submit(request: Any, by: Any) -> SimpleNamespace:
        return _fire(app, request, by, ("proposal", "submit"), inquiry_world.directors)

    return _submit


@pytest.fixture
def complete(app, inquiry_world):
    """« Compléter l'enquête sociale »: a submitted request back to « Demande en cours »."""

    def _complete(request: Any, by: Any) -> SimpleNamespace:
        return _fire(app, request, by, ("complete",), inquiry_world.directors)

    return _complete


class InquiryUrls:
    """The inquiry screens' URLs (contract of issue 15)."""

    @staticmethod
    def request(dossier: Any, request: Any, tail: str = "") -> str:
        base = f"/dossiers/{ident(dossier)}/demandes/{ident(request)}"
        return base + (f"/{tail}" if tail else "")

    @classmethod
    def member(cls, dossier: Any, request: Any, member: Any, tail: str = "") -> str:
        return cls.request(dossier, request, f"membres/{ident(member)}") + (
            f"/{tail}" if tail else ""
        )


@pytest.fixture
def inquiry_urls() -> type[InquiryUrls]:
    return InquiryUrls


@pytest.fixture
def inquiry_row(app):
    """The member's ``MemberInquiry`` for the request as a namespace of its columns."""
    from sqlalchemy import select

    from cpas.inquiry.models import MemberInquiry

    def _row(request: Any, member: Any) -> SimpleNamespace | None:
        with app.app_context():
            row = db.session.scalar(
                select(MemberInquiry).where(
                    MemberInquiry.request_id == ident(request),
                    MemberInquiry.member_id == ident(member),
                )
            )
            if row is None:
                return None
            return SimpleNamespace(
                **{c.key: getattr(row, c.key) for c in MemberInquiry.__table__.columns}
            )

    return _row


@pytest.fixture
def events(app):
    """The request's event kinds, oldest first."""
    from sqlalchemy import select

    from cpas.aid.models import AidRequestEvent

    def _events(request: Any) -> list[str]:
        with app.app_context():
            return list(
                db.session.scalars(
                    select(AidRequestEvent.kind)
                    .where(AidRequestEvent.request_id == ident(request))
                    .order_by(AidRequestEvent.id)
                )
            )

    return _events
