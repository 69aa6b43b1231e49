"""Forms of access management and of the public account request."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from ..auth.passwords import password_problems
from ..concurrency import VersionField
from ..formfields import BaseForm, person_name, validate_iban
from ..niss import normalise_niss


class ProfileForm(BaseForm):
    version = VersionField()  # removed from the form when creating a profile
    name_fr = StringField(
        _l("Description français"),
        validators=[DataRequired(_l("Indiquez la description en français.")), Length(max=120)],
    )
    name_nl = StringField(
        _l("Description néerlandais"),
        validators=[DataRequired(_l("Indiquez la description en néerlandais.")), Length(max=120)],
    )


class _ApplicantFields(BaseForm):
    organisation_id = SelectField(
        _l("CPAS ou distributeur"),
        coerce=int,
        validators=[DataRequired(_l("Choisissez l'organisation."))],
    )
    last_name = StringField(
        _l("Nom"),
        validators=[DataRequired(_l("Indiquez votre nom.")), Length(max=100), person_name],
    )
    first_name = StringField(
        _l("Prénom"),
        validators=[DataRequired(_l("Indiquez votre prénom.")), Length(max=100), person_name],
    )
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Indiquez votre adresse e-mail.")),
            Email(_l("Adresse e-mail invalide."), check_deliverability=False),
            Length(max=254),
        ],
    )
    iban = StringField(
        _l("Compte bancaire (IBAN)"),
        validators=[
            DataRequired(_l("Indiquez le compte bancaire.")),
            Length(max=42),
            validate_iban,
        ],
    )
    representative = StringField(
        _l("Représentant de l'institution"),
        validators=[
            DataRequired(_l("Indiquez le représentant de l'institution.")),
            Length(max=200),
        ],
    )
    phone = StringField(
        _l("Numéro de téléphone de la personne responsable"),
        validators=[DataRequired(_l("Indiquez un numéro de téléphone.")), Length(max=40)],
    )
    message = TextAreaField(_l("Texte libre"), validators=[Optional(), Length(max=2000)])


class AccountRequestForm(_ApplicantFields):
    password = PasswordField(
        _l("Mot de passe"),
        validators=[DataRequired(_l("Choisissez un mot de passe.")), Length(max=200)],
    )
    confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[
            DataRequired(_l("Confirmez le mot de passe.")),
            EqualTo("password", _l("Les deux mots de passe ne correspondent pas.")),
            Length(max=200),
        ],
    )
    # Honeypot: hidden from people by CSS, filled in by robots.
    website = StringField(_l("Site web (laisser vide)"), validators=[Length(max=200)])

    def validate_password(self, field: PasswordField) -> None:
        problems = password_problems(field.data or "", self.email.data)
        if problems:
            raise ValidationError(" ".join(problems))


class AccountRequestEditForm(_ApplicantFields):
    """The administrator's edit: every field but the password."""

    version = VersionField()


class UserAssignForm(BaseForm):
    """« Affecter les profils »: the ticked profiles are read from the request; the form
    carries the version of the user's assignment when the page was loaded."""

    version = VersionField()


class UserStateForm(BaseForm):
    """« Désactiver » / « Réactiver »: the button posts the user's assignment version."""

    version = VersionField()


class RefuseForm(BaseForm):
    version = VersionField()
    reason = TextAreaField(
        _l("Motif du refus"),
        validators=[DataRequired(_l("Indiquez le motif du refus.")), Length(max=2000)],
    )


def optional_id(value: object) -> int | None:
    """An id typed in a form: ASCII digits of a sane length, anything else is None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= 9:
        return int(text)
    return None


#: The empty first option of a select where the administrator must choose.
NO_CHOICE = ""


class AcceptForm(BaseForm):
    """Accept an account request: the administrator picks the profile, none is preselected."""

    version = VersionField()
    # No default and no valid empty choice: « Tous les accès » is never given by accident.
    profile_id = SelectField(_l("Profil à affecter"), coerce=optional_id, validate_choice=False)

    def set_profiles(self, profiles: list[tuple[int, str]]) -> None:
        """Offer these (id, name) profiles after an empty « choose » option."""
        self.profile_id.choices = [(NO_CHOICE, _l("— Choisissez un profil —")), *profiles]
        self._profile_ids = {pid for pid, _name in profiles}

    def validate_profile_id(self, field: SelectField) -> None:
        if field.data is None:
            raise ValidationError(_l("Choisissez le profil à affecter au nouveau compte."))
        if field.data not in getattr(self, "_profile_ids", set()):
            raise ValidationError(_l("Ce profil n'existe pas dans l'organisation."))


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False  # a read-only search

    date_from = DateField(_l("Du"), validators=[Optional()], format="%Y-%m-%d")
    date_to = DateField(_l("Au"), validators=[Optional()], format="%Y-%m-%d")
    user_id = SelectField(_l("Utilisateur"), coerce=int, validators=[Optional()])
    action = SelectField(_l("Action"), validators=[Optional()])
    niss = StringField(_l("NISS de la personne concernée"), validators=[Optional(), Length(max=30)])

    def validate_niss(self, field: StringField) -> None:
        if field.data:
            normalised = normalise_niss(field.data)
            if normalised is None:
                raise ValidationError(_l("NISS invalide (11 chiffres, chiffres de contrôle)."))
            field.data = normalised

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("La date de fin précède la date de début."))
