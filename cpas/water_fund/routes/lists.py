"""The FAT and FSE tables (filters, sort, pages; page or htmx fragment)."""

from __future__ import annotations

from flask import request
from werkzeug.wrappers import Response

from ...htmx import render_page_or_fragment
from ...pagination import page_number, paginate
from ...security import acting_user, require_function
from .. import bp, queries
from .. import lifecycle as lc
from .common import filters_from

#: The tables count their rows up to this many (« plus de 10.000 éléments »), so a page
#: of a huge year costs the same as a page of a small one.
LIST_COUNT_LIMIT = 10_000
LIST_PAGE_SIZE = 25


@bp.route("/fat")
@require_function("water.fat.view")
def fat_list() -> Response:
    return _listing(lc.FAT)


@bp.route("/fse")
@require_function("water.fse.view")
def fse_list() -> Response:
    return _listing(lc.FSE)


def _listing(kind: str) -> Response:
    user = acting_user()
    filters = filters_from(kind, request.args)
    listing = queries.list_query(user, filters)
    page = paginate(
        listing.statement,
        page_number(),
        LIST_PAGE_SIZE,
        scalars=False,
        count_limit=LIST_COUNT_LIMIT,
        params=listing.params,
    )
    side = lc.side_of(user)
    return render_page_or_fragment(
        "water_fund/list.html",
        "water_fund/_table.html",
        kind=kind,
        label=lc.KIND_LABELS[kind],
        page=page,
        f=filters,
        statuses=lc.STATUSES[kind],
        labels=lc.STATUS_LABELS,
        next_actor=lc.NEXT_ACTOR_LABELS,
        actor_labels=lc.ACTOR_LABELS,
        # « Éditer » and « Annuler » links: open requests, for the sides that may act
        open_statuses=lc.OPEN_STATUSES,
        cpas_side=side == lc.CPAS,
        may_cancel=side != lc.FUND_MANAGER,
    )
