"""The resources of a member's inquiry (seed 001 §9.4, §9.6): add, change, delete a
resource, « Pas de ressources », and the household's computation for the D.I.S.

Every write: the request still open (``ensure_open``), the member has a resources part
(``ensure_part``), the part's own rules (types per relation, « Etudiant avec PIIS »,
« Pas de ressources » exclusive), then ``services.changed`` (event « Enrichissement de la
demande », audit with the member's NISS, commit).

« Pas de ressources » is exclusive both ways, by refusal (nothing is changed behind the
user's back): ticking it while resources are listed is refused (delete them first);
adding a resource while it is ticked is refused (untick it first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from ..access.models import User
from ..aid.models import AidRequest
from ..concurrency import check_version, ensure_current
from ..dossiers.models import HouseholdMember
from ..extensions import db
from . import calc, queries
from .models import (
    LIMITED_RELATIONS,
    LIMITED_TYPES,
    RESOURCE_TYPES,
    RESOURCES,
    STUDENT_FORBIDDEN,
    MemberInquiry,
    Resource,
)
from .services import (
    InquiryRuleError,
    changed,
    ensure_open,
    ensure_part,
    find_inquiry,
    inquiry_for,
    parts_of,
)

#: Audit action codes of this part (their labels live in ``cpas.audit.ACTION_LABELS``).
ADD = "inquiry.resource_add"
EDIT = "inquiry.resource_edit"
DELETE = "inquiry.resource_delete"
NO_RESOURCES = "inquiry.no_resources"

UNKNOWN_TYPE = _l("Type de ressource inconnu.")
LIMITED_TYPE = _l(
    "Pour un ascendant/descendant du 1er degré ou un cohabitant, seul le type « Divers » "
    "est possible (ou « Pas de ressources »)."
)
STUDENT_TYPE = _l(
    "« Etudiant avec PIIS » : les « Revenus professionnels en application de l'article 35 » "
    "et les « Revenus dans le cadre d'une activité artistique » ne peuvent pas être encodés "
    "(l'exonération légale du job étudiant est déjà intégrée au calcul)."
)
TICKED = _l("« Pas de ressources » est coché : décochez-le d'abord pour ajouter une ressource.")
HAS_RESOURCES = _l(
    "« Pas de ressources » ne peut pas être coché : ce membre a des ressources encodées. "
    "Supprimez-les d'abord."
)
END_BEFORE_START = _l("La date de fin ne peut pas précéder la date de début.")
NOT_POSITIVE = _l("Le montant annuel doit être supérieur à zéro.")
#: The largest real annual amount (the contract: absurd above it).
MAX_ANNUAL = Decimal("10000000.00")
TOO_HIGH = _l("Montant annuel invraisemblable : 10.000.000,00 € au plus.")


@dataclass(frozen=True)
class ResourceData:
    """What the resource form gives (already parsed)."""

    kind: str
    detail: str | None
    annual_amount: Decimal
    start_date: date | None
    end_date: date | None
    counts_for_dis: bool


def allowed_types(member: HouseholdMember) -> tuple[str, ...]:
    """The types « Nouvelle ressource » offers this member (§9.6.2.1)."""
    if member.relation in LIMITED_RELATIONS:
        return LIMITED_TYPES
    return tuple(RESOURCE_TYPES)


def check_type(member: HouseholdMember, inquiry: MemberInquiry | None, kind: str) -> None:
    """Refuse a type this member may not have (unknown, relation, « Etudiant avec PIIS »)."""
    if kind not in RESOURCE_TYPES:
        raise InquiryRuleError(UNKNOWN_TYPE, field="kind")
    if kind not in allowed_types(member):
        raise InquiryRuleError(LIMITED_TYPE, field="kind")
    if inquiry is not None and inquiry.student_piis and kind in STUDENT_FORBIDDEN:
        raise InquiryRuleError(STUDENT_TYPE, field="kind")


def _check_data(data: ResourceData) -> None:
    """The service's own check of the values (the form says it first)."""
    if data.annual_amount <= 0:
        raise InquiryRuleError(NOT_POSITIVE, field="annual_amount")
    if data.annual_amount > MAX_ANNUAL:
        raise InquiryRuleError(TOO_HIGH, field="annual_amount")
    if data.start_date and data.end_date and data.end_date < data.start_date:
        raise InquiryRuleError(END_BEFORE_START, field="end_date")


