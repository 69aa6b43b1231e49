"""Aid request scenarios: the dossier page with its « Historique des demandes d'aide », the
request page and the history's status filter (htmx fragment), at the largest CPAS's size.

Data: ``aid`` — on top of ``dossiers`` (30,000 × scale dossiers of « CPAS de Demoville »):
one to three requests on every dossier (about 2 × 30,000, with their events), and one
measured dossier (number ``BENCH-AID``) with 200 requests of every status (half of them in
« Anciennes demandes »), their events and household snapshots, and 8 de facto household
members. Everything is bulk-inserted with SQLAlchemy Core; the measured dossier keeps 200
requests whatever the scale (the query counts must not depend on it).

Floors: the aid views are thin (load, one query function, one template); the floor calls
the view function itself in the test request context (no HTTP, no before/after-request
hooks), so it runs exactly the view's SQL and template, then writes the consultations as
the after-request hook does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from flask import current_app, request
from sqlalchemy import func, insert, select, update

from bench.harness import Scenario, generator, register
from cpas import audit
from cpas.access.models import Organisation, User
from cpas.aid.models import AidRequest, AidRequestEvent
from cpas.aid.models import RequestStatus as S
from cpas.dossiers.models import Dossier, HouseholdMember, HouseholdSnapshot, SnapshotPerson
from cpas.extensions import db
from cpas.registry.models import RegisterPerson
from cpas.timeutil import utcnow

CPAS = "CPAS de Demoville"
USER = "as@cpas-demoville.be"  # « Travailleur social »: every aid function but the Council's
MEASURED = "BENCH-AID"  # the measured dossier's number
MEASURED_REQUESTS = 200
MEASURED_MEMBERS = 8  # the main beneficiary and 7 others
BATCH = 5_000
#: The history's status filter timed: the status with the most rows in the current history.
FILTERED = S.CLOSED

#: The events of the path to each status (the creation first).
PATH: dict[str, tuple[str, ...]] = {
    S.IN_PROGRESS: ("creation", "report"),
    S.SUBMITTED: ("creation", "report", "proposal", "submit"),
    S.DECIDED: ("creation", "report", "proposal", "submit", "decide"),
    S.FORM_SENT: ("creation", "report", "proposal", "submit", "decide", "send_form"),
    S.CLOSED: ("creation", "report", "proposal", "submit", "decide", "send_form", "close"),
}
MOVES = {
    "submit": (S.IN_PROGRESS, S.SUBMITTED),
    "decide": (S.SUBMITTED, S.DECIDED),
    "send_form": (S.DECIDED, S.FORM_SENT),
    "close": (S.FORM_SENT, S.CLOSED),
}
#: The other dossiers' requests, newest last: mostly finished, the newest often open.
SPREAD = (S.CLOSED, S.FORM_SENT, S.CLOSED, S.DECIDED, S.FORM_SENT, S.IN_PROGRESS)
#: The measured dossier's current history (the half not archived), cycled.
CURRENT = (S.CLOSED, S.FORM_SENT, S.DECIDED, S.FORM_SENT, S.CLOSED, S.IN_PROGRESS)

NATURES = (
    "Droit à l'intégration sociale",
    "Allocations de chauffage",
    "Aide sociale financière : arriérés de loyer",
    "Intervention dans les frais médicaux et pharmaceutiques",
    "Garantie locative",
    "Aide médicale urgente",
)
REPORT = (
    "Madame se présente à la permanence sociale et sollicite une aide pour faire face aux "
    "arriérés de loyer de deux mois (1.160 EUR) consécutifs à la perte de son emploi. Elle "
    "vit avec son compagnon et leurs trois enfants mineurs ; le compagnon perçoit des "
    "indemnités de la mutualité. L'enquête sociale (visite à domicile) confirme la "
    "composition de ménage et la résidence effective. Le budget établi avec le ménage "
    "laisse un solde insuffisant après les charges fixes (loyer, énergie, assurances, "
    "frais scolaires). Le propriétaire accepte un plan d'apurement si une partie de la "
    "dette est réglée avant la fin du mois. "
) * 4
PROPOSAL = (
    "Octroyer une aide financière remboursable de 580,00 EUR, payée directement au "
    "propriétaire, et accompagner le ménage par le service de médiation de dettes ; revoir "
    "la situation à la décision de l'organisme de paiement des allocations de chômage."
)


# --------------------------------------------------------------------------- data


@generator("aid", requires=["dossiers"])
def generate_aid(scale: float) -> None:
    """Requests and events on every Demoville dossier, and the measured dossier (idempotent:
    a dossier with requests gets none)."""
    org_id = db.session.scalar(select(Organisation.id).where(Organisation.name == CPAS))
    user_id = db.session.scalar(select(User.id).where(User.email == USER))
    db.session.info["write"] = True
    try:
        measured = _measured_dossier(org_id)
        if measured is not None:
            _insert_household(measured)
            _insert_requests(org_id, user_id, [(measured, _measured_plan())])
            _insert_snapshots(measured, user_id)
        _insert_requests(org_id, user_id, _spread_plans(org_id))
    finally:
        db.session.info.pop("write", None)


def _measured_dossier(org_id: int) -> int | None:
    """The dossier that gets 200 requests: ``BENCH-AID``, else the newest without any."""
    found = db.session.scalar(
        select(Dossier.id).where(
            Dossier.organisation_id == org_id, Dossier.dossier_number == MEASURED
        )
    )
    if found is not None:
        return found if not _has_requests(found) else None
    has_requests = select(AidRequest.dossier_id).where(AidRequest.dossier_id == Dossier.id)
    chosen = db.session.scalar(
        select(Dossier.id)
        .where(
            Dossier.organisation_id == org_id,
            Dossier.archived.is_(False),
            ~has_requests.exists(),
        )
        .order_by(Dossier.id.desc())
        .limit(1)
    )
    if chosen is not None:
        db.session.execute(
            update(Dossier).where(Dossier.id == chosen).values(dossier_number=MEASURED)
        )
        db.session.commit()
    return chosen


def _has_requests(dossier_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(func.count(AidRequest.id)).where(AidRequest.dossier_id == dossier_id)
        )
    )


def _measured_plan() -> list[tuple[str, bool]]:
    """(status, archived) of requests 1 to 200: the older half closed in « Anciennes
    demandes », then a current history of every status, the newest one open."""
    half = MEASURED_REQUESTS // 2
    plan = [(str(S.CLOSED), True)] * half
    plan += [(str(CURRENT[n % len(CURRENT)]), False) for n in range(MEASURED_REQUESTS - half - 1)]
    plan.append((str(S.IN_PROGRESS), False))
    return plan


def _spread_plans(org_id: int) -> Iterator[tuple[int, list[tuple[str, bool]]]]:
    """One to three requests on each dossier that has none."""
    has_requests = select(AidRequest.dossier_id).where(AidRequest.dossier_id == Dossier.id)
    ids = db.session.scalars(
        select(Dossier.id)
        .where(Dossier.organisation_id == org_id, ~has_requests.exists())
        .order_by(Dossier.id)
    ).all()
    for n, dossier_id in enumerate(ids):
        count = n % 3 + 1
        statuses = [SPREAD[(n + k) % len(SPREAD)] for k in range(count)]
        yield dossier_id, [(str(s), False) for s in statuses]


def _insert_requests(
    org_id: int, user_id: int | None, plans: Iterable[tuple[int, list[tuple[str, bool]]]]
) -> None:
    """The requests of each (dossier, plan), then their events, in batches."""
    now = utcnow()
    first_day = date.today() - timedelta(days=3650)
    rows: list[dict[str, Any]] = []
    for dossier_id, plan in plans:
        span = max(1, 3600 // len(plan))
        for number, (status, archived) in enumerate(plan, start=1):
            day = first_day + timedelta(days=(number - 1) * span)
            advanced = status != S.IN_PROGRESS
            proposed = advanced or number == MEASURED_REQUESTS  # the measured one is ready
            rows.append(
                {
                    "organisation_id": org_id,
                    "dossier_id": dossier_id,
                    "number": number,
                    "request_date": day,
                    "effective_date": day,
                    "kind": "demande",
                    "nature": NATURES[(dossier_id + number) % len(NATURES)],
                    "status": status,
                    "archived": archived,
                    "report": REPORT,
                    "report_at": now,
                    "proposal": PROPOSAL if proposed else None,
                    "meeting_date": day + timedelta(days=21) if proposed else None,
                    "proposal_at": now if proposed else None,
                    "submitted_at": now if advanced else None,
                    "integration_ok": True,
                    "created_at": now,
                    "created_by_id": user_id,
                    "version": len(PATH[status]),
                }
            )
        if len(rows) >= BATCH:
            _flush_requests(rows, user_id)
            rows = []
    if rows:
        _flush_requests(rows, user_id)
    db.session.commit()


def _flush_requests(rows: list[dict[str, Any]], user_id: int | None) -> None:
    db.session.execute(insert(AidRequest), rows)
    dossier_ids = sorted({r["dossier_id"] for r in rows})
    made = db.session.execute(
        select(AidRequest.id, AidRequest.status, AidRequest.number, AidRequest.dossier_id).where(
            AidRequest.dossier_id.in_(dossier_ids)
        )
    ).all()
    now = utcnow()
    events: list[dict[str, Any]] = []
    for request_id, status, number, _dossier in made:
        kinds = list(PATH[status])
        if number == MEASURED_REQUESTS and status == S.IN_PROGRESS:
            kinds += ["modify", "proposal", "modify", "report", "modify"]  # a busy request
        for n, kind in enumerate(kinds):
            # creation: no status yet; report, proposal, modify: taken « en cours »
            kept = None if kind == "creation" else str(S.IN_PROGRESS)
            old, new = MOVES.get(kind, (kept, kept))
            events.append(
                {
                    "request_id": request_id,
                    "kind": kind,
                    "at": now + timedelta(seconds=n),
                    "user_id": user_id,
                    "from_status": old,
                    "to_status": new,
                }
            )
    for start in range(0, len(events), BATCH):
        db.session.execute(insert(AidRequestEvent), events[start : start + BATCH])


def _insert_household(dossier_id: int) -> None:
    """7 members beside the main beneficiary (register persons who are not in it yet)."""
    have = set(
        db.session.scalars(
            select(HouseholdMember.niss).where(HouseholdMember.dossier_id == dossier_id)
        )
    )
    missing = MEASURED_MEMBERS - len(have)
    if missing <= 0:
        return
    people = db.session.scalars(
        select(RegisterPerson)
        .where(RegisterPerson.is_head.is_(False), RegisterPerson.niss.not_in(have))
        .order_by(RegisterPerson.id)
        .limit(missing)
    ).all()
    relations = ("partner", "minor_child", "minor_child", "minor_child", "first_degree")
    now = utcnow()
    db.session.execute(
        insert(HouseholdMember),
        [
            {
                "dossier_id": dossier_id,
                "is_main": False,
                "relation": relations[n % len(relations)],
                "relation_start": date.today() - timedelta(days=400),
                "niss": p.niss,
                "last_name": p.last_name,
                "first_name": p.first_name,
                "sex": p.sex,
                "birth_date": p.birth_date,
                "birth_precision": p.birth_precision,
                "nationality": p.nationality,
                "civil_state": p.civil_state,
                "registre": p.registre,
                "street": p.street or "Rue de la Station",
                "house_number": p.house_number or "1",
                "postal_code": p.postal_code or "4000",
                "locality": p.locality or "Liège",
                "refreshed_at": now,
            }
            for n, p in enumerate(people)
        ],
    )
    db.session.commit()


def _insert_snapshots(dossier_id: int, user_id: int | None) -> None:
    """The official household taken for each request (8 persons each)."""
    request_ids = db.session.scalars(
        select(AidRequest.id).where(AidRequest.dossier_id == dossier_id)
    ).all()
    done = set(
        db.session.scalars(
            select(HouseholdSnapshot.request_id).where(HouseholdSnapshot.dossier_id == dossier_id)
        )
    )
    todo = [r for r in request_ids if r not in done]
    if not todo:
        return
    now = utcnow()
    db.session.execute(
        insert(HouseholdSnapshot),
        [
            {"dossier_id": dossier_id, "request_id": r, "taken_at": now, "taken_by_id": user_id}
            for r in todo
        ],
    )
    snapshot_ids = db.session.scalars(
        select(HouseholdSnapshot.id).where(HouseholdSnapshot.request_id.in_(todo))
    ).all()
    members = db.session.scalars(
        select(HouseholdMember).where(HouseholdMember.dossier_id == dossier_id)
    ).all()
    rows = [
        {
            "snapshot_id": s,
            "niss": m.niss,
            "last_name": m.last_name,
            "first_name": m.first_name,
            "sex": m.sex,
            "birth_date": m.birth_date,
            "is_head": m.is_main,
            "relation_to_head": "Chef de ménage" if m.is_main else "Membre du ménage",
        }
        for s in snapshot_ids
        for m in members
    ]
    db.session.expunge_all()
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(SnapshotPerson), rows[start : start + BATCH])
    db.session.commit()


# --------------------------------------------------------------------------- paths


def _measured_id() -> int:
    found = db.session.scalar(select(Dossier.id).where(Dossier.dossier_number == MEASURED))
    if found is None:
        raise LookupError("the aid generator made no measured dossier")
    return found


def _newest_request() -> tuple[int, int]:
    dossier_id = _measured_id()
    request_id = db.session.scalar(
        select(AidRequest.id)
        .where(AidRequest.dossier_id == dossier_id)
        .order_by(AidRequest.number.desc())
        .limit(1)
    )
    assert request_id is not None
    return dossier_id, request_id


def _size() -> str:
    org_id = db.session.scalar(select(Organisation.id).where(Organisation.name == CPAS))
    dossiers = db.session.scalar(
        select(func.count(Dossier.id)).where(Dossier.organisation_id == org_id)
    )
    requests = db.session.scalar(
        select(func.count(AidRequest.id)).where(AidRequest.organisation_id == org_id)
    )
    events = db.session.scalar(select(func.count(AidRequestEvent.id)))
    measured = _measured_id()
    on_it = db.session.scalar(
        select(func.count(AidRequest.id)).where(AidRequest.dossier_id == measured)
    )
    members = db.session.scalar(
        select(func.count(HouseholdMember.id)).where(HouseholdMember.dossier_id == measured)
    )

    def n(value: int | None) -> str:
        return f"{value or 0:,}".replace(",", ".")

    return (
        f"{n(dossiers)} dossiers, {n(requests)} req., {n(events)} events; "
        f"measured: {n(on_it)} req., {n(members)} members"
    )


# --------------------------------------------------------------------------- floors


def view_floor(_user: Any) -> Any:
    """The view of the request's URL, called directly (the user is signed in by the
    harness), then the consultations written as after the response."""
    assert request.url_rule is not None and request.url_rule.endpoint is not None
    response = current_app.view_functions[request.url_rule.endpoint](**(request.view_args or {}))
    audit.flush_pending_views()
    return response


register(
    Scenario(
        "aid dossier page",
        lambda: f"/dossiers/{_measured_id()}",
        signed_in_as=USER,
        floor=view_floor,
        data_size=_size,
        data=("aid",),
        target_p95_ms=80,
    )
)
register(
    Scenario(
        "aid request page",
        lambda: "/dossiers/{}/demandes/{}".format(*_newest_request()),
        signed_in_as=USER,
        floor=view_floor,
        data_size=_size,
        data=("aid",),
        target_p95_ms=50,
    )
)
register(
    Scenario(
        "aid status filter",
        lambda: f"/dossiers/{_measured_id()}/demandes?statut={FILTERED}",
        signed_in_as=USER,
        headers={"HX-Request": "true"},
        floor=view_floor,
        data_size=_size,
        data=("aid",),
        target_p95_ms=30,
    )
)
