"""Demo aid requests: DUPONT Marie's history of seed 002 and a few open requests.

Marie (« CPAS de Demoville », her dossier from ``cpas/dossiers/demo.py``) gets the eight
requests of seed 002's « Historique des demandes d'aide », each walked to its status
through ``services.create_request`` and ``AID.fire`` (never a status set by hand): the
social worker ``as@cpas-demoville.be`` writes, the director ``dg@cpas-demoville.be`` takes
the steps the social worker's profile does not hold (the Council's decision and form, the
closing). Request 2 stays « Rapport envoyé au Conseil », so Marie's household is frozen:
her partner and her child are added to it first. Three other Demoville dossiers get an
open request each (one ready to submit, one with an effective date before its request
date), and one dossier of « CPAS de Exempleville » gets one.

Idempotent: a dossier that already has a request is left alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from ..access.models import Organisation, User
from ..dossiers import services as dossier_services
from ..dossiers.freeze import frozen_reason
from ..dossiers.models import Dossier
from ..extensions import db
from ..registry.adapters import get_register
from ..registry.demo_people import DEMO_HOUSEHOLDS
from . import services
from .lifecycle import AID
from .models import AidRequest, RequestKind

DEMOVILLE = "CPAS de Demoville"
EXEMPLEVILLE = "CPAS de Exempleville"
SOCIAL_WORKER = "as@cpas-demoville.be"
DIRECTOR = "dg@cpas-demoville.be"
EXEMPLEVILLE_AUTHOR = "admin@cpas-exempleville.be"

_MARIE, _JEAN, _LUCAS = (p["niss"] for p in DEMO_HOUSEHOLDS[0])
_AHMED = DEMO_HOUSEHOLDS[1][0]["niss"]
#: The steps the social worker's profile does not hold (the Council's, and closing).
DIRECTOR_STEPS = frozenset({"decide", "send_form", "close"})


@dataclass(frozen=True)
class DemoStep:
    """A step of the request and what its form would give."""

    action: str
    given: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoRequest:
    request_date: date
    nature: str
    steps: tuple[DemoStep, ...] = ()
    effective_date: date | None = None
    kind: str = RequestKind.REQUEST
    archived: bool = False


def _council(report: str, proposal: str, meeting: int) -> tuple[DemoStep, ...]:
    """Report, proposal (the Council meets ``meeting`` days after the request), submission."""
    return (
        DemoStep("report", {"report": report}),
        DemoStep("proposal", {"proposal": proposal, "meeting": meeting}),
        DemoStep("submit"),
    )


DECIDED = (DemoStep("decide"),)
FORM_SENT = (*DECIDED, DemoStep("send_form"))


# --------------------------------------------------------------------------- texts

REPORT_1 = (
    "Madame DUPONT se présente à la permanence sociale le 09/02/2016 et sollicite "
    "l'allocation de chauffage pour une livraison de 1.000 litres de gasoil de chauffage "
    "(facture du fournisseur du 02/02/2016 : 498,60 EUR TVAC). Elle occupe avec son "
    "compagnon, Monsieur LEFEBVRE, une maison unifamiliale chauffée au mazout, Rue "
    "Saint-Gilles 45 à Liège ; l'adresse de livraison est celle de la résidence principale.\n\n"
    "Ressources du ménage : allocations de chômage de Monsieur (1.112,40 EUR par mois) ; "
    "Madame est sans revenu. Les revenus annuels bruts imposables du ménage restent sous "
    "le plafond de la catégorie 3 (revenus limités). Aucune autre demande d'allocation de "
    "chauffage n'a été introduite pour ce ménage durant l'année civile."
)
PROPOSAL_1 = (
    "Octroyer l'allocation de chauffage, catégorie 3 (revenus limités), pour 1.000 litres "
    "de gasoil de chauffage livrés le 02/02/2016, soit 140,00 EUR, versés sur le compte "
    "de Madame DUPONT."
)
REPORT_2 = (
    "Madame DUPONT est enceinte de 7 mois (terme prévu fin juin 2016) et n'est pas en "
    "ordre de mutuelle depuis la fin de son contrat de travail : la mutualité demande la "
    "régularisation des cotisations du dernier trimestre. Les frais du suivi de grossesse "
    "(consultations gynécologiques, échographies, analyses) sont avancés par le ménage.\n\n"
    "Le budget du ménage, établi avec Madame, laisse un solde de 96 EUR par mois après les "
    "charges fixes (loyer 580 EUR, énergie 145 EUR). Madame a introduit sa demande de "
    "régularisation auprès de la mutualité le 08/04/2016."
)
PROPOSAL_2 = (
    "Prendre en charge, au titre de l'aide sociale, les frais médicaux et pharmaceutiques "
    "du suivi de grossesse non remboursés, sur présentation des attestations, du "
    "11/04/2016 au 31/07/2016, dans la limite de 600,00 EUR, dans l'attente de la "
    "régularisation auprès de la mutualité."
)
REPORT_3 = (
    "Dans la perspective de la naissance, Madame DUPONT sollicite une aide ponctuelle "
    "pour l'achat de l'équipement de puériculture de première nécessité (lit, matelas, "
    "poussette, siège auto). Devis du magasin de seconde main « La Ressourcerie » : "
    "385,00 EUR. Le ménage n'a pas d'épargne ; la prime de naissance n'est pas encore "
    "versée."
)
PROPOSAL_3 = (
    "Octroyer une aide financière ponctuelle de 385,00 EUR pour l'équipement de "
    "puériculture, payée directement au fournisseur sur présentation de la facture."
)
REPORT_4 = (
    "Monsieur LEFEBVRE a quitté le logement familial en janvier 2017 et y est revenu en "
    "mars. Ses allocations de chômage sont suspendues depuis le 01/03/2017 (décision de "
    "l'ONEM du 22/02/2017, recours introduit). Madame DUPONT s'occupe seule de Lucas "
    "(9 mois). Le ménage ne dispose d'aucun revenu depuis le 01/03/2017.\n\n"
    "Madame est disposée à travailler : inscrite comme demandeuse d'emploi au FOREm, elle "
    "accepte un projet individualisé d'intégration sociale (formation d'aide-comptable). "
    "L'enquête sociale (visite à domicile du 13/03/2017) confirme la résidence effective."
)
PROPOSAL_4 = (
    "Octroyer le revenu d'intégration au taux « personne vivant avec une famille à sa "
    "charge » à partir du 15/03/2017, avec un projet individualisé d'intégration sociale "
    "(formation), et revoir le dossier à la décision de l'ONEM sur le recours."
)
REPORT_5 = (
    "Le recours de Monsieur LEFEBVRE contre la suspension de ses allocations a abouti : "
    "l'ONEM lui verse à nouveau ses allocations à partir du 01/06/2017 (1.124,80 EUR par "
    "mois). Les ressources du ménage changent : les revenus du partenaire sont pris en "
    "compte pour le calcul du revenu d'intégration de Madame."
)
PROPOSAL_5 = (
    "Revoir le revenu d'intégration de Madame DUPONT au taux cohabitant à partir du "
    "01/06/2017, déduction faite de la part des ressources du partenaire, et poursuivre "
    "le projet individualisé d'intégration sociale."
)
REPORT_6 = (
    "Madame DUPONT signale une facture de régularisation d'électricité de 412,35 EUR "
    "(échéance 15/07/2017). Un plan de paiement est en cours de négociation avec le "
    "fournisseur ; le service de médiation de dettes est consulté."
)
REPORT_7 = (
    "Madame DUPONT a terminé son contrat à durée déterminée le 31/03/2022 ; ses droits "
    "aux allocations de chômage ne sont pas ouverts (stage d'insertion non accompli). "
    "Monsieur LEFEBVRE est en incapacité de travail depuis janvier (indemnités de la "
    "mutualité : 1.038,20 EUR par mois). Lucas est scolarisé en 1re primaire.\n\n"
    "L'enquête sociale (visite à domicile du 05/04/2022) confirme la composition de ménage "
    "et la résidence effective. Madame s'engage à rechercher activement un emploi et à "
    "suivre l'accompagnement du service d'insertion socioprofessionnelle."
)
PROPOSAL_7 = (
    "Octroyer le revenu d'intégration au taux cohabitant à partir du 07/04/2022, "
    "déduction faite des ressources du partenaire, avec un projet individualisé "
    "d'intégration sociale (recherche d'emploi accompagnée)."
)
REPORT_A = (
    "Monsieur sollicite une aide pour la garantie locative d'un appartement (loyer "
    "620 EUR) : son bail actuel prend fin le mois prochain à la suite de la vente du "
    "bien. Revenus : allocations de chômage (1.180 EUR par mois). Il ne peut pas "
    "constituer la garantie de deux mois de loyer."
)
PROPOSAL_A = (
    "Accorder une garantie locative sous forme de lettre de garantie du CPAS "
    "(1.240,00 EUR), remboursable à raison de 40 EUR par mois."
)


#: Marie's history (seed 002), numbered 1 to 8 in this order.
MARIE_REQUESTS: tuple[DemoRequest, ...] = (
    DemoRequest(
        date(2016, 2, 9),
        "Allocations de chauffage",
        (*_council(REPORT_1, PROPOSAL_1, 21), *FORM_SENT),
        archived=True,
    ),
    DemoRequest(
        date(2016, 4, 11),
        "Intervention dans les frais médicaux et pharmaceutiques (suivi de grossesse)",
        _council(REPORT_2, PROPOSAL_2, 23),
    ),
    DemoRequest(
        date(2016, 4, 18),
        "Autre aide sociale",
        (*_council(REPORT_3, PROPOSAL_3, 16), *DECIDED, DemoStep("close")),
        archived=True,
    ),
    DemoRequest(
        date(2017, 3, 15),
        "Droit à l'intégration sociale",
        (*_council(REPORT_4, PROPOSAL_4, 27), *DECIDED),
    ),
    DemoRequest(
        date(2017, 5, 31),
        "Droit à l'intégration sociale (révision : ressources du partenaire)",
        (*_council(REPORT_5, PROPOSAL_5, 27), *FORM_SENT),
        effective_date=date(2017, 6, 1),
    ),
    DemoRequest(
        date(2017, 6, 20),
        "Aide au paiement d'une facture d'électricité",
        (DemoStep("report", {"report": REPORT_6}),),
    ),
    DemoRequest(
        date(2022, 4, 7),
        "Droit à l'intégration sociale",
        (*_council(REPORT_7, PROPOSAL_7, 28), *FORM_SENT),
    ),
    DemoRequest(
        date(2023, 1, 12),
        "Chauffage",
        (
            # « Enrichissement de la demande » (seed 002's « Demande courante »)
            DemoStep(
                "modify",
                {"kind": RequestKind.REQUEST, "effective_date": date(2023, 7, 17)},
            ),
        ),
    ),
)
#: The nature « Mazout » request 8 is enriched with (seed 002's « Demande courante »).
MARIE_8_NATURE = "Mazout"


def _open_requests(today: date) -> tuple[DemoRequest, ...]:
    """One open request each for three other Demoville dossiers (dated from today)."""
    ready = today - timedelta(days=9)
    return (
        # report and proposal saved: « Soumettre la demande au Conseil » is the next step
        DemoRequest(
            ready,
            "Aide à la constitution d'une garantie locative",
            (
                DemoStep("report", {"report": REPORT_A}),
                DemoStep("proposal", {"proposal": PROPOSAL_A, "meeting": 23}),
            ),
        ),
        # an effective date before the request date: the request page warns about it
        DemoRequest(
            today - timedelta(days=4),
            "Aide sociale financière : arriérés de loyer depuis deux mois",
            effective_date=today - timedelta(days=35),
        ),
        DemoRequest(
            today - timedelta(days=1),
            "Intervention dans les frais d'hébergement en maison de repos",
            kind=RequestKind.EX_OFFICIO,
        ),
    )


# --------------------------------------------------------------------------- building


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _has_requests(dossier: Dossier) -> bool:
    count = db.session.scalar(
        select(func.count(AidRequest.id)).where(AidRequest.dossier_id == dossier.id)
    )
    return bool(count)


def _given(demo: DemoRequest, step: DemoStep) -> dict[str, Any]:
    given = dict(step.given)
    if "meeting" in given:
        given["meeting_date"] = demo.request_date + timedelta(days=given.pop("meeting"))
    if step.action == "modify":
        given.setdefault("nature", demo.nature)
    return given


def build_request(dossier: Dossier, demo: DemoRequest, writer: User, director: User) -> AidRequest:
    """One demo request through the services, walked step by step through ``AID``."""
    request = services.create_request(
        dossier,
        services.NewRequest(
            demo.request_date,
            demo.effective_date or demo.request_date,
            str(demo.kind),
            demo.nature,
        ),
        writer,
    )
    for step in demo.steps:
        by = director if step.action in DIRECTOR_STEPS else writer
        AID.fire(request, step.action, by, request.version, _given(demo, step), confirmed=True)
    if demo.archived:
        services.set_archived(request, True, writer)
    return request


def _complete_household(dossier: Dossier, by: User) -> None:
    """Marie's partner and child in her de facto household (before any submission)."""
    if frozen_reason(dossier):
        return
    members = {m.niss for m in dossier.members if m.removed_at is None}
    main = next(m for m in dossier.members if m.is_main)
    address = dossier_services.Address(
        main.street, main.house_number, main.box, main.postal_code, main.locality
    )
    register = get_register()
    for niss, relation, since in (
        (_JEAN, "partner", date(2014, 9, 1)),
        (_LUCAS, "minor_child", date(2016, 6, 21)),
    ):
        person = register.by_niss(niss)
        if person is not None and niss not in members:
            dossier_services.add_member(dossier, person, address, relation, since, by)


