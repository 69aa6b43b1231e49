"""Forms of the FAT and FSE requests and of the distributor's actions."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..concurrency import VersionField
from ..formfields import BaseForm, IdField, MoneyField, person_name, validate_iban

REQUIRED = _l("Ce champ est obligatoire.")
WORKS_TYPES = [
    ("", _l("— Choisir —")),
    ("compteur", _l("Remplacement ou déplacement du compteur")),
    ("raccordement", _l("Raccordement")),
    ("fuite", _l("Réparation de fuite")),
    ("installation", _l("Mise en conformité de l'installation")),
    ("autre", _l("Autres travaux")),
]
RECURRENCES = [
    ("", _l("— Choisir —")),
    ("ponctuelle", _l("Ponctuelle")),
    ("mensuelle", _l("Mensuelle")),
    ("trimestrielle", _l("Trimestrielle")),
    ("annuelle", _l("Annuelle")),
]


def _text(label: object, required: bool = False, max_len: int = 100, *extra):
    validators = [DataRequired(REQUIRED)] if required else [Optional()]
    return StringField(label, validators=[*validators, Length(max=max_len), *extra])


class _RequestForm(BaseForm):
    version = VersionField()
    internal_ref = _text(_l("Référence dossier interne"), max_len=60)
    distributor_id = SelectField(_l("Distributeur"), coerce=int)
    last_name = _text(_l("Nom *"), True, 100, person_name)
    first_name = _text(_l("Prénom *"), True, 100, person_name)
    street = _text(_l("Rue *"), True, 150)
    house_number = _text(_l("Numéro *"), True, 10)
    box = _text(_l("Boîte"), max_len=10)
    postal_code = StringField(
        _l("Code postal *"),
        validators=[DataRequired(REQUIRED), Regexp(r"^\d{4}$", message=_l("4 chiffres."))],
    )
    locality = _text(_l("Localité *"), True)
    client_number = _text(_l("Numéro de client *"), True, 40)
    occupancy = RadioField(
        _l("Statut de la personne"),
        choices=[("owner", _l("Propriétaire")), ("tenant", _l("Locataire"))],
        validators=[Optional()],
    )
    billing_different = BooleanField(
        _l("Adresse de facturation différente de celle du bénéficiaire")
    )
    billing_name = _text(_l("Nom (facturation)"), max_len=200)
    billing_street = _text(_l("Rue (facturation)"), max_len=150)
    billing_number = _text(_l("Numéro (facturation)"), max_len=10)
    billing_box = _text(_l("Boîte (facturation)"), max_len=10)
    billing_postal_code = StringField(
        _l("Code postal (facturation)"),
        validators=[Optional(), Regexp(r"^\d{4}$", message=_l("4 chiffres."))],
    )
    billing_locality = _text(_l("Localité (facturation)"))
    extra_info = TextAreaField(
        _l("Informations supplémentaires"), validators=[Optional(), Length(max=4000)]
    )

    def validate_billing_street(self, field: StringField) -> None:
        if self.billing_different.data and not field.data:
            raise ValidationError(_("Indiquez l'adresse de facturation."))

    def validate_billing_postal_code(self, field: StringField) -> None:
        if self.billing_different.data and not field.data:
            raise ValidationError(_("Indiquez le code postal de facturation."))

    def validate_billing_locality(self, field: StringField) -> None:
        if self.billing_different.data and not field.data:
            raise ValidationError(_("Indiquez la localité de facturation."))


class FatForm(_RequestForm):
    contact_name = _text(_l("Nom de la personne de contact *"), True, 150)
    contact_phone = _text(_l("Téléphone *"), True, 40)
    contact_email = EmailField(
        _l("Adresse e-mail *"),
        validators=[
            DataRequired(REQUIRED),
            Email(_l("Adresse e-mail invalide."), check_deliverability=False),
            Length(max=254),
        ],
    )
    works_type = SelectField(
        _l("Type de travaux *"), choices=WORKS_TYPES, validators=[DataRequired(REQUIRED)]
    )
    quote_amount = MoneyField(_l("Montant du devis des travaux ou des fournitures"))
    requested_amount = MoneyField(_l("Montant sollicité"))
    payee = RadioField(
        _l("À régler directement à"),
        choices=[
            ("contractor", _l("A : l'entrepreneur qui réalise les travaux")),
            ("cpas", _l("B : le CPAS")),
        ],
        default="contractor",
    )
    contractor_name = _text(_l("Nom de l'entreprise"), max_len=150)
    contractor_contact = _text(_l("Personne de contact"), max_len=150)
    contractor_iban = StringField(
        _l("Compte bancaire de l'entreprise"),
        validators=[Optional(), Length(max=42), validate_iban],
    )
    cpas_file_ref = _text(_l("Référence du dossier"), max_len=60)
    cpas_iban = StringField(
        _l("Compte bancaire du CPAS"), validators=[Optional(), Length(max=42), validate_iban]
    )

    def validate_contractor_name(self, field: StringField) -> None:
        if self.payee.data == "contractor" and not field.data:
            raise ValidationError(_("Indiquez l'entreprise à payer."))

    def validate_contractor_iban(self, field: StringField) -> None:
        if self.payee.data == "contractor" and not field.data:
            raise ValidationError(_("Indiquez le compte bancaire de l'entreprise."))

    def validate_cpas_iban(self, field: StringField) -> None:
        if self.payee.data == "cpas" and not field.data:
            raise ValidationError(_("Indiquez le compte bancaire du CPAS."))


class FseForm(_RequestForm):
    dependants = IntegerField(
        _l("Nombre de personnes à charge"),
        validators=[Optional(), NumberRange(min=0, max=30, message=_l("Entre 0 et 30."))],
    )
    requested_amount = MoneyField(_l("Montant demandé *"), validators=[InputRequired(REQUIRED)])
    recurrence = SelectField(
        _l("Récurrence *"), choices=RECURRENCES, validators=[DataRequired(REQUIRED)]
    )
    bailiff_info = _text(_l("Référence huissier et informations"), max_len=500)
    bailiff_water_invoice = MoneyField(_l("Facture d'eau"))
    bailiff_fees = MoneyField(_l("Frais d'huissier"))
    late_interest = MoneyField(_l("Intérêts de retard"))
    penalty_clause = MoneyField(_l("Clause pénale"))
    # Multi-valued (contract accounts, invoice numbers) are read with request.form.getlist.


class TransitionForm(BaseForm):
    version = VersionField()
    amount = MoneyField(_l("Montant approuvé / accepté"))
    comment = TextAreaField(_l("Commentaire"), validators=[Optional(), Length(max=4000)])
    flat_fee_paid = RadioField(
        _l("Le forfait a-t-il été payé ?"),
        choices=[("oui", _l("Oui")), ("non", _l("Non"))],
        validators=[Optional()],
    )


class FileForm(BaseForm):
    file_type = SelectField(_l("Type de fichier"))


class DrawingRightForm(BaseForm):
    cpas_id = IdField(validators=[InputRequired(REQUIRED)])
    distributor_id = IdField(validators=[InputRequired(REQUIRED)])
    #: 0 while the pair has no right yet for the year
    version = VersionField()
    initial = MoneyField(
        _l("Droits de tirage initiaux (DTI)"), validators=[InputRequired(REQUIRED)]
    )
    complementary = MoneyField(
        _l("Soldes non utilisés, y compris Covid (DTC)"), validators=[InputRequired(REQUIRED)]
    )
    fat_funds = MoneyField(
        _l("Fonds FAT (améliorations techniques)"), validators=[InputRequired(REQUIRED)]
    )
