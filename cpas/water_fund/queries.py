"""Reads of the water fund, always scoped to what the user's organisation may see."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, func, select, union
from sqlalchemy.orm import selectinload

from ..access.models import Organisation, OrganisationKind, User
from ..extensions import db
from ..scoping import get_scoped_or_404, scoped_loader
from ..textutil import fold
from . import states as st
from .models import DrawingRight, WaterFile, WaterRequest
from .states import side_of as side_of  # re-exported: the side is read here too

SORTS = {
    "id": WaterRequest.id,
    "nom": WaterRequest.last_name,
    "prenom": WaterRequest.first_name,
    "client": WaterRequest.client_number,
    "montant": WaterRequest.granted_amount,
    "date": WaterRequest.created_at,
    "statut": WaterRequest.status,
}


def visible(user: User, query: Select) -> Select:
    """Restrict a query on WaterRequest to what the user's side may see.

    The SQL twin of ``WaterRequest.visible_to`` (the rule for one loaded request)."""
    side = side_of(user)
    if side == st.CPAS:
        return query.where(WaterRequest.cpas_id == user.organisation_id)
    if side == st.DISTRIBUTOR:
        return query.where(WaterRequest.distributor_id == user.organisation_id)
    return query  # the fund manager reads everything


@scoped_loader
def get_request_or_404(user: User, request_id: int, kind: str | None = None) -> WaterRequest:
    """The request if ``user``'s side may see it (and it is of ``kind``), else 404."""
    return get_scoped_or_404(WaterRequest, request_id, user, same={"kind": kind} if kind else None)


@scoped_loader
def get_file_or_404(user: User, file_id: int) -> WaterFile:
    """A request's file if ``user``'s side may see the request, else 404."""
    return get_scoped_or_404(WaterFile, file_id, user)


@dataclass
class ListFilters:
    kind: str
    year: int
    q: str = ""
    status: str = ""
    next_actor: str = ""
    sort: str = "id"
    direction: str = "desc"
    args: dict = field(default_factory=dict)


class Listing(NamedTuple):
    """A list statement and the values of this request for its parameters."""

    statement: Select
    params: dict[str, Any]


#: What the table shows of a request (screen and PDF).
TABLE_COLUMNS = (
    WaterRequest.id,
    WaterRequest.last_name,
    WaterRequest.first_name,
    WaterRequest.client_number,
    WaterRequest.granted_amount,
    WaterRequest.created_at,
    WaterRequest.status,
)
#: What the Excel export writes of a request.
EXPORT_COLUMNS = (
    *TABLE_COLUMNS,
    WaterRequest.distributor_id,
    WaterRequest.requested_amount,
    WaterRequest.internal_ref,
)
#: ``list_query(columns=…)``: plain rows of the table's or the export's columns (no ORM
#: object to build for rows that are only displayed or written out).
COLUMN_SETS: dict[str, tuple[Any, ...]] = {
    "table": TABLE_COLUMNS,
    "export": EXPORT_COLUMNS,
}
_ACTORS = frozenset(st.NEXT_ACTOR.values())


def list_query(user: User, f: ListFilters, *, columns: str = "table") -> Listing:
    """Rows of the FAT/FSE table (one query): the columns of ``COLUMN_SETS[columns]``,
    the CPAS name (``cpas_name``) and the file count (``file_count``).

    The statement depends only on the shape of the filters; it is built once per shape
    and the request's values go in as parameters, so a page pays neither for building it
    nor for its SQL cache key. The organisation is always a parameter: the shape says
    which side the user is on, never which organisation."""
    side = side_of(user)
    term = fold(f.q)
    by_id = term.isascii() and term.isdigit() and len(term) < 10
    status = f.status if f.status in st.STATUSES[f.kind] else ""
    # Any other « action suivante » matches nothing, as an empty list of statuses.
    actor = f.next_actor if f.next_actor in _ACTORS or not f.next_actor else "?"
    params: dict[str, Any] = {"kind": f.kind, "year": f.year}
    if side != st.FUND_MANAGER:
        params["organisation_id"] = user.organisation_id
    if term:
        params["term"] = term
        params["upper"] = term[:-1] + chr(ord(term[-1]) + 1)
    if by_id:
        params["request_id"] = int(term)
    if status:
        params["status"] = status
    statement = _list_statement(
        columns,
        side,
        bool(term),
        by_id,
        bool(status),
        actor,
        f.sort if f.sort in SORTS else "id",
        f.direction == "asc",
    )
    return Listing(statement, params)


