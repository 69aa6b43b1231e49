"""Writes on profiles and users: change, audit, commit."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from .models import Organisation, Profile, ProfileFunction
from .templates import templates_for


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
