"""Writes of the aid requests: each service checks its rules, changes the rows, writes the
audit entry with ``by`` and commits. Status changes go through ``lifecycle.AID``.

Seed 001 §6: on « Enregistrer » the request is numbered, its creation event written and
the official household taken for it, in one transaction; then the main beneficiary is
integrated « en enquête » (code 001) through the BCSS adapter from the request date to the
30th day after it. A refusal of the BCSS leaves the request saved and says so (§8.1's red
sign), with a retry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..access.models import User
from ..concurrency import check_version, commit, stamp
from ..dossiers import freeze
from ..dossiers import services as dossier_services
from ..dossiers.models import Dossier
from ..extensions import db
from ..formfields import parse_belgian_date
from ..timeutil import utcnow
from ..workflow import Outcome, Posted
from . import extend, queries
from .lifecycle import AID, NATURE_MAX, AidRuleError
from .models import KIND_LABELS, AidRequest, AidRequestEvent, EventKind, RequestStatus

REQUEST_DATE_LOCKED = _l(
    "La date de la demande ne peut jamais être modifiée une fois la demande enregistrée."
)
FROZEN = _l(
    "La demande n° %(number)s a été soumise au Conseil : la composition de ménage, les "
    "adresses et l'enquête sociale sont figées. Utilisez « Compléter l'enquête sociale » "
    "sur la demande pour les modifier."
)


@dataclass(frozen=True)
class NewRequest:
    """What « Nouvelle demande » asks (seed 001 §6), all required."""

    request_date: date
    effective_date: date
    kind: str
    nature: str


def _check_new(data: NewRequest) -> None:
    if data.request_date > date.today():
        raise AidRuleError(
            _("La date de la demande ne peut pas être dans le futur."), field="request_date"
        )
    if data.kind not in KIND_LABELS:
        raise AidRuleError(_("Choisissez le type de la demande."), field="kind")
    nature = data.nature.strip()
    if not nature:
        raise AidRuleError(_("Décrivez la nature de la demande."), field="nature")
    if len(nature) > NATURE_MAX:
        raise AidRuleError(
            _("La nature de la demande dépasse %(max)s caractères.", max=NATURE_MAX),
            field="nature",
        )


def _event(request: AidRequest, kind: str, by: User, other: int | None = None) -> None:
    request.events.append(
        AidRequestEvent(kind=kind, user_id=by.id, at=utcnow(), other_number=other)
    )


def _new_request(dossier: Dossier, data: NewRequest, by: User) -> AidRequest:
    """A numbered request with its creation event and household snapshot (no commit)."""
    request = AidRequest(
        organisation_id=dossier.organisation_id,
        dossier_id=dossier.id,
        number=queries.next_number(dossier.id),
        request_date=data.request_date,
        effective_date=data.effective_date,
        kind=data.kind,
        nature=data.nature.strip(),
        status=RequestStatus.IN_PROGRESS,
        created_by_id=by.id,
        created_at=utcnow(),
    )
    stamp(request, by)
    db.session.add(request)
    _event(request, EventKind.CREATED, by)
    db.session.flush()  # the number's uniqueness, the id for the snapshot
    dossier_services.snapshot_for_request(dossier, request.id, by)
    return request


def record_enrichment(request: AidRequest, by: User) -> None:
    """« Enrichissement de la demande »: an event for a change of the request's inquiry
    (the caller audits and commits)."""
    request.events.append(
        AidRequestEvent(
            kind=EventKind.MODIFIED,
            user_id=by.id,
            at=utcnow(),
            from_status=request.status,
            to_status=request.status,
        )
    )


def create_request(dossier: Dossier, data: NewRequest, by: User) -> AidRequest:
    """« Nouvelle demande » → « Enregistrer »: the request, then its integration."""
    _check_new(data)
    for attempt in (1, 2):
        try:
            request = _new_request(dossier, data, by)
        except IntegrityError:  # a colleague numbered one at the same moment
            db.session.rollback()
            if attempt == 2:
                raise
            continue
        break
    audit.record(
        "aid.create",
        obj=request,
        niss=dossier.niss,
        user=by,
        details=f"demande {request.number} du {request.request_date:%d/%m/%Y}",
    )
    db.session.commit()
    integrate_on_creation(request, by)
    return request


def integrate_on_creation(request: AidRequest, by: User) -> bool:
    """The main beneficiary « en enquête » (001) from the request date to the 30th day
    after it; the outcome is kept on the request (the page shows it, red with a retry)."""
    result = dossier_services.integrate_for_new_request(request.dossier, request.request_date, by)
    request.integration_ok = result.ok
    request.integration_message = None if result.ok else (result.message or "")[:300]
    db.session.commit()
    return result.ok


def retry_integration(request: AidRequest, by: User, *, version: int | None) -> bool:
    """« Réessayer l'intégration » after a refusal of the BCSS."""
    check_version(request, version, by)
    if request.integration_ok:
        raise AidRuleError(_("Le bénéficiaire est déjà intégré « en enquête » pour cette demande."))
    audit.record("aid.retry_integration", obj=request, niss=request.dossier.niss, user=by)
    return integrate_on_creation(request, by)


