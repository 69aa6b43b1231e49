"""« Formulaire A » (seed 001 §12): the request's effective date, the main beneficiary's
nationality and, for each de facto member, « bénéficiaire secondaire » with the suffix the
SPP IS identifies the person by.

The SPP IS knows a person of a « Loi de 65 » form by the dossier number and the suffix:
« Ce numéro de dossier et ce suffixe doivent toujours être les mêmes ». So a member's suffix
is proposed from the dossier's earlier forms (by NISS, ``ix_form_a_member_niss``), and a
suffix that another person of the dossier had (on any request) is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..access.models import User
from ..aid.models import AidRequest
from ..concurrency import check_version, stamp
from ..dossiers import queries as dossier_queries
from ..dossiers.models import HouseholdMember
from ..extensions import db
from ..registry.adapters import get_bcss
from ..registry.quality_codes import INQUIRY
from .models import FORM_A_RELATIONS, FORM_A_STATUSES, SUFFIX_MAX, FormA, FormAMember
from .queries import form_a_of
from .services import NOT_A_MEMBER, InquiryRuleError, changed, ensure_open

SAVE = "inquiry.form_a_save"
MEMBER_SAVE = "inquiry.form_a_member_save"

ADULT_AGE = 18

BAD_VERSION = _l(
    "Ce formulaire n'a pas de version valide. Rechargez la page ; rien n'a été enregistré."
)

AFTER_B_FORMS = _l(
    "La date d'entrée en vigueur du formulaire A (%(form_a)s) doit être identique ou "
    "antérieure à celle des formulaires B1 et B2 (%(form_b)s)."
)
MAIN_NOT_HERE = _l(
    "Le bénéficiaire principal figure en tête du formulaire A : il n'est pas un bénéficiaire "
    "secondaire."
)
BAD_SUFFIX = _l("Le suffixe est un nombre de 1 à %(max)s.")
SUFFIX_TAKEN = _l(
    "Le suffixe %(suffix)s est déjà celui de %(name)s dans ce dossier (demande n° %(number)s) : "
    "le SPP IS identifie chaque personne par le numéro de dossier et son suffixe, qui ne "
    "peut servir à une autre personne."
)
NEEDS_SUFFIX = _l("Indiquez le suffixe de ce bénéficiaire secondaire.")
NEEDS_STATUS = _l("Choisissez le statut de ce bénéficiaire secondaire.")
NEEDS_RELATION = _l("Choisissez la relation de ce bénéficiaire secondaire.")
BAD_RELATION = _l(
    "La relation est « Partenaire du bénéficiaire » ou « Enfant mineur à charge du bénéficiaire »."
)
BAD_STATUS = _l("Choisissez un statut de la liste.")
ADULT_CHILD = _l(
    "Un enfant majeur à charge ne peut pas être bénéficiaire secondaire : ouvrez-lui un "
    "dossier particulier."
)


@dataclass(frozen=True)
class FormAMemberData:
    """A member's line of formulaire A as posted."""

    secondary: bool
    suffix: int | None
    status: str | None
    relation: str | None
    nationality: str | None


@dataclass(frozen=True)
class IntegrationWarning:
    """A secondary beneficiary not integrated « en enquête » on the form's effective date."""

    member: HouseholdMember
    on: date


# ------------------------------------------------------------------ reads


def default_effective_date(request: AidRequest) -> date:
    return request.effective_date


def secondary_candidates(request: AidRequest) -> list[HouseholdMember]:
    """The de facto members a line of formulaire A is for: all but the main beneficiary."""
    return [m for m in dossier_queries.current_members(request.dossier) if not m.is_main]


def earlier_suffixes(request: AidRequest, nisses: Iterable[str]) -> dict[str, int]:
    """The suffix each person (by NISS) had on the dossier's other requests: the latest
    request's wins (one query on ``ix_form_a_member_niss``)."""
    wanted = list(nisses)
    if not wanted:
        return {}
    rows = db.session.execute(
        select(FormAMember.niss, FormAMember.suffix)
        .join(FormA, FormA.id == FormAMember.form_id)
        .join(AidRequest, AidRequest.id == FormA.request_id)
        .where(
            FormAMember.dossier_id == request.dossier_id,
            FormAMember.niss.in_(wanted),
            FormAMember.suffix.is_not(None),
            FormA.request_id != request.id,
        )
        .order_by(AidRequest.number)
    ).all()
    return {niss: suffix for niss, suffix in rows if suffix is not None}


def suffix_holder(request: AidRequest, suffix: int, niss: str) -> FormAMember | None:
    """A line of the dossier (any request) where another person has ``suffix``."""
    return db.session.scalar(
        select(FormAMember)
        .where(
            FormAMember.dossier_id == request.dossier_id,
            FormAMember.suffix == suffix,
            FormAMember.niss != niss,
        )
        .limit(1)
    )


def is_adult(member: HouseholdMember, on: date) -> bool:
    born = member.birth_date
    if born is None:
        return False
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return years >= ADULT_AGE


def integration_warnings(form: FormA | None, request: AidRequest) -> list[IntegrationWarning]:
    """The secondary beneficiaries the BCSS does not know « en enquête » (code 001) on the
    form's effective date (seed 001 §8.3: « Il y a lieu d'intégrer manuellement "en
    enquête" toutes les personnes […] considérées comme bénéficiaires secondaires »)."""
    if form is None:
        return []
    bcss = get_bcss()
    on = form.effective_date
    warnings = []
    for line in form.members:
        if not line.secondary:
            continue
        periods = bcss.consult(request.organisation_id, line.niss, on, on)
        if not any(code == INQUIRY for code, _period in periods):
            warnings.append(IntegrationWarning(line.member, on))
    return warnings


