"""Optimistic locking shared by every editable record.

A record carries ``version`` (SQLAlchemy's ``version_id_col``: every UPDATE is made
``WHERE version = <loaded>`` and bumps it) plus who changed it last and when. Each edit
form posts the version it was loaded with (``VersionField``, mandatory and parsed safely);
the service calls ``check_version`` before it changes anything. A mismatch raises
``Conflict``, which names the last writer and the time, so the route can show the same
form again with the user's values, the saved values beside them and the new version.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.orm.exc import StaleDataError
from wtforms import BooleanField, Field, HiddenField, SelectField
from wtforms.validators import StopValidation

from .extensions import db
from .timeutil import utcnow

BRUSSELS = ZoneInfo("Europe/Brussels")
#: A version is a positive 32-bit integer (the column's type on PostgreSQL).
MAX_VERSION = 2**31 - 1
BAD_VERSION = _l(
    "Ce formulaire n'a pas de version valide (page incomplète ou modifiée). "
    "Rechargez la page ; rien n'a été enregistré."
)


class Versioned:
    """Mixin: a version checked on every UPDATE, and the last writer with the time."""

    version: Mapped[int] = mapped_column(default=1, server_default="1")
    updated_at: Mapped[datetime | None]
    # No foreign key, on purpose: users are never deleted (only deactivated), and a plain
    # column lets the SQLite migration add and drop it in place; rebuilding a table such as
    # ``dossier`` would empty its ON DELETE CASCADE children (foreign_keys=ON).
    updated_by_id: Mapped[int | None]

    #: The first words of the conflict message (gender agrees with the record's noun).
    conflict_label: Any = _l("Cet élément a été modifié")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


def parse_version(raw: object) -> int | None:
    """Return the posted version as an int, or None when missing or not a plain number."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    # ASCII digits only: str.isdigit() accepts « ² » and int() would then raise
    if not text or len(text) > 10 or not all("0" <= c <= "9" for c in text):
        return None
    value = int(text)
    return value if value <= MAX_VERSION else None


class VersionField(HiddenField):
    """The record's version when the form was loaded: mandatory, digits, bounded."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw = valuelist[0] if valuelist else ""
        self.data = parse_version(self.raw)

    def pre_validate(self, form: Any) -> None:
        if self.data is None:
            raise StopValidation(str(BAD_VERSION))

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


class Conflict(Exception):
    """Someone else saved the record after the form was loaded."""

    def __init__(self, label: Any, by_name: str | None, at: datetime | None, current: int):
        self.label = label
        self.by_name = by_name
        self.at = at
        self.current_version = current
        super().__init__(f"{label} (version {current})")

    @property
    def when(self) -> str:
        """The last change in Brussels time: « à 14:32 » today, « le 28/11/2026 à 14:32 » before."""
        if self.at is None:
            return ""
        local = self.at.replace(tzinfo=UTC).astimezone(BRUSSELS)
        today = utcnow().replace(tzinfo=UTC).astimezone(BRUSSELS).date()
        if local.date() == today:
            return _("à %(time)s", time=local.strftime("%H:%M"))
        return _(
            "le %(date)s à %(time)s", date=local.strftime("%d/%m/%Y"), time=local.strftime("%H:%M")
        )

    @property
    def short(self) -> str:
        """Who changed the record and when, in one sentence (inline cells, buttons)."""
        who = self.by_name or _("un autre utilisateur")
        return _(
            "%(changed)s par %(name)s %(when)s pendant votre saisie.",
            changed=self.label,
            name=who,
            when=self.when,
        ).replace("  ", " ")

    @property
    def message(self) -> str:
        """The sentence shown above a form whose typed values are kept."""
        return (
            self.short
            + " "
            + _(
                "Vos valeurs sont conservées ci-dessous ; les valeurs enregistrées sont "
                "indiquées à côté de chaque champ."
            )
        )


def conflict_of(obj: Versioned) -> Conflict:
    """Build the conflict for ``obj`` as it is saved now (its last writer and time)."""
    from .access.models import User  # late: the access models import this module

    name = None
    if obj.updated_by_id is not None:
        user = db.session.get(User, obj.updated_by_id)
        name = f"{user.first_name} {user.last_name}" if user else None
    return Conflict(type(obj).conflict_label, name, obj.updated_at, obj.version)


def ensure_current(obj: Versioned, posted: int | None) -> None:
    """Refuse a change made from a stale form, changing nothing (not even the stamp).

    ``posted`` None (missing or garbage) is refused too: a check is never skipped."""
    if posted is None or posted != obj.version:
        raise conflict_of(obj)


def check_version(obj: Versioned, posted: int | None, by: Any) -> None:
    """Refuse a change made from a stale form; otherwise stamp the record with its writer."""
    ensure_current(obj, posted)
    stamp(obj, by)


def stamp(obj: Versioned, by: Any) -> None:
    """Record who changed the record and when (a change without a form: logo, archive)."""
    obj.updated_at = utcnow()
    obj.updated_by_id = getattr(by, "id", None)


def commit(obj: Versioned) -> None:
    """Commit; a concurrent UPDATE that won the race (StaleDataError) becomes a Conflict."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        db.session.refresh(obj)
        raise conflict_of(obj) from None


def shown(field: Field) -> str:
    """A field's value as the user reads it (a choice's label, Oui/Non, the typed text)."""
    if isinstance(field, SelectField):
        for value, label, *_rest in field.iter_choices():
            if str(value) == str(field.data) or value == field.data:
                return str(label)
        return "" if field.data in (None, "") else str(field.data)
    if isinstance(field, BooleanField):
        return _("Oui") if field.data else _("Non")
    value = field._value()
    return "" if value is None else str(value)


def keep_for_merge(form: Any, saved: Any, conflict: Conflict) -> None:
    """Prepare the posted form for a merge: the saved value beside each field that differs,
    the conflict message, and the version now saved so that saving again works."""
    for name, was in saved_differences(form, saved).items():
        form[name].saved_value = was
    if "version" in form._fields:
        form.version.data = conflict.current_version
    form.conflict = conflict


def saved_differences(form: Any, saved: Any) -> dict[str, str]:
    """The saved values (as shown) of the fields whose posted value differs."""
    out = {}
    for name, field in form._fields.items():
        if name in ("csrf_token", "version") or name not in saved._fields:
            continue
        if (saved[name].data or None) == (field.data or None):
            continue  # same value, perhaps written differently (« 1.000 » and « 1000,00 »)
        was = shown(saved[name])
        if was != shown(field):
            out[name] = was or _("(vide)")
    return out
