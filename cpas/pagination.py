"""Server-side pagination for list pages: one COUNT and one LIMIT/OFFSET query.

A list that may hold very many rows passes ``count_limit``: the COUNT then stops after
that many rows (« plus de 10.000 éléments ») so its cost stays bounded whatever the table
size, and the links go on page by page as long as there are rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from flask import request
from sqlalchemy import Integer, Select, bindparam, func, literal_column, select

from .extensions import db
from .inputs import parse_page


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int
    #: ``total`` is a lower bound: the count stopped at the list's ``count_limit``.
    capped: bool = False
    #: With a capped count: whether rows follow this page.
    more: bool = False

    @property
    def pages(self) -> int:
        if self.capped:
            return self.page + 1 if self.more else self.page
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.more if self.capped else self.page < self.pages


def page_number(arg: str = "page") -> int:
    """Read ?page= from the request; anything odd means page 1."""
    return parse_page(request.args.get(arg, "1"))


def paginate(
    query: Select,
    page: int,
    per_page: int = 25,
    *,
    scalars: bool = True,
    count_limit: int | None = None,
    params: Mapping[str, Any] | None = None,
) -> Page:
    """Run ``query`` (with ``params`` for its bound parameters) for one page; ``total``
    counts the unpaginated rows (at most ``count_limit`` of them when given: then
    ``capped`` tells that more exist)."""
    counted, capped_count, paged = _derived(query)
    values = dict(params or {})
    capped = False
    if count_limit is None:
        total = db.session.scalar(counted, values) or 0
    else:
        total = db.session.scalar(capped_count, {**values, "_count_limit": count_limit + 1}) or 0
        capped = total > count_limit
    if capped:
        assert count_limit is not None
        total = count_limit
        # The last page is unknown: read one row more to tell whether another follows.
        limit = per_page + 1
    else:
        page = min(page, max(1, -(-total // per_page)))
        limit = per_page
    values.update(_page_limit=limit, _page_offset=(page - 1) * per_page)
    result = db.session.execute(paged, values)
    items = list(result.scalars() if scalars else result)
    more = capped and len(items) > per_page
    return Page(
        items=items[:per_page],
        page=page,
        per_page=per_page,
        total=total,
        capped=capped,
        more=more,
    )


#: The count and page statements derived from a list statement, kept as long as it is:
#: a list statement built once per shape (see water_fund.queries) then costs nothing more.
_DERIVED: WeakKeyDictionary[Select, tuple[Select, Select, Select]] = WeakKeyDictionary()


def _derived(query: Select) -> tuple[Select, Select, Select]:
    found = _DERIVED.get(query)
    if found is None:
        unordered = query.order_by(None)
        counted = select(func.count()).select_from(unordered.subquery())
        # The capped count reads the bare FROM/WHERE, and stops after the limit.
        rows: Select[Any] = unordered.with_only_columns(
            literal_column("1"), maintain_column_froms=True
        )
        capped = select(func.count()).select_from(
            rows.limit(bindparam("_count_limit", type_=Integer)).subquery()
        )
        paged = query.limit(bindparam("_page_limit", type_=Integer)).offset(
            bindparam("_page_offset", type_=Integer)
        )
        found = _DERIVED[query] = (counted, capped, paged)
    return found
