"""Forms of the identification (effective address, « registre d'inscription » by hand) and
of the information (§9.3) of a member's inquiry."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..concurrency import VersionField
from ..dossiers.forms import AddressForm
from ..formfields import BaseForm, BelgianDateField
from ..registry.labels import BIS_REGISTER
from ..registry.name_pool import FOREIGNERS, POPULATION
from .models import CATEGORIES, HOUSING, INSURABILITY, RESIDENCE_PERMITS

CHILDREN_MAX = 20

#: « Registre d'inscription » completed by hand (§9.2, « la petite loupe »): the register's
#: own words are stored, as the register would give them.
WAITING_REGISTER = "Registre d'attente"
REGISTRES: dict[str, Any] = {
    POPULATION: _l("Registre de la population"),
    FOREIGNERS: _l("Registre des étrangers"),
    WAITING_REGISTER: _l("Registre d'attente"),
    BIS_REGISTER: _l("Registre BIS (BCSS)"),
}

#: The Belgian health insurers (« organismes assureurs », by their INAMI number).
INSURERS: dict[str, Any] = {
    "100": _l("Mutualités chrétiennes (100)"),
    "200": _l("Mutualités neutres (200)"),
    "300": _l("Mutualités socialistes — Solidaris (300)"),
    "400": _l("Mutualités libérales (400)"),
    "500": _l("Mutualités libres (500)"),
    "600": _l("Caisse auxiliaire d'assurance maladie-invalidité — CAAMI (600)"),
    "900": _l("Caisse des soins de santé de HR Rail (900)"),
}

CHOOSE = _l("— Choisir —")


def _choices(values: dict[str, Any]) -> list[tuple[str, Any]]:
    return [("", CHOOSE), *values.items()]


class EffectiveAddressForm(AddressForm):
    """« Adresse de résidence effective » of the member (the dossier's record)."""

    version = VersionField()


class RegistreForm(BaseForm):
    """The « registre d'inscription » when the register gives none."""

    registre_manual = SelectField(
        _l("Registre d'inscription *"),
        choices=_choices(REGISTRES),
        validators=[DataRequired(_l("Choisissez le registre d'inscription."))],
    )
    version = VersionField()


class ChildrenField(IntegerField):
    """A number of children: digits only, with a French message for anything else."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        if not (text.isascii() and text.isdigit()) or len(text) > 3:
            raise ValueError(
                _("Indiquez un nombre entier d'enfants (0 à %(max)s).", max=CHILDREN_MAX)
            )
        self.data = int(text)


class PartnerInformationForm(BaseForm):
    """A partner's information (§9.6.1.1: only what the RIS computation and the forms need)."""

    dependent_children = ChildrenField(
        _l("Nombre d'enfants à charge"),
        validators=[
            Optional(),
            NumberRange(
                0,
                CHILDREN_MAX,
                _l("Le nombre d'enfants à charge est compris entre 0 et 20."),
            ),
        ],
    )
    student_piis = BooleanField(_l("Etudiant avec PIIS"))
    nationality = StringField(_l("Nationalité"), validators=[Optional(), Length(max=60)])
    residence_permit = SelectField(
        _l("Titre de séjour"), choices=_choices(RESIDENCE_PERMITS), default=""
    )
    version = VersionField()


class BeneficiaryInformationForm(PartnerInformationForm):
    """The main beneficiary's information: zone 2 (general situation) and zone 3 (Loi 65)."""

    category = SelectField(_l("Catégorie"), choices=_choices(CATEGORIES), default="")
    housing = SelectField(_l("Situation de logement"), choices=_choices(HOUSING), default="")
    homeless = BooleanField(_l("Sans-abri"))
    arrival_date = BelgianDateField(
        _l("Date d'arrivée en Belgique (JJ/MM/AAAA)"), validators=[Optional()]
    )
    insurability = SelectField(
        _l("Assurabilité (mutuelle en ordre ?)"), choices=_choices(INSURABILITY), default=""
    )
    health_insurer = SelectField(_l("Organisme assureur"), choices=_choices(INSURERS), default="")

    def validate_arrival_date(self, field: Any) -> None:
        if field.data is not None and field.data > date.today():
            raise ValidationError(
                _("La date d'arrivée en Belgique ne peut pas être dans le futur.")
            )

    def validate_health_insurer(self, field: Any) -> None:
        if self.insurability.data == "en_ordre" and not field.data:
            raise ValidationError(
                _("Indiquez l'organisme assureur de la personne en ordre de mutuelle.")
            )


def information_form_class(relation: str) -> type[PartnerInformationForm]:
    """The information form of a relation (the beneficiary's or the partner's)."""
    return BeneficiaryInformationForm if relation == "beneficiary" else PartnerInformationForm


def values_of(form: PartnerInformationForm) -> dict[str, Any]:
    """The posted values by column (the fields are named after them), empty choices as None."""
    out: dict[str, Any] = {}
    for name, field in form._fields.items():
        if name in ("csrf_token", "version"):
            continue
        out[name] = None if field.data == "" else field.data
    if isinstance(out.get("nationality"), str):
        out["nationality"] = out["nationality"].strip() or None
    return out
