"""« Nouvelle demande » (seed 001 §6): the four values every request starts with.

The form parses and says what is missing next to each field; the rules (no date in the
future, a known type, the nature's length) are the service's (``services.create_request``),
so a tampered POST meets them too. Nothing else is read from the POST: a posted ``number``
or ``status`` is no field of this form and never reaches the service.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from ..formfields import BaseForm, BelgianDateField
from .lifecycle import NATURE_MAX
from .models import KIND_LABELS

NATURE_TOO_LONG = _l("La nature de la demande ne peut dépasser %(max)s caractères.")


class NewRequestForm(BaseForm):
    """« Nouvelle demande » → « Enregistrer »."""

    request_date = BelgianDateField(
        _l("Date de la demande *"),
        default=date.today,
        validators=[InputRequired(_l("Indiquez la date de la demande (JJ/MM/AAAA)."))],
    )
    effective_date = BelgianDateField(
        _l("Date d'entrée en vigueur proposée *"),
        default=date.today,
        validators=[
            InputRequired(_l("Indiquez la date d'entrée en vigueur proposée (JJ/MM/AAAA)."))
        ],
    )
    kind = RadioField(
        _l("Type de la demande *"),
        choices=list(KIND_LABELS.items()),
        validators=[DataRequired(_l("Choisissez le type de la demande."))],
    )
    nature = TextAreaField(
        _l("Nature de la demande *"),
        validators=[
            DataRequired(_l("Décrivez la nature de la demande.")),
            Length(max=NATURE_MAX, message=NATURE_TOO_LONG),
        ],
        render_kw={"rows": 6, "maxlength": NATURE_MAX},
    )
