"""Writes of a member's identification (§9.2: effective address, legal data from the
register, « registre d'inscription » by hand) and information (§9.3, §9.6.1.1).

Each write follows the inquiry's rules (``services``): refused once the request is
submitted, refused for a part the member's relation does not have, then the request's
event « Enrichissement de la demande », the audit with the member's NISS, one commit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..access.models import User
from ..aid.models import AidRequest
from ..concurrency import ensure_current
from ..dossiers import services as dossier_services
from ..dossiers.models import HouseholdMember
from ..extensions import db
from .models import IDENTIFICATION, INFORMATION, STUDENT_FORBIDDEN, MemberInquiry, Resource
from .services import InquiryRuleError, changed, ensure_open, ensure_part, find_inquiry, inquiry_for

#: The information columns each relation has (§9.3 for the main beneficiary, §9.6.1.1 for
#: the partner: « Seules les informations ci-dessous sont demandées et nécessaires »).
PARTNER_COLUMNS: tuple[str, ...] = (
    "dependent_children",
    "student_piis",
    "nationality",
    "residence_permit",
)
BENEFICIARY_COLUMNS: tuple[str, ...] = (
    "category",
    "housing",
    "homeless",
    *PARTNER_COLUMNS,
    "arrival_date",
    "insurability",
    "health_insurer",
)
COLUMNS_BY_RELATION: dict[str, tuple[str, ...]] = {
    "beneficiary": BENEFICIARY_COLUMNS,
    "partner": PARTNER_COLUMNS,
}

STUDENT_RULE = _l(
    "« Etudiant avec PIIS » ne peut pas être coché : la personne a des « Revenus "
    "professionnels en application de l'article 35 » ou des « Revenus dans le cadre d'une "
    "activité artistique ». L'exonération prévue pour un job étudiant est déjà intégrée au "
    "calcul : supprimez d'abord ces ressources."
)
ARRIVAL_FUTURE = _l("La date d'arrivée en Belgique ne peut pas être dans le futur.")
ARRIVAL_BEFORE_BIRTH = _l(
    "La date d'arrivée en Belgique ne peut pas précéder la date de naissance."
)
CHILDREN_RANGE = _l("Le nombre d'enfants à charge est compris entre 0 et 20.")
REGISTRE_GIVEN = _l(
    "Le registre d'inscription est donné par le registre national : il ne se complète pas "
    "à la main."
)


def _check_inquiry_version(inquiry: MemberInquiry | None, version: int | None) -> None:
    """A form drawn before the member's inquiry existed posts version 0."""
    if inquiry is None:
        return
    ensure_current(inquiry, version)


def save_effective_address(
    request: AidRequest,
    member: HouseholdMember,
    address: dossier_services.Address,
    by: User,
    *,
    version: int | None,
) -> None:
    """« Adresse de résidence effective »: the dossier's record of the member, changed from
    the request's inquiry (so frozen with it too)."""
    ensure_open(request)
    ensure_part(member, IDENTIFICATION)
    dossier_services.update_effective_address(member, address, by, version=version)
    changed(request, "inquiry.address", by, niss=member.niss, record=None)


def refresh_legal_data(request: AidRequest, member: HouseholdMember, by: User) -> bool:
    """« Mettre à jour les données légales » from the register; False when the register no
    longer knows the person (nothing changed, no event)."""
    ensure_open(request)
    ensure_part(member, IDENTIFICATION)
    updated = dossier_services.refresh_members(member.dossier, [member], by)
    if not updated:
        return False
    changed(request, "inquiry.legal_refresh", by, niss=member.niss, record=None)
    return True


def save_registre(
    request: AidRequest, member: HouseholdMember, registre: str, by: User, *, version: int | None
) -> MemberInquiry:
    """« Registre d'inscription » completed by hand when the register gives none (§9.2)."""
    ensure_open(request)
    ensure_part(member, IDENTIFICATION)
    if member.registre:
        raise InquiryRuleError(REGISTRE_GIVEN, field="registre_manual")
    _check_inquiry_version(find_inquiry(request, member), version)
    inquiry = inquiry_for(request, member, by)
    inquiry.registre_manual = registre
    changed(request, "inquiry.registre", by, niss=member.niss, record=inquiry)
    return inquiry


def _has_forbidden_resource(inquiry: MemberInquiry | None) -> bool:
    if inquiry is None:
        return False
    found = db.session.scalar(
        select(Resource.id)
        .where(Resource.inquiry_id == inquiry.id, Resource.kind.in_(STUDENT_FORBIDDEN))
        .limit(1)
    )
    return found is not None


def _check_values(member: HouseholdMember, values: dict[str, Any]) -> None:
    children = values.get("dependent_children")
    if children is not None and not 0 <= children <= 20:
        raise InquiryRuleError(CHILDREN_RANGE, field="dependent_children")
    arrival: date | None = values.get("arrival_date")
    if arrival is not None:
        if arrival > date.today():
            raise InquiryRuleError(ARRIVAL_FUTURE, field="arrival_date")
        if member.birth_date is not None and arrival < member.birth_date:
            raise InquiryRuleError(ARRIVAL_BEFORE_BIRTH, field="arrival_date")


def save_information(
    request: AidRequest,
    member: HouseholdMember,
    values: dict[str, Any],
    by: User,
    *,
    version: int | None,
) -> MemberInquiry:
    """« Enregistrer » the member's information: only the columns of its relation are
    written (a tampered field is ignored); « Etudiant avec PIIS » is refused while the
    member has an art. 35 or artistic resource (§9.3 zone 2)."""
    ensure_open(request)
    ensure_part(member, INFORMATION)
    existing = find_inquiry(request, member)
    _check_inquiry_version(existing, version)
    columns = COLUMNS_BY_RELATION.get(member.relation, PARTNER_COLUMNS)
    wanted = {name: values.get(name) for name in columns}
    _check_values(member, wanted)
    if wanted.get("student_piis") and _has_forbidden_resource(existing):
        raise InquiryRuleError(STUDENT_RULE, field="student_piis")
    inquiry = existing or inquiry_for(request, member, by)
    for name, value in wanted.items():
        if name in ("homeless", "student_piis"):
            value = bool(value)
        setattr(inquiry, name, value)
    inquiry.informed = True
    changed(request, "inquiry.information", by, niss=member.niss, record=inquiry)
    return inquiry
