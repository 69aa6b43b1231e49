"""Sign-in and password reset forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from .passwords import password_problems


class LoginForm(FlaskForm):
    email = EmailField(
        "Adresse e-mail", validators=[DataRequired("Indiquez votre adresse e-mail.")]
    )
    password = PasswordField(
        "Mot de passe", validators=[DataRequired("Indiquez votre mot de passe.")]
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Adresse e-mail",
        validators=[DataRequired("Indiquez votre adresse e-mail."), Length(max=254)],
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "Nouveau mot de passe", validators=[DataRequired("Choisissez un mot de passe.")]
    )
    confirm = PasswordField(
        "Confirmation du mot de passe",
        validators=[
            DataRequired("Confirmez le mot de passe."),
            EqualTo("password", "Les deux mots de passe ne correspondent pas."),
        ],
    )

    def validate_password(self, field: PasswordField) -> None:
        from wtforms.validators import ValidationError

        problems = password_problems(field.data or "", self._account_email)
        if problems:
            raise ValidationError(" ".join(problems))

    # Set by the route so that the policy can refuse the account's own email.
    _account_email: str | None = None
