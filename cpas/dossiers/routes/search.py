"""« Dossiers du CPAS » (the alphabetical index) and « Rechercher un dossier »."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from ... import audit
from ...database import reads_only
from ...htmx import render_page_or_fragment
from ...pagination import page_number, paginate
from ...security import require_function
from .. import bp, queries
from ..forms import DossierSearchForm
from .common import layout, log_listed


@bp.route("/")
@require_function("dossiers.search")
def index():
    letter = (request.args.get("lettre") or "A").upper()[:1]
    if letter not in queries.LETTERS:
        letter = "A"
    archived = request.args.get("anciens") == "1"
    page = paginate(
        queries.index_query(current_user.organisation_id, letter, archived), page_number(), 25
    )
    log_listed("dossiers.index", page.items)
    return render_page_or_fragment(
        "dossiers/index.html",
        "dossiers/_index_table.html",
        **layout(page=page, letter=letter, archived=archived, letters=queries.LETTERS),
    )


@reads_only
@bp.route("/rechercher", methods=["GET", "POST"])
@require_function("dossiers.search")
def search():
    form = DossierSearchForm()
    page = None
    status = 200
    if request.method == "POST":
        if form.validate():
            criteria = queries.DossierSearch(
                niss=form.niss.data or None,
                name=(form.nom.data or "").strip() or None,
                opened_on=form.ouverture.data,
            )
            page = paginate(
                queries.search_query(current_user.organisation_id, criteria), page_number(), 25
            )
            # Every dossier listed is a consultation; a search that found nobody is logged
            # too, with the NISS searched (it stays in the form).
            if not page.items:
                audit.record_view("dossiers.search", niss=criteria.niss, details="0 résultat")
            log_listed("dossiers.search", page.items)
        else:
            status = 422
    return render_template("dossiers/search.html", **layout(form=form, page=page)), status
