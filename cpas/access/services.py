"""Writes on profiles, users and account requests: check, change, audit, commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from .. import audit
from ..auth.passwords import hash_password
from ..concurrency import check_version, commit, conflict_of
from ..extensions import db
from ..mailer import send_localised
from ..templating import current_locale
from ..timeutil import utcnow
from ..workflow import RuleError
from .functions import FUNCTIONS, complete_dependencies
from .lifecycle import ACCEPT, ACCOUNT_REQUEST, REFUSE
from .models import (
    AccountRequest,
    AccountRequestStatus,
    Organisation,
    Profile,
    ProfileFunction,
    User,
    user_profile,
)
from .templates import templates_for

#: Holding this function is what "access management" means for the last-holder rule.
ACCESS_MANAGEMENT = "access.users"

PROFILE_ASSIGNED = _l(
    "Le profil que vous voulez supprimer est affecté à un ou plusieurs utilisateurs. "
    "Veuillez d'abord le désaffecter."
)
LAST_HOLDER = _l(
    "Impossible : l'organisation n'aurait plus aucun utilisateur actif pouvant gérer les "
    "accès (fonction « Gérer les utilisateurs »)."
)


class AccessRuleError(Exception):
    """A change refused by a rule of access management; the message is for the user."""


def ensure_template_profiles(organisation: Organisation) -> list[Profile]:
    """Create the predefined profiles of the organisation's kind when missing (no commit)."""
    profiles = []
    for template in templates_for(organisation.kind):
        profile = db.session.scalar(
            select(Profile).where(
                Profile.organisation_id == organisation.id, Profile.name_fr == template.name_fr
            )
        )
        if profile is None:
            profile = Profile(
                organisation_id=organisation.id,
                name_fr=template.name_fr,
                name_nl=template.name_nl,
                functions=[ProfileFunction(code=c) for c in sorted(template.codes())],
            )
            db.session.add(profile)
            db.session.flush()
        profiles.append(profile)
    return profiles


def _active_managers(organisation_id: int) -> set[int]:
    """Ids of the active users of the organisation who hold access management."""
    rows = db.session.execute(
        select(User.id, Profile.all_access, ProfileFunction.code)
        .join(user_profile, user_profile.c.user_id == User.id)
        .join(Profile, Profile.id == user_profile.c.profile_id)
        .outerjoin(
            ProfileFunction,
            (ProfileFunction.profile_id == Profile.id)
            & (ProfileFunction.code == ACCESS_MANAGEMENT),
        )
        .where(User.organisation_id == organisation_id, User.active.is_(True))
    )
    return {user_id for user_id, all_access, code in rows if all_access or code}


def _check_managers_remain(organisation_id: int) -> None:
    db.session.flush()
    if not _active_managers(organisation_id):
        raise AccessRuleError(str(LAST_HOLDER))


@dataclass
class ProfileSaved:
    profile: Profile
    added: list[str]


def save_profile(
    organisation_id: int,
    name_fr: str,
    name_nl: str,
    codes: set[str],
    by: User,
    profile: Profile | None = None,
    version: int | None = None,
) -> ProfileSaved:
    """Create or update a profile; required functions are added and reported. Commits.

    Updating needs the ``version`` the form was loaded with (a stale one is a Conflict)."""
    if profile is not None and profile.all_access:
        raise AccessRuleError(_("Le profil « Tous les accès » ne peut pas être modifié."))
    if profile is not None:
        check_version(profile, version, by)
    complete, added = complete_dependencies(set(codes))
    creating = profile is None
    if profile is None:
        profile = Profile(organisation_id=organisation_id)
        db.session.add(profile)
    before = sorted(profile.function_codes) if not creating else []
    profile.name_fr = name_fr.strip()
    profile.name_nl = name_nl.strip()
    existing = {f.code: f for f in profile.functions}
    profile.functions = [existing.get(c) or ProfileFunction(code=c) for c in sorted(complete)]
    try:
        if not creating:
            _check_managers_remain(organisation_id)
    except AccessRuleError:
        db.session.rollback()
        raise
    db.session.flush()
    audit.record(
        "access.profile_create" if creating else "access.profile_update",
        obj=profile,
        user=by,
        details=f"{len(before)} -> {len(complete)} fonctions",
    )
    commit(profile)
    return ProfileSaved(profile, sorted(added, key=lambda c: list(FUNCTIONS).index(c)))


