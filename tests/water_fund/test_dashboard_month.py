"""The dashboard's monthly FSE figures: the month of closure kept with the request, read
through an index, and backfilled by the migration."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from cpas import create_app
from cpas.access.models import User
from cpas.extensions import db
from cpas.water_fund import lifecycle as lc
from cpas.water_fund import queries, services
from cpas.water_fund.models import WaterRequest
from tests.conftest import USE_POSTGRES, base_config


def _put(app, request_id, *, status, closed_at, year=2025, granted=None):
    """Put a request in a closed state at a known moment (the ORM path, like the services)."""
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        row.status, row.year, row.granted_amount = status, year, granted
        row.closed_at = closed_at
        db.session.commit()


@pytest.fixture
def closed_requests(app, world, new_request):
    """Requests of 2025 closed at known dates; the FSE form asks 350,00 €."""
    fse, settled = "fse", lc.SETTLED
    cases = [
        # kind, CPAS, distributor, status, closed at, year, granted
        (fse, world.cpas_a, world.dist_x, settled, datetime(2025, 3, 4, 10), 2025, D("120.50")),
        (fse, world.cpas_a, world.dist_x, settled, datetime(2025, 3, 31, 23, 59), 2025, D("79.50")),
        (fse, world.cpas_a, world.dist_x, settled, datetime(2025, 7, 15), 2025, None),  # 350
        (fse, world.cpas_a, world.dist_x, lc.CANCELLED, datetime(2025, 5, 2), 2025, D("999")),
        ("fat", world.cpas_a, world.dist_x, lc.PAID, datetime(2025, 5, 10), 2025, D("888")),
        (fse, world.cpas_b, world.dist_x, settled, datetime(2025, 5, 20), 2025, D("55")),
        # a request of 2025 settled in January 2026 counts in the January of 2025
        (fse, world.cpas_a, world.dist_x, settled, datetime(2026, 1, 5), 2025, D("10")),
        (fse, world.cpas_a, world.dist_x, settled, datetime(2025, 2, 1), 2024, D("777")),
        (fse, world.cpas_a, world.dist_y, settled, datetime(2025, 9, 9), 2025, D("40")),
    ]
    for kind, cpas, dist, status, closed_at, year, granted in cases:
        request_id = new_request(kind, cpas=cpas, distributor=dist)
        _put(app, request_id, status=status, closed_at=closed_at, year=year, granted=granted)


def _months(**figures: str) -> list[D]:
    names = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    return [D(figures.get(name, "0")) for name in names]


@pytest.mark.parametrize(
    "who,expected",
    [
        ("user_a", _months(jan="10", mar="200.00", jul="350.00", sep="40")),
        ("user_b", _months(may="55")),
        ("user_x", _months(jan="10", mar="200.00", may="55", jul="350.00")),
        ("user_y", _months(sep="40")),
        ("user_spge", _months(jan="10", mar="200.00", may="55", jul="350.00", sep="40")),
    ],
)
def test_monthly_figures_equal_the_hand_count(app, world, closed_requests, who, expected):
    with app.app_context():
        user = db.session.get(User, getattr(world, who).id)
        assert queries.dashboard(user, 2025).monthly_fse == expected


def _confirmed(amount: D) -> services.TransitionInput:
    """The input of a confirmed action (« Payer et clôturer » asks for confirmation)."""
    given = services.TransitionInput(amount=amount)
    if hasattr(given, "confirmed"):
        given.confirmed = True
    return given


def test_settling_a_request_records_its_month(app, world, new_request):
    request_id = new_request("fse")
    with app.app_context():
        distributor = db.session.get(User, world.user_x.id)
        row = db.session.get(WaterRequest, request_id)
        assert row.closed_ym is None
        for action in ("validate", "pay"):
            row = db.session.get(WaterRequest, request_id)
            services.transition(row, action, distributor, row.version, _confirmed(D("300")))
        row = db.session.get(WaterRequest, request_id)
        assert row.status == lc.SETTLED
        assert row.closed_ym == int(row.closed_at.strftime("%Y%m"))


def test_clearing_the_closure_clears_the_month(app, world, new_request):
    request_id = new_request("fse")
    _put(app, request_id, status=lc.SETTLED, closed_at=datetime(2025, 11, 30, 23))
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        assert row.closed_ym == 202511
        row.closed_at = None
        db.session.commit()
        assert db.session.get(WaterRequest, request_id).closed_ym is None


@pytest.mark.skipif(USE_POSTGRES, reason="SQLite's query plan; PostgreSQL plans by statistics")
def test_dashboard_queries_read_indexes_in_order(app, world, closed_requests):
    """No dashboard query of a CPAS or distributor sorts rows or scans the table."""
    statements = []

    def keep(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", keep)
        try:
            for who in ("user_a", "user_x"):
                queries.dashboard(db.session.get(User, getattr(world, who).id), 2025)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", keep)
        monthly = [(s, p) for s, p in statements if "water_request" in s and "GROUP BY" in s]
        assert len(monthly) == 4  # per status and per month, for each side
        for statement, parameters in monthly:
            plan = _plan(statement, parameters)
            assert "TEMP B-TREE" not in plan and "COVERING INDEX ix_water_request_stats" in plan


def _plan(statement: str, parameters) -> str:  # noqa: ANN001
    raw = db.session.connection().connection.driver_connection
    return " | ".join(row[-1] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters))


# --------------------------------------------------------------------------- migration


def _fill(table: sa.Table, **values):  # noqa: ANN003
    """Values for every NOT NULL column without a default, then the given ones."""
    filler = {sa.Integer: 1, sa.String: "x", sa.DateTime: datetime(2025, 1, 1), sa.Boolean: False}
    row = {}
    for column in table.columns:
        if column.nullable or column.primary_key or column.server_default is not None:
            continue
        row[column.name] = next(v for t, v in filler.items() if isinstance(column.type, t))
    return {**row, **values}


def test_migration_backfills_the_month(tmp_path, pg_cluster):
    url = (
        pg_cluster.create_database("cpas_month")
        if USE_POSTGRES
        else f"sqlite:///{tmp_path / 'month.sqlite'}"
    )
    app = create_app(base_config(url, tmp_path))
    with app.app_context():
        upgrade(revision="social_0001")
        meta = sa.MetaData()
        org = sa.Table("organisation", meta, autoload_with=db.engine)
        water = sa.Table("water_request", meta, autoload_with=db.engine)
        with db.engine.begin() as conn:
            conn.execute(
                sa.insert(org),
                [_fill(org, id=1, kind="cpas", name="A"), _fill(org, id=2, name="X")],
            )
            conn.execute(
                sa.insert(water),
                [
                    _fill(water, id=1, cpas_id=1, distributor_id=2, closed_at=None),
                    _fill(
                        water, id=2, cpas_id=1, distributor_id=2,
                        closed_at=datetime(2024, 12, 31, 23, 59, 59, 999999),
                    ),
                    _fill(water, id=3, cpas_id=1, distributor_id=2,
                          closed_at=datetime(2025, 2, 1, 0, 0)),
                ],
            )  # fmt: skip
        upgrade(revision="trust_perf")
        with db.engine.connect() as conn:
            months = conn.execute(sa.text("SELECT id, closed_ym FROM water_request ORDER BY id"))
            assert months.all() == [(1, None), (2, 202412), (3, 202502)]
        downgrade(revision="social_0001")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("water_request")}
        assert "closed_ym" not in columns and "closed_at" in columns
        db.engine.dispose()
