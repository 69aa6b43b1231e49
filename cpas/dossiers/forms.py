"""Forms of the dossiers domain. NISS fields accept ``85.07.30-033.28``, ``85073003328``
and spaces; birth dates of searches accept ``00`` for an unknown day or month."""

from __future__ import annotations

from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..concurrency import VersionField
from ..formfields import BaseForm, BelgianDateField, NissField, coerce_id, person_name
from ..registry.birthdates import BirthDateError, parse_partial
from ..registry.quality_codes import QUALITY_CODES
from .models import MEMBER_RELATIONS

REQUIRED = "Ce champ est obligatoire."


class PersonSearchForm(BaseForm):
    """Look a person up in the register: by NISS or phonetically."""

    mode = RadioField(
        "Rechercher",
        choices=[("niss", "Par un NISS"), ("phonetique", "Par une recherche phonétique")],
        default="phonetique",
    )
    niss = NissField("NISS *", validators=[Optional()])
    nom = StringField("Nom *", validators=[Optional(), Length(max=100)])
    prenom = StringField("Prénom", validators=[Optional(), Length(max=100)])
    naissance = StringField(
        "Date de naissance * (JJ/MM/AAAA, 00 si inconnu)", validators=[Optional(), Length(max=20)]
    )
    tolerance = IntegerField(
        "Tolérance (00 à 10)",
        default=0,
        validators=[
            Optional(),
            NumberRange(0, 10, "La tolérance doit être comprise entre 00 et 10."),
        ],
    )

    def validate(self, extra_validators=None) -> bool:
        # Search by what was filled in when the other mode's fields are empty.
        has_niss = bool((self.niss.data or "").strip())
        has_name = bool((self.nom.data or "").strip())
        if self.mode.data != "niss" and has_niss and not has_name:
            self.mode.data = "niss"
        elif self.mode.data == "niss" and has_name and not has_niss:
            self.mode.data = "phonetique"
        ok = super().validate(extra_validators)
        self.partial = None
        if self.mode.data == "niss":
            if not self.niss.data and not self.niss.errors:
                self.niss.errors.append("Indiquez le NISS de la personne.")
                ok = False
            return ok
        if not (self.nom.data or "").strip():
            self.nom.errors.append("Indiquez le nom (même approximatif).")
            ok = False
        if not (self.naissance.data or "").strip():
            self.naissance.errors.append(
                "Indiquez la date de naissance ; 00 pour le jour ou le mois inconnus, "
                "et estimez l'année."
            )
            return False
        try:
            self.partial = parse_partial(self.naissance.data)
        except BirthDateError as exc:
            self.naissance.errors.append(str(exc))
            ok = False
        return ok


class AddressForm(BaseForm):
    """The effective residence address."""

    street = StringField("Rue *", validators=[DataRequired(REQUIRED), Length(max=150)])
    house_number = StringField("Numéro *", validators=[DataRequired(REQUIRED), Length(max=10)])
    box = StringField("Boîte", validators=[Optional(), Length(max=10)])
    postal_code = StringField(
        "Code postal *",
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^[1-9]\d{3}$", message="Code postal belge : 4 chiffres (ex. 4000)."),
        ],
    )
    locality = StringField("Localité *", validators=[DataRequired(REQUIRED), Length(max=100)])


class MemberForm(AddressForm):
    """A de facto household member: effective address, relation and its start date."""

    relation = SelectField(
        "Relation avec le bénéficiaire *",
        choices=[("", "— Choisir —"), *MEMBER_RELATIONS.items()],
        validators=[DataRequired("Choisissez la relation.")],
    )
    relation_start = BelgianDateField(
        "Date de début de la relation * (JJ/MM/AAAA)",
        validators=[InputRequired("Indiquez la date de début de la relation.")],
    )


class ReferencesForm(BaseForm):
    """« Modifier » the dossier's references."""

    version = VersionField()

    dossier_number = StringField(
        "N° de dossier du CPAS *",
        validators=[Length(max=11, message="11 caractères au maximum.")],
    )
    opened_on = BelgianDateField(
        "Date d'ouverture *", validators=[InputRequired("Indiquez la date d'ouverture.")]
    )
    social_worker_id = SelectField("Assistant social", coerce=int, choices=[], default=0)