@functools.lru_cache(maxsize=512)
def _list_statement(
    columns: str,
    side: str,
    search: bool,
    by_id: bool,
    status: bool,
    actor: str,
    sort: str,
    ascending: bool,
) -> Select:
    files = (
        select(func.count(WaterFile.id))
        .where(WaterFile.request_id == WaterRequest.id)
        .correlate(WaterRequest)
        .scalar_subquery()
    )
    kind: Any = bindparam("kind")
    query = (
        select(
            *COLUMN_SETS[columns], Organisation.name.label("cpas_name"), files.label("file_count")
        )
        .join(Organisation, Organisation.id == WaterRequest.cpas_id)
        .where(WaterRequest.kind == kind, WaterRequest.year == bindparam("year"))
    )
    if side == st.CPAS:
        query = query.where(WaterRequest.cpas_id == bindparam("organisation_id"))
    elif side == st.DISTRIBUTOR:
        query = query.where(WaterRequest.distributor_id == bindparam("organisation_id"))
    if search:
        # « commence par » on each folded key: one indexed range per key, united, so the
        # database never scans the year's rows (an OR of ranges would)
        keys = (
            WaterRequest.name_key,
            WaterRequest.first_key,
            WaterRequest.client_key,
            WaterRequest.ref_key,
        )
        matches = [
            select(WaterRequest.id).where(
                WaterRequest.kind == kind, key >= bindparam("term"), key < bindparam("upper")
            )
            for key in keys
        ]
        if by_id:
            matches.append(
                select(WaterRequest.id).where(WaterRequest.id == bindparam("request_id"))
            )
        query = query.where(WaterRequest.id.in_(union(*matches).scalar_subquery()))
    if status:
        query = query.where(WaterRequest.status == bindparam("status"))
    if actor:
        statuses = [s for s, who in st.NEXT_ACTOR.items() if who == actor]
        query = query.where(WaterRequest.status.in_(statuses))
    column = SORTS[sort]
    return query.order_by(column.asc() if ascending else column.desc(), WaterRequest.id.desc())


def export_rows(user: User, f: ListFilters):
    """The filtered view as export rows, streamed from the database."""
    listing = list_query(user, f, columns="export")
    # Names, not ids, in the sheet: distributors are few, one small read beats a join per row.
    distributors = dict(
        db.session.execute(
            select(Organisation.id, Organisation.name).where(
                Organisation.kind == OrganisationKind.DISTRIBUTOR.value
            )
        ).all()
    )
    # Plain rows of the exported columns, 1000 at a time: memory stays flat on 50k rows.
    result = db.session.execute(
        listing.statement, listing.params, execution_options={"yield_per": 1000}
    )
    for row in result:
        yield [
            row.id,
            row.last_name,
            row.first_name,
            row.client_number,
            row.cpas_name,
            distributors.get(row.distributor_id, ""),
            row.granted_amount,
            row.requested_amount,
            row.created_at,
            str(st.STATUS_LABELS[row.status]),
            str(st.NEXT_ACTOR_LABELS[row.status]),
            row.file_count,
            row.internal_ref or "",
        ]


def request_detail(request_id: int) -> WaterRequest:
    return db.session.scalars(
        select(WaterRequest)
        .where(WaterRequest.id == request_id)
        .options(
            selectinload(WaterRequest.lines),
            selectinload(WaterRequest.files),
            selectinload(WaterRequest.events),
        )
    ).one()


# --------------------------------------------------------------------------- dashboard


