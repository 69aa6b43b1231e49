"""Writes of the REDI report: campaigns, imports, inline encoding. Each audits and commits.

The report's steps (validate, sign, close, reopen) are in ``workflow.py``."""

from __future__ import annotations

import json
import secrets
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from .. import audit
from ..access.models import User
from ..concurrency import check_version, commit, stamp
from ..extensions import db
from .calc import check_line, months_spanned
from .importer import ENCODED, ParsedImport
from .models import RediCampaign, RediImport, RediLine


class RediRuleError(Exception):
    """A change refused by a rule of the report; the message is for the user."""


def create_campaign(organisation_id: int, data: dict[str, Any], by: User) -> RediCampaign:
    """Create a campaign and make it the current one."""
    for other in db.session.scalars(
        select(RediCampaign).where(RediCampaign.organisation_id == organisation_id)
    ):
        other.is_current = False
    campaign = RediCampaign(organisation_id=organisation_id, is_current=True, **data)
    db.session.add(campaign)
    db.session.flush()
    audit.record("redi.campaign_create", obj=campaign, user=by)
    db.session.commit()
    return campaign


def _ensure_draft(campaign: RediCampaign) -> None:
    if campaign.locked:
        raise RediRuleError(_("Le rapport est validé : l'encodage est verrouillé."))


EDITABLE = {
    "activation", "decision_date", "monthly_granted", "period_start", "period_end", "months",
    "payment", "total_paid",
}  # fmt: skip


def save_line(
    line: RediLine,
    campaign: RediCampaign,
    values: dict[str, Any],
    by: User,
    *,
    version: int | None,
) -> None:
    """Save encoded fields of one line (imported fields never change here).

    ``version`` is the row's when its cells were drawn (a stale one is a Conflict)."""
    _ensure_draft(campaign)
    if set(values) - EDITABLE:
        raise RediRuleError(_("Les colonnes importées (grisées) ne sont pas modifiables."))
    check_version(line, version, by)  # every check before the first change
    for name, value in values.items():
        setattr(line, name, value)
    start, end = line.period_start, line.period_end
    if line.months is None and start and end and end >= start:
        line.months = months_spanned(start, end)  # proposed: each started month counts
    line.complete = not check_line(line)
    audit.record("redi.line_update", obj=line, user=by, niss=line.niss, details=",".join(values))
    commit(line)


def duplicate_line(line: RediLine, campaign: RediCampaign, by: User) -> RediLine:
    """« Dupliquer la ligne »: another aid line for the same simulation, right after it."""
    _ensure_draft(campaign)
    db.session.execute(
        update(RediLine)
        .where(RediLine.campaign_id == campaign.id, RediLine.position > line.position)
        .values(position=RediLine.position + 1)
    )
    copy = RediLine(
        campaign_id=campaign.id,
        position=line.position + 1,
        ins_code=line.ins_code,
        niss=line.niss,
        budget_number=line.budget_number,
        budget_date=line.budget_date,
        balance=line.balance,
        is_duplicate=True,
    )
    db.session.add(copy)
    db.session.flush()
    audit.record("redi.line_duplicate", obj=copy, user=by, niss=line.niss)
    db.session.commit()
    return copy


def remove_line(line: RediLine, campaign: RediCampaign, by: User) -> None:
    """Remove a duplicated line (an imported simulation line is never removed)."""
    _ensure_draft(campaign)
    if not line.is_duplicate:
        raise RediRuleError(_("Seule une ligne dupliquée peut être supprimée."))
    audit.record("redi.line_remove", obj=line, user=by, niss=line.niss)
    db.session.delete(line)
    db.session.commit()


# --------------------------------------------------------------------------- import


def _json_default(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value))


def stage_import(campaign: RediCampaign, parsed: ParsedImport, file_name: str, by: User) -> str:
    """Keep a valid parse server-side until the user confirms; return its token."""
    _ensure_draft(campaign)
    token = secrets.token_urlsafe(16)
    db.session.add(
        RediImport(
            token=token,
            campaign_id=campaign.id,
            user_id=by.id,
            file_name=file_name[:200],
            payload=json.dumps(parsed.rows, default=_json_default),
        )
    )
    db.session.commit()
    return token


def _revive(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for name in ("budget_date", "decision_date", "period_start", "period_end"):
        out[name] = date.fromisoformat(row[name]) if row.get(name) else None
    for name in ("balance", "monthly_granted", "total_paid"):
        out[name] = Decimal(row[name]) if row.get(name) is not None else None
    return out


def confirm_import(pending: RediImport, campaign: RediCampaign, by: User) -> dict[str, int]:
    """Merge by (NISS, budget number): keep encoded values, add new, flag the vanished."""
    _ensure_draft(campaign)
    rows = [_revive(r) for r in json.loads(pending.payload)]
    existing: dict[tuple[str, str], list[RediLine]] = {}
    for line in db.session.scalars(
        select(RediLine).where(RediLine.campaign_id == campaign.id).order_by(RediLine.position)
    ):
        existing.setdefault((line.niss, line.budget_number), []).append(line)
    position = (
        db.session.scalar(
            select(func.max(RediLine.position)).where(RediLine.campaign_id == campaign.id)
        )
        or 0
    )
    seen: dict[tuple[str, str], int] = {}
    counts = {"added": 0, "updated": 0, "vanished": 0}
    for row in rows:
        key = (row["niss"], row["budget_number"])
        index = seen.get(key, 0)
        seen[key] = index + 1
        lines = existing.get(key, [])
        if index < len(lines):
            line = lines[index]
            line.budget_date, line.balance, line.ins_code = (
                row["budget_date"],
                row["balance"],
                row["ins_code"],
            )
            line.vanished = False
            for name in ENCODED:  # the CPAS's encoding wins; fill only what is empty
                if getattr(line, name) in (None, "") and row.get(name) not in (None, ""):
                    setattr(line, name, row[name])
            counts["updated"] += 1
        else:
            position += 1
            line = RediLine(
                campaign_id=campaign.id,
                position=position,
                **{
                    k: row.get(k)
                    for k in (
                        "ins_code",
                        "niss",
                        "budget_number",
                        "budget_date",
                        "balance",
                        *ENCODED,
                    )
                },
            )
            line.is_duplicate = index > 0
            db.session.add(line)
            counts["added"] += 1
        line.complete = not check_line(line)
        if db.session.is_modified(line):  # an open encoding page must name the importer
            stamp(line, by)
    for key, lines in existing.items():
        for line in lines[seen.get(key, 0) :]:
            if not line.is_duplicate and not line.vanished:
                line.vanished = True
                stamp(line, by)
                counts["vanished"] += 1
    db.session.delete(pending)
    audit.record("redi.import", obj=campaign, user=by, details=json.dumps(counts))
    db.session.commit()
    return counts
