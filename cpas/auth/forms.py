"""Sign-in and password reset forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from ..formfields import BaseForm
from .passwords import password_problems


class LoginForm(BaseForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[DataRequired(_l("Indiquez votre adresse e-mail.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Mot de passe"),
        validators=[DataRequired(_l("Indiquez votre mot de passe.")), Length(max=200)],
    )


class ForgotPasswordForm(BaseForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[DataRequired(_l("Indiquez votre adresse e-mail.")), Length(max=254)],
    )


class NewPasswordForm(BaseForm):
    password = PasswordField(
        _l("Nouveau mot de passe"),
        validators=[DataRequired(_l("Choisissez un mot de passe.")), Length(max=200)],
    )
    confirm = PasswordField(
        _l("Confirmation du mot de passe"),
        validators=[
            DataRequired(_l("Confirmez le mot de passe.")),
            EqualTo("password", _l("Les deux mots de passe ne correspondent pas.")),
            Length(max=200),
        ],
    )

    def validate_password(self, field: PasswordField) -> None:
        from wtforms.validators import ValidationError

        problems = password_problems(field.data or "", self._account_email)
        if problems:
            raise ValidationError(" ".join(problems))

    # Set by the route so that the policy can refuse the account's own email.
    _account_email: str | None = None