class DossierSearchForm(BaseForm):
    """« Rechercher un dossier » by NISS, name or opening date (posted: no NISS in URLs)."""

    niss = NissField("NISS", validators=[Optional()])
    nom = StringField("Nom (contient)", validators=[Optional(), Length(max=100)])
    ouverture = BelgianDateField("Date d'ouverture (JJ/MM/AAAA)", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not (self.niss.data or (self.nom.data or "").strip() or self.ouverture.data):
            self.nom.errors.append("Indiquez au moins un critère : NISS, nom ou date d'ouverture.")
            return False
        return ok


def _code_choices() -> list[tuple[str, str]]:
    return [(q.code, f"{q.code} – {q.label} ({q.duration_label})") for q in QUALITY_CODES.values()]


def _check_members(field: SelectMultipleField) -> bool:
    """Keep only the dossier's members among the ticked ones; at least one is needed."""
    allowed = {value for value, _label in field.choices}
    field.data = [m for m in field.data or [] if m in allowed]
    if not field.data:
        field.errors = ["Sélectionnez au moins un membre du ménage."]
        return False
    return True


class IntegrationForm(BaseForm):
    """« Intégrer » the selected members for a period."""

    code = SelectField("Code qualité *", choices=_code_choices(), default="001")
    start = BelgianDateField(
        "Du * (JJ/MM/AAAA)", validators=[InputRequired("Indiquez la date de début.")]
    )
    end = BelgianDateField("Au (JJ/MM/AAAA)", validators=[Optional()])
    members = SelectMultipleField("Membres", coerce=coerce_id, choices=[], validate_choice=False)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        ok = _check_members(self.members) and ok  # both messages at once
        if self.start.data and self.end.data:
            if self.end.data < self.start.data:
                self.end.errors.append("La date de fin précède la date de début.")
                return False
            quality = QUALITY_CODES.get(self.code.data)
            limit = quality.max_end(self.start.data) if quality else None
            if limit is not None and self.end.data > limit:
                self.end.errors.append(
                    f"Au plus tard le {limit:%d/%m/%Y} pour le code {quality.code} "  # type: ignore[union-attr]
                    f"({quality.duration_label.lower()})."  # type: ignore[union-attr]
                )
                ok = False
        return ok


class DeintegrationForm(BaseForm):
    """« Désintégrer » the selected members for a period (start and end required)."""

    start = BelgianDateField(
        "Du * (JJ/MM/AAAA)", validators=[InputRequired("Indiquez la date de début.")]
    )
    end = BelgianDateField(
        "Au * (JJ/MM/AAAA)", validators=[InputRequired("Indiquez la date de fin.")]
    )
    members = SelectMultipleField("Membres", coerce=coerce_id, choices=[], validate_choice=False)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        ok = _check_members(self.members) and ok  # both messages at once
        if self.start.data and self.end.data and self.end.data < self.start.data:
            self.end.errors.append("La date de fin précède la date de début.")
            ok = False
        return ok


class ConsultForm(BaseForm):
    """« Consulter » the integrations of one member for a period (no end: open)."""

    member = SelectField("Membre du ménage *", coerce=coerce_id, choices=[], validate_choice=False)

    def validate_member(self, field) -> None:
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError("Choisissez un membre du ménage.")

    start = BelgianDateField(
        "Du * (JJ/MM/AAAA)", validators=[InputRequired("Indiquez la date de début.")]
    )
    end = BelgianDateField("Au (JJ/MM/AAAA)", validators=[Optional()])


class BisForm(BaseForm):
    """« Attribuer un numéro bis »: name, first name, sex; then either a full birth date and a
    birthplace, or a partial date and a Belgian residence address."""

    nom = StringField("Nom *", validators=[DataRequired(REQUIRED), Length(max=100), person_name])
    prenom = StringField(
        "Prénom *", validators=[DataRequired(REQUIRED), Length(max=100), person_name]
    )
    sexe = RadioField(
        "Sexe *",
        choices=[("M", "Masculin"), ("F", "Féminin")],
        validators=[InputRequired("Indiquez le sexe.")],
    )
    naissance = StringField(
        "Date de naissance * (JJ/MM/AAAA, 00 si inconnu)",
        validators=[DataRequired(REQUIRED), Length(max=20)],
    )
    lieu_naissance = StringField("Lieu de naissance", validators=[Optional(), Length(max=100)])
    nationalite = StringField("Nationalité", validators=[Optional(), Length(max=60)])
    street = StringField("Rue", validators=[Optional(), Length(max=150)])
    house_number = StringField("Numéro", validators=[Optional(), Length(max=10)])
    box = StringField("Boîte", validators=[Optional(), Length(max=10)])
    postal_code = StringField(
        "Code postal",
        validators=[
            Optional(),
            Regexp(r"^[1-9]\d{3}$", message="Code postal belge : 4 chiffres (ex. 4000)."),
        ],
    )
    locality = StringField("Localité", validators=[Optional(), Length(max=100)])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self.partial = None
        if self.naissance.errors or not self.naissance.data:
            return False
        try:
            self.partial = parse_partial(self.naissance.data)
        except BirthDateError as exc:
            self.naissance.errors.append(str(exc))
            return False
        if self.partial.precision == "day":
            if not (self.lieu_naissance.data or "").strip():
                self.lieu_naissance.errors.append(
                    "Avec une date de naissance complète, indiquez le lieu de naissance."
                )
                ok = False
        else:
            for field in (self.street, self.house_number, self.postal_code, self.locality):
                if not (field.data or "").strip():
                    field.errors.append(
                        "Avec une date de naissance incomplète, l'adresse de résidence en "
                        "Belgique est obligatoire."
                    )
                    ok = False
        return ok
