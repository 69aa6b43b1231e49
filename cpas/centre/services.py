"""Writes of the centre domain: each service changes state, writes the audit entry, commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError

from .. import audit
from ..access.models import Organisation, User
from ..concurrency import Conflict, check_version, commit, stamp
from ..extensions import db
from ..uploads import UploadStorageError, store_upload
from .files import logo_dir
from .models import CentrePhone, CentreProfile, OfficeHour, SocialWorker
from .queries import profile_of

PROFILE_FIELDS = ("street", "house_number", "box", "postal_code", "locality")
WORKER_FIELDS = ("last_name", "first_name", "email", "phone", "office")


def _profile(organisation: Organisation) -> CentreProfile:
    profile = profile_of(organisation.id)
    if profile is None:
        profile = CentreProfile(organisation_id=organisation.id)
        db.session.add(profile)
    return profile


def save_profile(
    organisation: Organisation, data: dict[str, Any], by: User, *, version: int | None
) -> None:
    """« Enregistrer » the fiche: name, INS code and e-mail on the organisation, the address.

    ``version`` is the fiche's when the form was loaded, 0 if it was not saved yet."""
    existing = profile_of(organisation.id)
    if existing is None:
        if version != 0:  # a form that claims a fiche that does not exist
            raise Conflict(CentreProfile.conflict_label, None, None, 0)
    else:
        check_version(existing, version, by)
    try:
        organisation.name = data["name"].strip()
        organisation.ins_code = data["ins_code"].strip()
        organisation.email = (data.get("email") or "").strip() or None
        profile = _profile(organisation)  # its query flushes the organisation's change
        for name in PROFILE_FIELDS:
            value = data.get(name)
            setattr(
                profile, name, value.strip() if isinstance(value, str) and value.strip() else None
            )
        stamp(profile, by)
        audit.record("centre.save_profile", obj=organisation, user=by)
        commit(profile)
    except IntegrityError:
        # another organisation took this name or INS code after the form's checks ran
        db.session.rollback()
        raise


def add_phone(
    organisation: Organisation, kind: str, number: str, holder: str | None, by: User
) -> CentrePhone:
    phone = CentrePhone(
        organisation_id=organisation.id,
        kind=kind,
        number=number.strip(),
        holder=(holder or "").strip() or None,
    )
    db.session.add(phone)
    audit.record("centre.add_phone", obj=organisation, user=by)
    db.session.commit()
    return phone


def remove_phone(phone: CentrePhone, by: User) -> None:
    db.session.delete(phone)
    audit.record("centre.remove_phone", object_type="CentrePhone", object_id=phone.id, user=by)
    db.session.commit()


def save_logo(organisation: Organisation, data: bytes, mime: str, by: User) -> None:
    """Store the logo and point the fiche at it; UploadStorageError when it cannot be written."""
    profile = _profile(organisation)
    old = profile.logo_name
    try:
        with store_upload(logo_dir(), data) as name:
            profile.logo_name = name
            profile.logo_mime = mime
            stamp(profile, by)
            audit.record("centre.save_logo", obj=organisation, user=by)
            db.session.commit()
    except UploadStorageError:
        db.session.rollback()
        raise
    if old:
        (logo_dir() / old).unlink(missing_ok=True)


def remove_logo(organisation: Organisation, by: User) -> None:
    profile = _profile(organisation)
    old = profile.logo_name
    profile.logo_name = profile.logo_mime = None
    stamp(profile, by)
    audit.record("centre.remove_logo", obj=organisation, user=by)
    db.session.commit()
    if old:
        (logo_dir() / old).unlink(missing_ok=True)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v.strip() or None) if isinstance(v, str) else v
        for k, v in data.items()
        if k in WORKER_FIELDS
    }


def create_worker(organisation: Organisation, data: dict[str, Any], by: User) -> SocialWorker:
    worker = SocialWorker(organisation_id=organisation.id, **_clean(data))
    db.session.add(worker)
    db.session.flush()
    audit.record("centre.create_worker", obj=worker, user=by)
    db.session.commit()
    return worker


def update_worker(
    worker: SocialWorker, data: dict[str, Any], by: User, *, version: int | None
) -> None:
    """« Enregistrer » a worker; ``version`` is the one the form was loaded with."""
    check_version(worker, version, by)
    for name, value in _clean(data).items():
        setattr(worker, name, value)
    audit.record("centre.update_worker", obj=worker, user=by)
    commit(worker)


def add_office_hour(worker: SocialWorker, data: dict[str, Any], by: User) -> OfficeHour:
    hour = OfficeHour(
        weekday=data["weekday"],
        start_time=data["start_time"],
        end_time=data["end_time"],
        place=data["place"].strip(),
    )
    worker.office_hours.append(hour)
    audit.record("centre.add_office_hour", obj=worker, user=by)
    db.session.commit()
    return hour


def remove_office_hour(worker: SocialWorker, hour: OfficeHour, by: User) -> None:
    worker.office_hours.remove(hour)
    audit.record("centre.remove_office_hour", obj=worker, user=by)
    db.session.commit()


def set_worker_active(worker: SocialWorker, active: bool, by: User) -> None:
    """« Déplacer vers assistants sociaux inactifs » and back."""
    worker.active = active
    stamp(worker, by)
    audit.record(
        "centre.reactivate_worker" if active else "centre.archive_worker", obj=worker, user=by
    )
    db.session.commit()