@dataclass
class KindFigures:
    closed: int = 0
    in_progress: int = 0
    refused: int = 0
    cancelled: int = 0
    amount_closed: Decimal = Decimal("0")
    amount_in_progress: Decimal = Decimal("0")


@dataclass
class Dashboard:
    year: int
    figures: dict[str, KindFigures]
    dtu: Decimal
    dtu_remaining: Decimal
    dtu_usage: Decimal | None
    monthly_fse: list[Decimal]


def _scope_rights(user: User, query: Select) -> Select:
    side = side_of(user)
    if side == st.CPAS:
        return query.where(DrawingRight.cpas_id == user.organisation_id)
    if side == st.DISTRIBUTOR:
        return query.where(DrawingRight.distributor_id == user.organisation_id)
    return query


def dashboard(user: User, year: int) -> Dashboard:
    """Counts and amounts per kind and status bucket, DTU figures, monthly closed FSE."""
    amount = func.coalesce(WaterRequest.granted_amount, WaterRequest.requested_amount, 0)
    grouped = visible(
        user,
        select(WaterRequest.kind, WaterRequest.status, func.count(), func.sum(amount))
        .where(WaterRequest.year == year)
        .group_by(WaterRequest.kind, WaterRequest.status),
    )
    figures = {kind: KindFigures() for kind in st.KINDS}
    for kind, status, count, total in db.session.execute(grouped):
        bucket = st.counts_as(kind, status)
        fig = figures[kind]
        setattr(fig, bucket, getattr(fig, bucket) + count)
        if bucket == "closed":
            fig.amount_closed += Decimal(total or 0)
        elif bucket == "in_progress":
            fig.amount_in_progress += Decimal(total or 0)
    dtu = db.session.scalar(
        _scope_rights(
            user,
            select(
                func.coalesce(func.sum(DrawingRight.initial + DrawingRight.complementary), 0)
            ).where(DrawingRight.year == year),
        )
    )
    dtu = Decimal(dtu or 0)
    closed_fse = figures["fse"].amount_closed
    # closed_ym (YYYYMM) is a column of the stats indexes: grouped in index order, no
    # per-row date function. A request of the year may close in January of the next one:
    # its month counts, as the month of closed_at always did.
    monthly = visible(
        user,
        select(WaterRequest.closed_ym, func.sum(amount))
        .where(
            WaterRequest.kind == "fse",
            WaterRequest.status == st.SETTLED,
            WaterRequest.year == year,
        )
        .group_by(WaterRequest.closed_ym),
    )
    per_month = [Decimal("0")] * 12
    for ym, total in db.session.execute(monthly):
        if ym:
            per_month[ym % 100 - 1] += Decimal(total or 0)
    return Dashboard(
        year=year,
        figures=figures,
        dtu=dtu,
        dtu_remaining=dtu - closed_fse,
        dtu_usage=(closed_fse / dtu * 100).quantize(Decimal("0.1")) if dtu else None,
        monthly_fse=per_month,
    )


def rights(user: User, year: int) -> list[DrawingRight]:
    return list(
        db.session.scalars(
            _scope_rights(
                user,
                select(DrawingRight)
                .where(DrawingRight.year == year)
                .options(selectinload(DrawingRight.cpas), selectinload(DrawingRight.distributor))
                .order_by(DrawingRight.cpas_id, DrawingRight.distributor_id),
            )
        )
    )


def drawing_right(
    cpas_id: int | None, distributor_id: int | None, year: int
) -> DrawingRight | None:
    """The right of one CPAS × distributor × year, if encoded."""
    return db.session.scalar(
        select(DrawingRight).where(
            DrawingRight.cpas_id == cpas_id,
            DrawingRight.distributor_id == distributor_id,
            DrawingRight.year == year,
        )
    )


def years(user: User) -> list[int]:
    """From the first year with a request to the current one (one indexed MIN)."""
    first = db.session.scalar(visible(user, select(func.min(WaterRequest.year))))
    current = date.today().year
    return list(range(current, min(first or current, current) - 1, -1))
