"""Forms of access management and of the public account request."""

from __future__ import annotations

from flask_wtf import FlaskForm
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
from ..formfields import validate_iban
from ..niss import normalise_niss


class ProfileForm(FlaskForm):
    name_fr = StringField(
        "Description français",
        validators=[DataRequired("Indiquez la description en français."), Length(max=120)],
    )
    name_nl = StringField(
        "Description néerlandais",
        validators=[DataRequired("Indiquez la description en néerlandais."), Length(max=120)],
    )


class _ApplicantFields(FlaskForm):
    organisation_id = SelectField(
        "CPAS ou distributeur", coerce=int, validators=[DataRequired("Choisissez l'organisation.")]
    )
    last_name = StringField(
        "Nom", validators=[DataRequired("Indiquez votre nom."), Length(max=100)]
    )
    first_name = StringField(
        "Prénom", validators=[DataRequired("Indiquez votre prénom."), Length(max=100)]
    )
    email = EmailField(
        "E-mail",
        validators=[
            DataRequired("Indiquez votre adresse e-mail."),
            Email("Adresse e-mail invalide.", check_deliverability=False),
            Length(max=254),
        ],
    )
    iban = StringField(
        "Compte bancaire (IBAN)",
        validators=[DataRequired("Indiquez le compte bancaire."), validate_iban],
    )
    representative = StringField(
        "Représentant de l'institution",
        validators=[DataRequired("Indiquez le représentant de l'institution."), Length(max=200)],
    )
    phone = StringField(
        "Numéro de téléphone de la personne responsable",
        validators=[DataRequired("Indiquez un numéro de téléphone."), Length(max=40)],
    )
    message = TextAreaField("Texte libre", validators=[Optional(), Length(max=2000)])


class AccountRequestForm(_ApplicantFields):
    password = PasswordField(
        "Mot de passe", validators=[DataRequired("Choisissez un mot de passe.")]
    )
    confirm = PasswordField(
        "Confirmez le mot de passe",
        validators=[
            DataRequired("Confirmez le mot de passe."),
            EqualTo("password", "Les deux mots de passe ne correspondent pas."),
        ],
    )
    # Honeypot: hidden from people by CSS, filled in by robots.
    website = StringField("Site web (laisser vide)")

    def validate_password(self, field: PasswordField) -> None:
        problems = password_problems(field.data or "", self.email.data)
        if problems:
            raise ValidationError(" ".join(problems))


class AccountRequestEditForm(_ApplicantFields):
    """The administrator's edit: every field but the password."""


class RefuseForm(FlaskForm):
    reason = TextAreaField(
        "Motif du refus",
        validators=[DataRequired("Indiquez le motif du refus."), Length(max=2000)],
    )


class AcceptForm(FlaskForm):
    profile_id = SelectField(
        "Profil à affecter", coerce=int, validators=[DataRequired("Choisissez un profil.")]
    )


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only search

    date_from = DateField("Du", validators=[Optional()], format="%Y-%m-%d")
    date_to = DateField("Au", validators=[Optional()], format="%Y-%m-%d")
    user_id = SelectField("Utilisateur", coerce=int, validators=[Optional()])
    action = SelectField("Action", validators=[Optional()])
    niss = StringField("NISS de la personne concernée", validators=[Optional()])

    def validate_niss(self, field: StringField) -> None:
        if field.data:
            normalised = normalise_niss(field.data)
            if normalised is None:
                raise ValidationError("NISS invalide (11 chiffres, chiffres de contrôle).")
            field.data = normalised

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("La date de fin précède la date de début.")
