"""Writes of the social inquiry: the rules every part shares (the freeze, which parts a
relation has), the event « Enrichissement de la demande » and the audit of each change,
and what a duplication or a revision copies. Each part's own writes are in its module
(``information.py``, ``resources.py``, ``expenses.py``, ``form_a.py``) and use these.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit
from ..access.models import User
from ..aid import extend
from ..aid import services as aid_services
from ..aid.models import AidRequest
from ..concurrency import Versioned, commit, stamp
from ..dossiers.models import HouseholdMember
from ..extensions import db
from ..workflow import RuleError
from .models import PARTS_BY_RELATION, Expense, FormA, FormAMember, MemberInquiry, Resource

FROZEN = _l(
    "La demande a été soumise au Conseil : l'enquête sociale est figée. Utilisez « Compléter "
    "l'enquête sociale » sur la demande pour la modifier."
)
NO_SUCH_PART = _l("Cette partie de l'enquête ne concerne pas ce membre du ménage (%(relation)s).")
NOT_A_MEMBER = _l("Cette personne ne fait plus partie du ménage de fait.")


class InquiryRuleError(RuleError):
    """A change of the inquiry refused by a rule (message for the user, ``field``)."""


def ensure_open(request: AidRequest) -> None:
    """Refuse any change of the inquiry once the request left « Demande en cours » (seed
    001 §15; « Compléter l'enquête sociale » reopens it, §16.2)."""
    if aid_services.is_frozen(request):
        raise InquiryRuleError(FROZEN)


def parts_of(member: HouseholdMember) -> tuple[str, ...]:
    """The inquiry parts a member has by relation (``PARTS_BY_RELATION``)."""
    return PARTS_BY_RELATION.get(member.relation, ())


def ensure_part(member: HouseholdMember, part: str) -> None:
    """Refuse a part the member's relation does not have (a tampered URL or POST)."""
    if member.removed_at is not None:
        raise InquiryRuleError(NOT_A_MEMBER)
    if part not in parts_of(member):
        raise InquiryRuleError(str(NO_SUCH_PART) % {"relation": member.relation_label})


def find_inquiry(request: AidRequest, member: HouseholdMember) -> MemberInquiry | None:
    return db.session.scalar(
        select(MemberInquiry).where(
            MemberInquiry.request_id == request.id, MemberInquiry.member_id == member.id
        )
    )


def inquiry_for(request: AidRequest, member: HouseholdMember, by: User) -> MemberInquiry:
    """The member's inquiry for the request, created on its first change (no commit)."""
    inquiry = find_inquiry(request, member)
    if inquiry is None:
        inquiry = MemberInquiry(
            organisation_id=request.organisation_id,
            request_id=request.id,
            member_id=member.id,
            nationality=member.nationality,
        )
        stamp(inquiry, by)
        db.session.add(inquiry)
        db.session.flush()
    return inquiry


def changed(
    request: AidRequest,
    action: str,
    by: User,
    *,
    niss: str,
    record: Versioned | None,
    details: str | None = None,
) -> None:
    """After a change of the inquiry: the request's event, the audit entry (with the
    member's NISS), one commit (a concurrent write of ``record`` is a Conflict)."""
    aid_services.record_enrichment(request, by)
    audit.record(action, obj=request, niss=niss, user=by, details=details)
    if record is not None:
        stamp(record, by)
        commit(record)
    else:
        db.session.commit()


@extend.register_copy_hook
def copy_inquiry(source: AidRequest, new: AidRequest, by: User) -> None:
    """« Dupliquer » / « Réviser » copy the inquiry (information, resources, expenses,
    formulaire A) into the new request, so the social worker updates rather than retypes."""
    inquiries = db.session.scalars(
        select(MemberInquiry).where(MemberInquiry.request_id == source.id)
    ).all()
    info_columns = (
        "registre_manual",
        "category",
        "housing",
        "homeless",
        "student_piis",
        "dependent_children",
        "nationality",
        "residence_permit",
        "arrival_date",
        "insurability",
        "health_insurer",
        "informed",
        "no_resources",
    )
    for old in inquiries:
        copy = MemberInquiry(
            organisation_id=new.organisation_id,
            request_id=new.id,
            member_id=old.member_id,
            **{name: getattr(old, name) for name in info_columns},
        )
        stamp(copy, by)
        copy.resources = [
            Resource(
                kind=r.kind,
                detail=r.detail,
                annual_amount=r.annual_amount,
                start_date=r.start_date,
                end_date=r.end_date,
                counts_for_dis=r.counts_for_dis,
            )
            for r in old.resources
        ]
        copy.expenses = [
            Expense(
                kind=e.kind,
                start_date=e.start_date,
                end_date=e.end_date,
                annual_amount=e.annual_amount,
            )
            for e in old.expenses
        ]
        db.session.add(copy)
    form = db.session.scalar(select(FormA).where(FormA.request_id == source.id))
    if form is not None:
        new_form = FormA(
            organisation_id=new.organisation_id,
            request_id=new.id,
            effective_date=new.effective_date,
            main_nationality=form.main_nationality,
        )
        stamp(new_form, by)
        new_form.members = [
            FormAMember(
                member_id=m.member_id,
                dossier_id=m.dossier_id,
                niss=m.niss,
                secondary=m.secondary,
                suffix=m.suffix,
                status=m.status,
                relation=m.relation,
                nationality=m.nationality,
            )
            for m in form.members
        ]
        db.session.add(new_form)
