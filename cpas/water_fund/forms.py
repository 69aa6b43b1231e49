"""Forms of the FAT and FSE requests and of the distributor's actions."""

from __future__ import annotations

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

REQUIRED = "Ce champ est obligatoire."
WORKS_TYPES = [
    ("", "— Choisir —"),
    ("compteur", "Remplacement ou déplacement du compteur"),
    ("raccordement", "Raccordement"),
    ("fuite", "Réparation de fuite"),
    ("installation", "Mise en conformité de l'installation"),
    ("autre", "Autres travaux"),
]
RECURRENCES = [
    ("", "— Choisir —"),
    ("ponctuelle", "Ponctuelle"),
    ("mensuelle", "Mensuelle"),
    ("trimestrielle", "Trimestrielle"),
    ("annuelle", "Annuelle"),
]


def _text(label: str, required: bool = False, max_len: int = 100, *extra):
    validators = [DataRequired(REQUIRED)] if required else [Optional()]
    return StringField(label, validators=[*validators, Length(max=max_len), *extra])


class _RequestForm(BaseForm):
    version = VersionField()
    internal_ref = _text("Référence dossier interne", max_len=60)
    distributor_id = SelectField("Distributeur", coerce=int)
    last_name = _text("Nom *", True, 100, person_name)
    first_name = _text("Prénom *", True, 100, person_name)
    street = _text("Rue *", True, 150)
    house_number = _text("Numéro *", True, 10)
    box = _text("Boîte", max_len=10)
    postal_code = StringField(
        "Code postal *",
        validators=[DataRequired(REQUIRED), Regexp(r"^\d{4}$", message="4 chiffres.")],
    )
    locality = _text("Localité *", True)
    client_number = _text("Numéro de client *", True, 40)
    occupancy = RadioField(
        "Statut de la personne",
        choices=[("owner", "Propriétaire"), ("tenant", "Locataire")],
        validators=[Optional()],
    )
    billing_different = BooleanField("Adresse de facturation différente de celle du bénéficiaire")
    billing_name = _text("Nom (facturation)", max_len=200)
    billing_street = _text("Rue (facturation)", max_len=150)
    billing_number = _text("Numéro (facturation)", max_len=10)
    billing_box = _text("Boîte (facturation)", max_len=10)
    billing_postal_code = StringField(
        "Code postal (facturation)",
        validators=[Optional(), Regexp(r"^\d{4}$", message="4 chiffres.")],
    )
    billing_locality = _text("Localité (facturation)")
    extra_info = TextAreaField(
        "Informations supplémentaires", validators=[Optional(), Length(max=4000)]
    )

    def validate_billing_street(self, field: StringField) -> None:
        if self.billing_different.data and not field.data:
            raise ValidationError("Indiquez l'adresse de facturation.")

    def validate_billing_postal_code(self, field: StringField) -> None:
        if self.billing_different.data and not field.data:
            raise ValidationError("Indiquez le code postal de facturation.")

    def validate_billing_locality(self, field: StringField) -> None:
        if self.billing_different.data and not field.data:
            raise ValidationError("Indiquez la localité de facturation.")


class FatForm(_RequestForm):
    contact_name = _text("Nom de la personne de contact *", True, 150)
    contact_phone = _text("Téléphone *", True, 40)
    contact_email = EmailField(
        "Adresse e-mail *",
        validators=[
            DataRequired(REQUIRED),
            Email("Adresse e-mail invalide.", check_deliverability=False),
            Length(max=254),
        ],
    )
    works_type = SelectField(
        "Type de travaux *", choices=WORKS_TYPES, validators=[DataRequired(REQUIRED)]
    )
    quote_amount = MoneyField("Montant du devis des travaux ou des fournitures")
    requested_amount = MoneyField("Montant sollicité")
    payee = RadioField(
        "À régler directement à",
        choices=[
            ("contractor", "A : l'entrepreneur qui réalise les travaux"),
            ("cpas", "B : le CPAS"),
        ],
        default="contractor",
    )
    contractor_name = _text("Nom de l'entreprise", max_len=150)
    contractor_contact = _text("Personne de contact", max_len=150)
    contractor_iban = StringField(
        "Compte bancaire de l'entreprise", validators=[Optional(), Length(max=42), validate_iban]
    )
    cpas_file_ref = _text("Référence du dossier", max_len=60)
    cpas_iban = StringField(
        "Compte bancaire du CPAS", validators=[Optional(), Length(max=42), validate_iban]
    )

    def validate_contractor_name(self, field: StringField) -> None:
        if self.payee.data == "contractor" and not field.data:
            raise ValidationError("Indiquez l'entreprise à payer.")

    def validate_contractor_iban(self, field: StringField) -> None:
        if self.payee.data == "contractor" and not field.data:
            raise ValidationError("Indiquez le compte bancaire de l'entreprise.")

    def validate_cpas_iban(self, field: StringField) -> None:
        if self.payee.data == "cpas" and not field.data:
            raise ValidationError("Indiquez le compte bancaire du CPAS.")


class FseForm(_RequestForm):
    dependants = IntegerField(
        "Nombre de personnes à charge",
        validators=[Optional(), NumberRange(min=0, max=30, message="Entre 0 et 30.")],
    )
    requested_amount = MoneyField("Montant demandé *", validators=[InputRequired(REQUIRED)])
    recurrence = SelectField(
        "Récurrence *", choices=RECURRENCES, validators=[DataRequired(REQUIRED)]
    )
    bailiff_info = _text("Référence huissier et informations", max_len=500)
    bailiff_water_invoice = MoneyField("Facture d'eau")
    bailiff_fees = MoneyField("Frais d'huissier")
    late_interest = MoneyField("Intérêts de retard")
    penalty_clause = MoneyField("Clause pénale")
    # Multi-valued (contract accounts, invoice numbers) are read with request.form.getlist.


class TransitionForm(BaseForm):
    version = VersionField()
    amount = MoneyField("Montant approuvé / accepté")
    comment = TextAreaField("Commentaire", validators=[Optional(), Length(max=4000)])
    flat_fee_paid = RadioField(
        "Le forfait a-t-il été payé ?",
        choices=[("oui", "Oui"), ("non", "Non")],
        validators=[Optional()],
    )


class FileForm(BaseForm):
    file_type = SelectField("Type de fichier")


class DrawingRightForm(BaseForm):
    cpas_id = IdField(validators=[InputRequired(REQUIRED)])
    distributor_id = IdField(validators=[InputRequired(REQUIRED)])
    #: 0 while the pair has no right yet for the year
    version = VersionField()
    initial = MoneyField("Droits de tirage initiaux (DTI)", validators=[InputRequired(REQUIRED)])
    complementary = MoneyField(
        "Soldes non utilisés, y compris Covid (DTC)", validators=[InputRequired(REQUIRED)]
    )
    fat_funds = MoneyField(
        "Fonds FAT (améliorations techniques)", validators=[InputRequired(REQUIRED)]
    )