def check_against_b_forms(form: FormA, b_dates: Iterable[date]) -> None:
    """Refuse B forms whose effective date precedes formulaire A's (seed 001 §12: « La date
    d'entrée en vigueur du formulaire A doit être identique ou antérieure à la date d'entrée
    en vigueur des formulaires B1 et/ou B2 »). The Council calls this when it adds them."""
    earliest = min(b_dates, default=None)
    if earliest is not None and earliest < form.effective_date:
        raise InquiryRuleError(
            str(AFTER_B_FORMS)
            % {
                "form_a": form.effective_date.strftime("%d/%m/%Y"),
                "form_b": earliest.strftime("%d/%m/%Y"),
            },
            field="effective_date",
        )


# ------------------------------------------------------------------ writes


def _form_for(request: AidRequest, by: User, version: int | None) -> FormA:
    """The request's formulaire A; made on its first save (posted version 0: none yet)."""
    form = form_a_of(request)
    if form is None:
        if version != 0:
            raise InquiryRuleError(BAD_VERSION, field="version")
        main = dossier_queries.main_member(request.dossier)
        form = FormA(
            organisation_id=request.organisation_id,
            request_id=request.id,
            effective_date=default_effective_date(request),
            main_nationality=main.nationality if main else None,
        )
        stamp(form, by)
        db.session.add(form)
        db.session.flush()
        return form
    return form


def save_form(
    request: AidRequest,
    effective_date: date,
    main_nationality: str | None,
    by: User,
    *,
    version: int | None,
) -> FormA:
    """« Enregistrer » the effective date and the main beneficiary's nationality."""
    ensure_open(request)
    form = form_a_of(request)
    if form is not None:
        check_version(form, version, by)
    else:
        form = _form_for(request, by, version)
    form.effective_date = effective_date
    form.main_nationality = (main_nationality or "").strip() or None
    changed(
        request,
        SAVE,
        by,
        niss=request.dossier.niss,
        record=form,
        details=f"entrée en vigueur {effective_date:%d/%m/%Y}",
    )
    return form


def _check_member(
    request: AidRequest, form_date: date, member: HouseholdMember, data: FormAMemberData
) -> None:
    if member.removed_at is not None or member.dossier_id != request.dossier_id:
        raise InquiryRuleError(NOT_A_MEMBER)
    if member.is_main:
        raise InquiryRuleError(MAIN_NOT_HERE)
    if data.suffix is not None and not 1 <= data.suffix <= SUFFIX_MAX:
        raise InquiryRuleError(str(BAD_SUFFIX) % {"max": SUFFIX_MAX}, field="suffix")
    if data.status is not None and data.status not in FORM_A_STATUSES:
        raise InquiryRuleError(BAD_STATUS, field="status")
    if data.relation is not None and data.relation not in FORM_A_RELATIONS:
        raise InquiryRuleError(BAD_RELATION, field="relation")
    if data.secondary:
        if data.suffix is None:
            raise InquiryRuleError(NEEDS_SUFFIX, field="suffix")
        if data.status is None:
            raise InquiryRuleError(NEEDS_STATUS, field="status")
        if data.relation is None:
            raise InquiryRuleError(NEEDS_RELATION, field="relation")
        if data.relation == "minor_child" and is_adult(member, form_date):
            raise InquiryRuleError(ADULT_CHILD, field="relation")
    if data.suffix is not None:
        holder = suffix_holder(request, data.suffix, member.niss)
        if holder is not None:
            other = holder.member
            number = db.session.scalar(
                select(AidRequest.number)
                .join(FormA, FormA.request_id == AidRequest.id)
                .where(FormA.id == holder.form_id)
            )
            raise InquiryRuleError(
                str(SUFFIX_TAKEN)
                % {
                    "suffix": data.suffix,
                    "name": f"{other.last_name} {other.first_name}",
                    "number": number,
                },
                field="suffix",
            )


def save_member(
    request: AidRequest,
    member: HouseholdMember,
    data: FormAMemberData,
    by: User,
    *,
    version: int | None,
) -> FormAMember:
    """« Enregistrer » a member's line. ``version`` is the line's (0: no line yet); the form
    itself is made on the first line saved, with its defaults."""
    ensure_open(request)
    form = form_a_of(request)
    form_date = form.effective_date if form else default_effective_date(request)
    _check_member(request, form_date, member, data)
    line = next((m for m in form.members if m.member_id == member.id), None) if form else None
    if line is None:
        if version != 0:  # a new line is posted with version 0; anything else is garbage
            raise InquiryRuleError(BAD_VERSION, field="version")
        if form is None:
            form = _form_for(request, by, 0)
        line = FormAMember(
            form_id=form.id,
            member_id=member.id,
            dossier_id=member.dossier_id,
            niss=member.niss,
        )
        stamp(line, by)
        db.session.add(line)
    else:
        check_version(line, version, by)
    line.secondary = data.secondary
    line.suffix = data.suffix
    line.status = data.status
    line.relation = data.relation
    line.nationality = (data.nationality or "").strip() or None
    db.session.flush()
    changed(
        request,
        MEMBER_SAVE,
        by,
        niss=member.niss,
        record=line,
        details=(
            f"bénéficiaire secondaire, suffixe {data.suffix}"
            if data.secondary
            else "pas bénéficiaire secondaire"
        ),
    )
    return line
