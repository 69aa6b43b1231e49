"""Water fund scenarios: the FSE table (page and htmx fragment) and the dashboard on
100k FSE requests of one CPAS × distributor for the current year (the worst case: every
row is in the signed-in user's default view)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import render_template
from sqlalchemy import func, insert, select

from bench.harness import Scenario, generator, register
from cpas.access.models import Organisation
from cpas.extensions import db
from cpas.pagination import paginate
from cpas.water_fund import lifecycle as lc
from cpas.water_fund import queries
from cpas.water_fund.models import WaterRequest
from cpas.water_fund.routes.common import filters_from
from cpas.water_fund.routes.lists import LIST_COUNT_LIMIT
from cpas.water_fund.routes.settings import chart

ROWS = 100_000
BATCH = 5_000
USER = "agent@cpas-demoville.be"  # « Agent administratif »: water functions, no admin badge
SEARCH = "nom0421"  # instant search: 100 matching rows out of 100k
STATUSES = [lc.SUBMITTED, lc.PAYMENT_PENDING, lc.SETTLED, lc.SETTLED, lc.REFUSED, lc.CANCELLED]


@generator("water", requires=["foundation"])
def generate_water(scale: float) -> None:
    """``100k × scale`` FSE requests for CPAS de Demoville × CILE this year (idempotent)."""
    cpas = db.session.scalar(select(Organisation).where(Organisation.name == "CPAS de Demoville"))
    dist = db.session.scalar(select(Organisation).where(Organisation.name == "CILE (démo)"))
    year = date.today().year
    wanted = int(ROWS * scale)
    have = db.session.scalar(
        select(func.count(WaterRequest.id)).where(
            WaterRequest.cpas_id == cpas.id, WaterRequest.kind == "fse"
        )
    )
    start = datetime(year, 1, 1)
    db.session.info["write"] = True
    for first in range(have, wanted, BATCH):
        rows = []
        for n in range(first, min(first + BATCH, wanted)):
            status = STATUSES[n % len(STATUSES)]
            created = start + timedelta(minutes=n * 3)
            closed = status in (lc.SETTLED, lc.CANCELLED)
            rows.append(
                {
                    "kind": "fse",
                    "cpas_id": cpas.id,
                    "distributor_id": dist.id,
                    "year": year,
                    "status": status,
                    "version": 1,
                    "created_at": created,
                    "closed_at": created + timedelta(days=10) if closed else None,
                    # A Core insert skips the model's validator that keeps closed_ym.
                    "closed_ym": _ym(created + timedelta(days=10)) if closed else None,
                    "last_name": f"Nom{n:06d}",
                    "first_name": "Prénom",
                    "street": "Rue de la Source",
                    "house_number": str(n % 300),
                    "postal_code": "4000",
                    "locality": "Liège",
                    "client_number": f"C{n:07d}",
                    "name_key": f"nom{n:06d}",
                    "first_key": "prenom",
                    "client_key": f"c{n:07d}",
                    "ref_key": "",
                    "requested_amount": Decimal(100 + n % 900),
                    "granted_amount": Decimal(100 + n % 900) if status != lc.SUBMITTED else None,
                    "recurrence": "ponctuelle",
                    "billing_different": False,
                }
            )
        db.session.execute(insert(WaterRequest), rows)
    db.session.commit()
    db.session.info.pop("write", None)


def _ym(moment: datetime) -> int:
    return moment.year * 100 + moment.month


def _size() -> str:
    return f"{db.session.scalar(select(func.count(WaterRequest.id))):,} requests".replace(",", ".")


def _list_context(user: Any, q: str = "") -> dict:
    filters = filters_from("fse", {"q": q} if q else {})
    listing = queries.list_query(user, filters)
    page = paginate(
        listing.statement,
        1,
        25,
        scalars=False,
        count_limit=LIST_COUNT_LIMIT,
        params=listing.params,
    )
    return {
        "kind": "fse",
        "label": "FSE",
        "page": page,
        "f": filters,
        "statuses": lc.STATUSES["fse"],
        "labels": lc.STATUS_LABELS,
        "next_actor": lc.NEXT_ACTOR_LABELS,
        "actor_labels": lc.ACTOR_LABELS,
        "open_statuses": lc.OPEN_STATUSES,
        "cpas_side": lc.side_of(user) == lc.CPAS,
        "may_cancel": lc.side_of(user) != lc.FUND_MANAGER,
    }


def fse_page_floor(user: Any) -> str:
    return render_template("water_fund/list.html", **_list_context(user))


def fse_fragment_floor(user: Any) -> str:
    return render_template("water_fund/_table.html", **_list_context(user, SEARCH))


def dashboard_floor(user: Any) -> str:
    year = date.today().year
    figures = queries.dashboard(user, year)
    years = sorted({*queries.years(user), year}, reverse=True)
    return render_template(
        "water_fund/dashboard.html",
        d=figures,
        year=year,
        years=years,
        chart=chart(figures.monthly_fse),
    )


register(
    Scenario(
        "fse table page",
        "/fonds-eau/fse",
        signed_in_as=USER,
        floor=fse_page_floor,
        data_size=_size,
        data=("water",),
        target_p95_ms=50,
    )
)
register(
    Scenario(
        "fse table fragment",
        f"/fonds-eau/fse?q={SEARCH}",
        signed_in_as=USER,
        headers={"HX-Request": "true"},
        floor=fse_fragment_floor,
        data_size=_size,
        data=("water",),
        target_p95_ms=30,
    )
)
register(
    Scenario(
        "water dashboard",
        "/fonds-eau/",
        signed_in_as=USER,
        floor=dashboard_floor,
        data_size=_size,
        data=("water",),
        target_p95_ms=200,
    )
)
