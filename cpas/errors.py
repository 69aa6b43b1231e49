"""Error pages in the app's layout; the 500 handler rolls the session back."""

from __future__ import annotations

from flask import Flask, make_response, render_template
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from .extensions import db
from .htmx import is_htmx

MESSAGES: dict[int, tuple[LazyString, LazyString]] = {
    400: (_l("Requête invalide"), _l("La requête n'a pas pu être traitée.")),
    403: (_l("Accès refusé"), _l("Vous n'avez pas accès à cette fonction.")),
    404: (
        _l("Page introuvable"),
        _l("La page ou l'élément demandé n'existe pas ou n'est pas accessible."),
    ),
    405: (_l("Méthode non autorisée"), _l("Cette action n'est pas permise de cette manière.")),
    409: (
        _l("Conflit de modification"),
        _l(
            "Quelqu'un d'autre a modifié cet élément entre-temps. Rechargez la page pour voir "
            "la version actuelle ; vos données n'ont pas été enregistrées."
        ),
    ),
    413: (_l("Fichier trop volumineux"), _l("Le fichier envoyé dépasse la taille autorisée.")),
    429: (_l("Trop de requêtes"), _l("Trop de tentatives. Réessayez dans quelques minutes.")),
    500: (
        _l("Erreur interne"),
        _l(
            "Une erreur inattendue s'est produite. Rien n'a été enregistré. "
            "Réessayez ou contactez l'administrateur."
        ),
    ),
}


def render_error(code: int, message: str | None = None):
    title, default = MESSAGES.get(code, MESSAGES[500])
    if is_htmx():
        # htmx swaps error answers too (see htmx-config): show them as a toast instead of
        # replacing the component the user was working in
        response = make_response(
            render_template("errors/_toast.html", title=title, message=message or default), code
        )
        response.headers["HX-Retarget"] = "#toasts"
        response.headers["HX-Reswap"] = "beforeend"
        return response
    return render_template(
        "errors/error.html", code=code, title=title, message=message or default
    ), code


def _custom(error: object) -> str | None:
    """The message given to abort(code, description=...), not Werkzeug's English default."""
    description = getattr(error, "description", None)
    return description if description != getattr(type(error), "description", None) else None


def init_app(app: Flask) -> None:
    for code in (400, 403, 404, 405, 409, 413, 429):
        app.register_error_handler(code, lambda e, c=code: render_error(c, _custom(e)))

    @app.errorhandler(CSRFError)
    def _csrf(_e):
        return render_error(
            400,
            _(
                "Le jeton de sécurité du formulaire est manquant ou a expiré. "
                "Rechargez la page et recommencez ; rien n'a été enregistré."
            ),
        )

    @app.errorhandler(500)
    def _server_error(_e):
        db.session.rollback()
        return render_error(500)