def copy_request(source: AidRequest, origin: str, by: User) -> AidRequest:
    """« Dupliquer » / « Réviser »: a new request dated today, same type and nature, the
    household snapshot taken anew; linked to ``source`` (no commit: a workflow step)."""
    today = date.today()
    data = NewRequest(today, today, source.kind, source.nature)
    request = _new_request(source.dossier, data, by)
    request.origin_id, request.origin = source.id, origin
    kind = EventKind.DUPLICATE_OF if origin == "duplicate" else EventKind.REVISION_OF
    _event(request, kind, by, other=source.number)
    for hook in extend.copy_hooks():  # the inquiry copies its parts (same transaction)
        hook(source, request, by)
    audit.record(
        "aid.create",
        obj=request,
        niss=source.dossier.niss,
        user=by,
        details=f"demande {request.number} ({origin} de la demande {source.number})",
    )
    return request


def modify_request(request: AidRequest, by: User, formdata: Mapping[str, Any]) -> Outcome:
    """« Modifier la demande »: type, effective date, nature; never the request date (a
    posted one that differs is refused, next to it, and nothing changes)."""
    posted_date = formdata.get("request_date")
    if posted_date is not None and parse_belgian_date(str(posted_date)) != request.request_date:
        typed = {name: str(formdata.get(name, "")) for name in ("kind", "effective_date", "nature")}
        return Outcome(
            status=422,
            step=AID.step("modify"),
            posted=Posted("modify", typed, {"form": str(REQUEST_DATE_LOCKED)}, request.version),
        )
    return AID.submit(request, "modify", by, formdata)


def set_archived(request: AidRequest, archived: bool, by: User) -> None:
    """« Déplacer vers "Anciennes demandes" » (or back to the history)."""
    request.archived = archived
    stamp(request, by)
    audit.record(
        "aid.archive" if archived else "aid.unarchive",
        obj=request,
        niss=request.dossier.niss,
        user=by,
    )
    commit(request)


def archive_closed(dossier: Dossier, by: User) -> int:
    """« Déplacer toutes les demandes clôturées vers "Anciennes demandes" »."""
    moved = 0
    for request in queries.history(dossier, status=RequestStatus.CLOSED):
        request.archived = True
        stamp(request, by)
        moved += 1
    if moved:
        audit.record(
            "aid.archive_closed",
            obj=dossier,
            niss=dossier.niss,
            user=by,
            details=f"{moved} demande(s)",
        )
    db.session.commit()
    return moved


def record_print(request: AidRequest, parts: list[str], by: User, *, preview: bool) -> None:
    """The printing (or its preview) is a consultation of the person: audited with the NISS."""
    audit.record(
        "aid.print_preview" if preview else "aid.print",
        obj=request,
        niss=request.dossier.niss,
        user=by,
        details=", ".join(parts),
    )
    db.session.commit()


@freeze.register
def _frozen_by_submitted_request(dossier: Dossier) -> str | None:
    """The household is frozen while a request of the dossier is before the Council."""
    submitted = queries.submitted_request(dossier.id)
    if submitted is None:
        return None
    return str(FROZEN) % {"number": submitted.number}


def is_frozen(request: AidRequest) -> bool:
    """Every part of the request and of its inquiry is frozen once it left « en cours »."""
    return request.status != RequestStatus.IN_PROGRESS