def _seed_marie(cpas: Organisation, writer: User, director: User) -> None:
    marie = db.session.scalar(
        select(Dossier).where(Dossier.organisation_id == cpas.id, Dossier.niss == _MARIE)
    )
    if marie is None or _has_requests(marie):
        return
    _complete_household(marie, writer)
    for number, demo in enumerate(MARIE_REQUESTS, start=1):
        if number == len(MARIE_REQUESTS):
            demo = _with_enriched_nature(demo)
        request = build_request(marie, demo, writer, director)
        assert request.number == number, "Marie's requests are numbered 1 to 8"


def _with_enriched_nature(demo: DemoRequest) -> DemoRequest:
    steps = tuple(
        DemoStep(s.action, {**s.given, "nature": MARIE_8_NATURE}) if s.action == "modify" else s
        for s in demo.steps
    )
    return DemoRequest(demo.request_date, demo.nature, steps, demo.effective_date, demo.kind)


def _seed_others(cpas: Organisation, writer: User, director: User) -> None:
    dossiers = db.session.scalars(
        select(Dossier)
        .where(
            Dossier.organisation_id == cpas.id,
            Dossier.niss.not_in((_MARIE, _AHMED)),
            Dossier.archived.is_(False),
        )
        .order_by(Dossier.id)
        .limit(3)
    ).all()
    for dossier, demo in zip(dossiers, _open_requests(date.today()), strict=False):
        if not _has_requests(dossier):
            build_request(dossier, demo, writer, director)


