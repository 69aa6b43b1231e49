"""Server-side pagination for list pages: one COUNT and one LIMIT/OFFSET query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select, func, select

from .extensions import db


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_number(arg: str = "page") -> int:
    """Read ?page= from the request; anything odd means page 1."""
    try:
        return max(1, int(request.args.get(arg, 1)))
    except (TypeError, ValueError):
        return 1


def paginate(query: Select, page: int, per_page: int = 25, *, scalars: bool = True) -> Page:
    """Run ``query`` for one page; ``total`` counts the unpaginated rows."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = min(page, max(1, -(-total // per_page)))
    paged = query.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(paged)
    items = list(result.scalars() if scalars else result)
    return Page(items=items, page=page, per_page=per_page, total=total or 0)