def ensure_editable(request: AidRequest, member: HouseholdMember) -> None:
    """The request still open and the member with a resources part (else refused)."""
    ensure_open(request)
    ensure_part(member, RESOURCES)


def add_resource(
    request: AidRequest, member: HouseholdMember, data: ResourceData, by: User
) -> Resource:
    """« Nouvelle ressource » → « Enregistrer »."""
    ensure_editable(request, member)
    existing = find_inquiry(request, member)
    check_type(member, existing, data.kind)
    _check_data(data)
    if existing is not None and existing.no_resources:
        raise InquiryRuleError(TICKED, field="kind")
    inquiry = existing or inquiry_for(request, member, by)
    resource = Resource(
        inquiry_id=inquiry.id,
        kind=data.kind,
        detail=data.detail or None,
        annual_amount=data.annual_amount,
        start_date=data.start_date,
        end_date=data.end_date,
        counts_for_dis=data.counts_for_dis,
    )
    db.session.add(resource)
    db.session.flush()
    changed(request, ADD, by, niss=member.niss, record=resource)
    return resource


def update_resource(
    request: AidRequest,
    member: HouseholdMember,
    resource: Resource,
    data: ResourceData,
    version: int | None,
    by: User,
) -> Resource:
    """« Modifier » → « Enregistrer » (the type stays; a stale form is a Conflict)."""
    ensure_editable(request, member)
    check_type(member, resource.inquiry, resource.kind)
    _check_data(data)
    check_version(resource, version, by)
    resource.detail = data.detail or None
    resource.annual_amount = data.annual_amount
    resource.start_date = data.start_date
    resource.end_date = data.end_date
    resource.counts_for_dis = data.counts_for_dis
    changed(request, EDIT, by, niss=member.niss, record=resource)
    return resource


def delete_resource(
    request: AidRequest,
    member: HouseholdMember,
    resource: Resource,
    version: int | None,
    by: User,
) -> None:
    """« Supprimer » (after the confirmation; a stale page is a Conflict)."""
    ensure_editable(request, member)
    ensure_current(resource, version)
    inquiry = resource.inquiry
    db.session.delete(resource)
    db.session.flush()
    changed(
        request,
        DELETE,
        by,
        niss=member.niss,
        record=inquiry,
        details=f"{resource.kind} {resource.annual_amount}",
    )


def set_no_resources(
    request: AidRequest, member: HouseholdMember, value: bool, by: User
) -> MemberInquiry:
    """Tick or untick « Pas de ressources » (refused while resources are listed)."""
    ensure_editable(request, member)
    inquiry = inquiry_for(request, member, by)
    if value and inquiry.resources:
        raise InquiryRuleError(HAS_RESOURCES, field="no_resources")
    inquiry.no_resources = value
    changed(request, NO_RESOURCES, by, niss=member.niss, record=inquiry)
    return inquiry


# ------------------------------------------------------------------ the computation


def household_computation(
    request: AidRequest, members: list[HouseholdMember]
) -> tuple[calc.Computation, dict[int, MemberInquiry]]:
    """The computation of the request's household (its present members), with the
    inquiries it read (one query for the inquiries, one for their resources)."""
    inquiries = queries.household_inquiries(request)
    present = {m.id: m for m in members if m.removed_at is None}
    category = None
    inputs: list[calc.ResourceInput] = []
    for member in present.values():
        inquiry = inquiries.get(member.id)
        if inquiry is None:
            continue
        if member.relation == "beneficiary":
            category = inquiry.category
        if RESOURCES not in parts_of(member):
            continue
        for res in inquiry.resources:
            inputs.append(
                calc.ResourceInput(
                    key=res.id,
                    member_key=member.id,
                    relation=member.relation,
                    kind=res.kind,
                    annual_amount=res.annual_amount,
                    counts_for_dis=res.counts_for_dis,
                    student_piis=inquiry.student_piis,
                    end_date=res.end_date,
                )
            )
    return calc.compute(inputs, category, request.effective_date), inquiries
