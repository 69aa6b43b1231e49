"""Forms of the dossiers domain. NISS fields accept ``85.07.30-033.28``, ``85073003328``
and spaces; birth dates of searches accept ``00`` for an unknown day or month."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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

REQUIRED = _l("Ce champ est obligatoire.")


class PersonSearchForm(BaseForm):
    """Look a person up in the register: by NISS or phonetically."""

    mode = RadioField(
        _l("Rechercher"),
        choices=[("niss", _l("Par un NISS")), ("phonetique", _l("Par une recherche phonétique"))],
        default="phonetique",
    )
    niss = NissField(_l("NISS *"), validators=[Optional()])
    nom = StringField(_l("Nom *"), validators=[Optional(), Length(max=100)])
    prenom = StringField(_l("Prénom"), validators=[Optional(), Length(max=100)])
    naissance = StringField(
        _l("Date de naissance * (JJ/MM/AAAA, 00 si inconnu)"),
        validators=[Optional(), Length(max=20)],
    )
    tolerance = IntegerField(
        _l("Tolérance (00 à 10)"),
        default=0,
        validators=[
            Optional(),
            NumberRange(0, 10, _l("La tolérance doit être comprise entre 00 et 10.")),
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
                self.niss.errors.append(_l("Indiquez le NISS de la personne."))
                ok = False
            return ok
        if not (self.nom.data or "").strip():
            self.nom.errors.append(_l("Indiquez le nom (même approximatif)."))
            ok = False
        if not (self.naissance.data or "").strip():
            self.naissance.errors.append(
                _l(
                    "Indiquez la date de naissance ; 00 pour le jour ou le mois inconnus, "
                    "et estimez l'année."
                )
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

    street = StringField(_l("Rue *"), validators=[DataRequired(REQUIRED), Length(max=150)])
    house_number = StringField(_l("Numéro *"), validators=[DataRequired(REQUIRED), Length(max=10)])
    box = StringField(_l("Boîte"), validators=[Optional(), Length(max=10)])
    postal_code = StringField(
        _l("Code postal *"),
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^[1-9]\d{3}$", message=_l("Code postal belge : 4 chiffres (ex. 4000).")),
        ],
    )
    locality = StringField(_l("Localité *"), validators=[DataRequired(REQUIRED), Length(max=100)])


class MemberForm(AddressForm):
    """A de facto household member: effective address, relation and its start date."""

    relation = SelectField(
        _l("Relation avec le bénéficiaire *"),
        choices=[("", _l("— Choisir —")), *MEMBER_RELATIONS.items()],
        validators=[DataRequired(_l("Choisissez la relation."))],
    )
    relation_start = BelgianDateField(
        _l("Date de début de la relation * (JJ/MM/AAAA)"),
        validators=[InputRequired(_l("Indiquez la date de début de la relation."))],
    )


class ReferencesForm(BaseForm):
    """« Modifier » the dossier's references."""

    version = VersionField()

    dossier_number = StringField(
        _l("N° de dossier du CPAS *"),
        validators=[Length(max=11, message="11 caractères au maximum.")],
    )
    opened_on = BelgianDateField(
        _l("Date d'ouverture *"), validators=[InputRequired(_l("Indiquez la date d'ouverture."))]
    )
    social_worker_id = SelectField(_l("Assistant social"), coerce=int, choices=[], default=0)