def _seed_exempleville(cpas: Organisation) -> None:
    """MARTIN Ahmed also has a dossier at Exempleville: each CPAS sees only its own."""
    author = _user(EXEMPLEVILLE_AUTHOR)
    if author is None:
        return
    person = get_register().by_niss(_AHMED)
    if person is None:
        return
    address = dossier_services.Address(
        person.street or "", person.house_number or "1", person.box,
        person.postal_code or "1000", person.locality or "",
    )  # fmt: skip
    dossier, _created = dossier_services.create_dossier(cpas, person, address, author)
    if _has_requests(dossier):
        return
    today = date.today()
    build_request(
        dossier,
        DemoRequest(today - timedelta(days=6), "Aide médicale : frais pharmaceutiques"),
        author,
        author,
    )


def seed(orgs: dict[str, Organisation]) -> None:
    """Idempotent: a dossier that has a request already gets none."""
    demoville, exempleville = orgs.get(DEMOVILLE), orgs.get(EXEMPLEVILLE)
    writer, director = _user(SOCIAL_WORKER), _user(DIRECTOR)
    if demoville is not None and writer is not None and director is not None:
        _seed_marie(demoville, writer, director)
        _seed_others(demoville, writer, director)
    if exempleville is not None:
        _seed_exempleville(exempleville)