def delete_profile(profile: Profile, by: User) -> None:
    """Delete a profile that nobody holds. Commits."""
    if profile.all_access:
        raise AccessRuleError(_("Le profil « Tous les accès » ne peut pas être supprimé."))
    holders = db.session.scalar(
        select(func.count())
        .select_from(user_profile)
        .where(user_profile.c.profile_id == profile.id)
    )
    if holders:
        raise AccessRuleError(str(PROFILE_ASSIGNED))
    audit.record("access.profile_delete", obj=profile, user=by, details=profile.name_fr)
    db.session.delete(profile)
    db.session.commit()


def assign_profiles(
    user: User, profiles: list[Profile], by: User, version: int | None = None
) -> None:
    """Replace the user's profiles (all of the user's organisation). Commits.

    Needs the assignment ``version`` the form was loaded with (a stale one is a Conflict)."""
    if any(p.organisation_id != user.organisation_id for p in profiles):
        raise AccessRuleError(_("Un profil choisi n'appartient pas à l'organisation."))
    if not user.active:
        raise AccessRuleError(_("Réactivez d'abord cet utilisateur."))
    _claim_assignment(user, version, by)
    user.profiles = list(profiles)
    try:
        _check_managers_remain(user.organisation_id)
    except AccessRuleError:
        db.session.rollback()
        raise
    audit.record(
        "access.user_assign_profiles",
        obj=user,
        user=by,
        details=", ".join(p.name_fr for p in profiles) or "aucun profil",
    )
    db.session.commit()


def deactivate_user(user: User, by: User, version: int | None) -> None:
    """Remove every profile, end the sessions, move to the inactive users. Commits.

    Needs the assignment ``version`` the list was loaded with (a stale one is a Conflict)."""
    if user.id == by.id:
        raise AccessRuleError(_("Vous ne pouvez pas désactiver votre propre compte."))
    if not user.active:
        raise AccessRuleError(_("Cet utilisateur est déjà inactif."))
    # The version is bumped too (the profiles are emptied), so that a form loaded before
    # cannot give the old profiles back.
    _claim_assignment(user, version, by)
    user.profiles = []
    user.active = False
    user.deactivated_at = utcnow()
    user.session_version += 1
    try:
        _check_managers_remain(user.organisation_id)
    except AccessRuleError:
        db.session.rollback()
        raise
    audit.record("access.user_deactivate", obj=user, user=by)
    db.session.commit()


def reactivate_user(user: User, by: User, version: int | None) -> None:
    """Back in the list of users, without any profile. Commits.

    Needs the assignment ``version`` the list was loaded with (a stale one is a Conflict)."""
    if user.active:
        raise AccessRuleError(_("Cet utilisateur est déjà actif."))
    _claim_assignment(user, version, by)
    user.active = True
    user.deactivated_at = None
    user.profiles = []
    audit.record("access.user_reactivate", obj=user, user=by)
    db.session.commit()


def _claim_assignment(user: User, posted: int | None, by: User) -> None:
    """Check the posted assignment version and bump it in one conditional UPDATE.

    The user row has no ``version_id_col`` (see ``User``), so the race between two
    administrators is settled here: the UPDATE matches the row only while it still has the
    posted version; the loser gets a Conflict and nothing of its change is kept."""
    check_version(user, posted, by)  # a stale or garbage version: Conflict before any change
    claimed = cast(
        CursorResult[Any],  # an UPDATE answers with a cursor result, which has a rowcount
        db.session.execute(
            update(User)
            .where(User.id == user.id, User.version == posted)
            .values(version=User.version + 1, updated_at=user.updated_at, updated_by_id=by.id)
            .execution_options(synchronize_session=False),
        ),
    ).rowcount
    if claimed != 1:  # another assignment was committed after this request loaded the user
        db.session.rollback()
        raise conflict_of(user)
    set_committed_value(user, "version", posted + 1)  # type: ignore[operator]


# --------------------------------------------------------------------------- account requests