class DossierSearchForm(BaseForm):
    """« Rechercher un dossier » by NISS, name or opening date (posted: no NISS in URLs)."""

    niss = NissField(_l("NISS"), validators=[Optional()])
    nom = StringField(_l("Nom (contient)"), validators=[Optional(), Length(max=100)])
    ouverture = BelgianDateField(_l("Date d'ouverture (JJ/MM/AAAA)"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not (self.niss.data or (self.nom.data or "").strip() or self.ouverture.data):
            self.nom.errors.append(
                _l("Indiquez au moins un critère : NISS, nom ou date d'ouverture.")
            )
            return False
        return ok


def _code_choices() -> list[tuple[str, str]]:
    """Read at each form's creation: the labels in the reader's language."""
    return [(q.code, f"{q.code} – {q.label} ({q.duration_label})") for q in QUALITY_CODES.values()]


def _check_members(field: SelectMultipleField) -> bool:
    """Keep only the dossier's members among the ticked ones; at least one is needed."""
    allowed = {value for value, _label in field.choices}
    field.data = [m for m in field.data or [] if m in allowed]
    if not field.data:
        field.errors = [_l("Sélectionnez au moins un membre du ménage.")]
        return False
    return True


class IntegrationForm(BaseForm):
    """« Intégrer » the selected members for a period."""

    code = SelectField(_l("Code qualité *"), choices=_code_choices, default="001")
    start = BelgianDateField(
        _l("Du * (JJ/MM/AAAA)"), validators=[InputRequired(_l("Indiquez la date de début."))]
    )
    end = BelgianDateField(_l("Au (JJ/MM/AAAA)"), validators=[Optional()])
    members = SelectMultipleField(
        _l("Membres"), coerce=coerce_id, choices=[], validate_choice=False
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        ok = _check_members(self.members) and ok  # both messages at once
        if self.start.data and self.end.data:
            if self.end.data < self.start.data:
                self.end.errors.append(_l("La date de fin précède la date de début."))
                return False
            quality = QUALITY_CODES.get(self.code.data)
            limit = quality.max_end(self.start.data) if quality else None
            if limit is not None and self.end.data > limit:
                assert quality is not None  # a limit comes from a known code
                self.end.errors.append(
                    _l(
                        "Au plus tard le %(date)s pour le code %(code)s (%(duration)s).",
                        date=f"{limit:%d/%m/%Y}",
                        code=quality.code,
                        duration=str(quality.duration_label).lower(),
                    )
                )
                ok = False
        return ok


class DeintegrationForm(BaseForm):
    """« Désintégrer » the selected members for a period (start and end required)."""

    start = BelgianDateField(
        _l("Du * (JJ/MM/AAAA)"), validators=[InputRequired(_l("Indiquez la date de début."))]
    )
    end = BelgianDateField(
        _l("Au * (JJ/MM/AAAA)"), validators=[InputRequired(_l("Indiquez la date de fin."))]
    )
    members = SelectMultipleField(
        _l("Membres"), coerce=coerce_id, choices=[], validate_choice=False
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        ok = _check_members(self.members) and ok  # both messages at once
        if self.start.data and self.end.data and self.end.data < self.start.data:
            self.end.errors.append(_l("La date de fin précède la date de début."))
            ok = False
        return ok


class ConsultForm(BaseForm):
    """« Consulter » the integrations of one member for a period (no end: open)."""

    member = SelectField(
        _l("Membre du ménage *"), coerce=coerce_id, choices=[], validate_choice=False
    )

    def validate_member(self, field) -> None:
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choisissez un membre du ménage."))

    start = BelgianDateField(
        _l("Du * (JJ/MM/AAAA)"), validators=[InputRequired(_l("Indiquez la date de début."))]
    )
    end = BelgianDateField(_l("Au (JJ/MM/AAAA)"), validators=[Optional()])


class BisForm(BaseForm):
    """« Attribuer un numéro bis »: name, first name, sex; then either a full birth date and a
    birthplace, or a partial date and a Belgian residence address."""

    nom = StringField(
        _l("Nom *"), validators=[DataRequired(REQUIRED), Length(max=100), person_name]
    )
    prenom = StringField(
        _l("Prénom *"), validators=[DataRequired(REQUIRED), Length(max=100), person_name]
    )
    sexe = RadioField(
        _l("Sexe *"),
        choices=[("M", _l("Masculin")), ("F", _l("Féminin"))],
        validators=[InputRequired(_l("Indiquez le sexe."))],
    )
    naissance = StringField(
        _l("Date de naissance * (JJ/MM/AAAA, 00 si inconnu)"),
        validators=[DataRequired(REQUIRED), Length(max=20)],
    )
    lieu_naissance = StringField(_l("Lieu de naissance"), validators=[Optional(), Length(max=100)])
    nationalite = StringField(_l("Nationalité"), validators=[Optional(), Length(max=60)])
    street = StringField(_l("Rue"), validators=[Optional(), Length(max=150)])
    house_number = StringField(_l("Numéro"), validators=[Optional(), Length(max=10)])
    box = StringField(_l("Boîte"), validators=[Optional(), Length(max=10)])
    postal_code = StringField(
        _l("Code postal"),
        validators=[
            Optional(),
            Regexp(r"^[1-9]\d{3}$", message=_l("Code postal belge : 4 chiffres (ex. 4000).")),
        ],
    )
    locality = StringField(_l("Localité"), validators=[Optional(), Length(max=100)])

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
                    _l("Avec une date de naissance complète, indiquez le lieu de naissance.")
                )
                ok = False
        else:
            for field in (self.street, self.house_number, self.postal_code, self.locality):
                if not (field.data or "").strip():
                    field.errors.append(
                        _l(
                            "Avec une date de naissance incomplète, l'adresse de résidence en "
                            "Belgique est obligatoire."
                        )
                    )
                    ok = False
        return ok
