"""Forms of the centre domain: the « Fiche signalétique », its numbers, social workers and
their office hours."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, StringField, TimeField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from ..access.queries import ins_code_taken, organisation_name_taken
from ..concurrency import VersionField
from ..formfields import BaseForm, person_name
from .models import PHONE_KINDS, WEEKDAYS

REQUIRED = _l("Ce champ est obligatoire.")
POSTAL = Regexp(r"^[1-9]\d{3}$", message=_l("Code postal belge : 4 chiffres (ex. 4000)."))
PHONE = Regexp(
    r"^\+?[0-9 ./()-]{6,30}$", message=_l("Numéro invalide : chiffres, espaces, . / - ( ) et +.")
)


class CentreProfileForm(BaseForm):
    version = VersionField()  # 0 while the CPAS has no saved fiche yet
    name = StringField(_l("Nom du CPAS *"), validators=[DataRequired(REQUIRED), Length(max=200)])
    street = StringField(_l("Rue *"), validators=[DataRequired(REQUIRED), Length(max=150)])
    house_number = StringField(_l("Numéro *"), validators=[DataRequired(REQUIRED), Length(max=10)])
    box = StringField(_l("Boîte"), validators=[Optional(), Length(max=10)])
    postal_code = StringField(_l("Code postal *"), validators=[DataRequired(REQUIRED), POSTAL])
    locality = StringField(_l("Localité *"), validators=[DataRequired(REQUIRED), Length(max=100)])
    ins_code = StringField(
        _l("Code INS *"),
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^\d{5}$", message=_l("Le code INS comprend 5 chiffres (ex. 62063).")),
        ],
    )
    email = StringField(
        _l("Adresse e-mail"),
        validators=[Optional(), Email(_l("Adresse e-mail invalide.")), Length(max=254)],
    )

    def validate_name(self, field: StringField) -> None:
        # Organisation names are unique: a clear message here, never an IntegrityError.
        if field.data and organisation_name_taken(field.data.strip(), current_user.organisation_id):
            raise ValidationError(_l("Ce nom est déjà celui d'une autre organisation."))

    def validate_ins_code(self, field: StringField) -> None:
        # One CPAS per INS code (unique constraint); this gives the message next to the field.
        if field.data and ins_code_taken(field.data.strip(), current_user.organisation_id):
            raise ValidationError(_l("Ce code INS est déjà celui d'un autre CPAS."))


class PhoneForm(BaseForm):
    kind = SelectField(_l("Type de numéro *"), choices=list(PHONE_KINDS.items()))
    number = StringField(_l("Numéro *"), validators=[DataRequired(REQUIRED), PHONE])
    holder = StringField(_l("Titulaire"), validators=[Optional(), Length(max=100)])


class WorkerForm(BaseForm):
    version = VersionField()  # removed from the form when creating a worker
    last_name = StringField(
        _l("Nom *"), validators=[DataRequired(REQUIRED), Length(max=100), person_name]
    )
    first_name = StringField(
        _l("Prénom *"), validators=[DataRequired(REQUIRED), Length(max=100), person_name]
    )
    email = StringField(
        _l("Adresse e-mail"),
        validators=[Optional(), Email(_l("Adresse e-mail invalide.")), Length(max=254)],
    )
    phone = StringField(_l("Téléphone"), validators=[Optional(), PHONE])
    office = StringField(_l("Bureau"), validators=[Optional(), Length(max=100)])


class OfficeHourForm(BaseForm):
    weekday = SelectField(_l("Jour *"), coerce=int, choices=list(enumerate(WEEKDAYS)))
    start_time = TimeField(
        _l("De * (HH:MM)"), validators=[DataRequired(_l("Heure attendue au format HH:MM."))]
    )
    end_time = TimeField(
        _l("À * (HH:MM)"), validators=[DataRequired(_l("Heure attendue au format HH:MM."))]
    )
    place = StringField(_l("Lieu *"), validators=[DataRequired(REQUIRED), Length(max=100)])

    def validate_end_time(self, field) -> None:
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError(_l("L'heure de fin doit suivre l'heure de début."))
