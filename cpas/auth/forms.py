"""Sign-in and password reset forms."""

from __future__ import annotations

from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from ..formfields import BaseForm
from .passwords import password_problems


class LoginForm(BaseForm):
    email = EmailField(
        "Adresse e-mail",
        validators=[DataRequired("Indiquez votre adresse e-mail."), Length(max=254)],
    )
    password = PasswordField(
        "Mot de passe", validators=[DataRequired("Indiquez votre mot de passe."), Length(max=200)]
    )


class ForgotPasswordForm(BaseForm):
    email = EmailField(
        "Adresse e-mail",
        validators=[DataRequired("Indiquez votre adresse e-mail."), Length(max=254)],
    )


class NewPasswordForm(BaseForm):
    password = PasswordField(
        "Nouveau mot de passe",
        validators=[DataRequired("Choisissez un mot de passe."), Length(max=200)],
    )
    confirm = PasswordField(
        "Confirmation du mot de passe",
        validators=[
            DataRequired("Confirmez le mot de passe."),
            EqualTo("password", "Les deux mots de passe ne correspondent pas."),
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