def submit_account_request(data: dict, ip: str) -> None:
    """Store a pending request, or tell an existing account holder by email. Commits.

    The caller shows the same answer in both cases (no account enumeration), and both
    cases do the same work, so that they also take the same time: one password hash, one
    commit, one e-mail to the typed address.
    """
    email = data["email"].strip().lower()
    locale = current_locale()  # the applicant's language: the page the request was made on
    password_hash = hash_password(data["password"])  # also for a known e-mail: same time
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None:
        audit.record("access.account_request_duplicate", outcome="refused")
        db.session.commit()
        link = _link("auth.forgot_password")

        def compose_duplicate() -> tuple[str, str]:
            return _("Demande de compte – Intranet CPAS"), _(
                "Bonjour,\n\nUne demande de compte a été faite avec cette adresse, mais un "
                "compte existe déjà. Si vous avez oublié votre mot de passe, utilisez « Mot de "
                "passe oublié ? » sur la page de connexion :\n%(link)s\n",
                link=link,
            )

        # The account holder's language if chosen, else the one the request was made in.
        send_localised([(email, existing.locale or locale)], compose_duplicate)
        return
    request_row = AccountRequest(
        organisation_id=data["organisation_id"],
        last_name=data["last_name"].strip(),
        first_name=data["first_name"].strip(),
        email=email,
        password_hash=password_hash,
        iban=data["iban"],
        representative=data["representative"].strip(),
        phone=data["phone"].strip(),
        message=(data.get("message") or "").strip() or None,
        ip=ip,
        locale=locale,
    )
    db.session.add(request_row)
    db.session.flush()
    audit.record(
        "access.account_request_submit",
        obj=request_row,
        organisation_id=request_row.organisation_id,
    )
    db.session.commit()

    def compose_received() -> tuple[str, str]:
        return _("Demande de compte – Intranet CPAS"), _(
            "Bonjour,\n\nNous avons bien reçu votre demande de compte. Un administrateur "
            "l'examinera ; vous recevrez un e-mail dès qu'une décision sera prise.\n"
        )

    send_localised([(email, locale)], compose_received)


def update_account_request(
    request_row: AccountRequest, data: dict, by: User, version: int | None = None
) -> None:
    """Edit a pending request (any field but the password). Commits.

    Needs the ``version`` the form was loaded with (a stale one is a Conflict)."""
    _ensure_pending(request_row)
    check_version(request_row, version, by)
    for field in ("last_name", "first_name", "email", "iban", "representative", "phone"):
        setattr(
            request_row, field, data[field].strip() if isinstance(data[field], str) else data[field]
        )
    request_row.email = request_row.email.lower()
    request_row.message = (data.get("message") or "").strip() or None
    audit.record("access.account_request_update", obj=request_row, user=by)
    commit(request_row)


def accept_account_request(
    request_row: AccountRequest, profile: Profile | None, by: User, version: int | None
) -> User:
    """Create the account in the request's organisation with the chosen profile. Commits.

    Needs the ``version`` the review page was loaded with (a stale one is a Conflict, and
    an edit committed meanwhile too: no account is created)."""
    _ensure_pending(request_row)
    _fire(request_row, ACCEPT, by, version, {"profile": profile})
    return db.session.get_one(User, request_row.user_id)


def refuse_account_request(
    request_row: AccountRequest, reason: str, by: User, version: int | None
) -> None:
    """Refuse with a reason, emailed to the applicant. Commits.

    Needs the ``version`` the review page was loaded with (a stale one is a Conflict)."""
    _ensure_pending(request_row)
    _fire(request_row, REFUSE, by, version, {"reason": reason.strip() or None})


def _fire(
    request_row: AccountRequest, action: str, by: User, version: int | None, given: dict
) -> None:
    """Take a step of the account request's workflow; a refused step is an AccessRuleError."""
    try:
        ACCOUNT_REQUEST.fire(request_row, action, by, version, given)
    except RuleError as exc:  # nothing was changed: fire checks everything first
        raise AccessRuleError(str(exc)) from exc


def _ensure_pending(request_row: AccountRequest) -> None:
    if request_row.status != AccountRequestStatus.PENDING.value:
        raise AccessRuleError(_("Cette demande a déjà été traitée."))


def _link(endpoint: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint)


def set_locale(user: User, locale: str) -> None:
    """Remember the user's interface language. Commits."""
    user.locale = locale
    db.session.commit()


def log_consultation(
    action: str, by: User, *, niss: str | None = None, details: str | None = None
) -> None:
    """Audit a consultation or an export made by ``by``. Commits."""
    audit.record(action, user=by, niss=niss, details=details)
    db.session.commit()
