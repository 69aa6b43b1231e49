"""A dossier's main page: its references (« Modifier » inline) and the archive."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ... import audit
from ...centre.queries import active_workers
from ...concurrency import Conflict, keep_for_merge
from ...security import acting_user, require_function
from ...urls import safe_local_path
from .. import bp, panels, queries, services
from ..forms import ReferencesForm
from ..models import Dossier
from .common import layout, view_dossier


def _references_context(dossier: Dossier, form: ReferencesForm | None = None) -> dict:
    return {"dossier": dossier, "form": form}


@bp.route("/<int:dossier_id>")
@require_function("dossiers.view")
def detail(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    view_dossier(dossier)
    return render_template(
        "dossiers/detail.html",
        **layout(
            dossier,
            main=queries.main_member(dossier),
            form=None,
            panels=panels.render_panels(dossier),
        ),
    )


@bp.route("/<int:dossier_id>/references")
@require_function("dossiers.view")
def references(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    audit.record_view("dossiers.references", obj=dossier, niss=dossier.niss)
    return render_template("dossiers/_references.html", **_references_context(dossier))


def _references_form(dossier: Dossier, saved: bool = False) -> ReferencesForm:
    """The references form: posted, or (GET, ``saved``) as the dossier is saved."""
    if saved:
        form = ReferencesForm(formdata=None, obj=dossier)
    else:
        form = ReferencesForm(obj=dossier if request.method == "GET" else None)
    workers = active_workers(dossier.organisation_id)
    choices = [(0, _("— Aucun —"))] + [(w.id, w.full_name) for w in workers]
    if dossier.social_worker and not dossier.social_worker.active:
        choices.append(
            (
                dossier.social_worker.id,
                _("%(name)s (inactif)", name=dossier.social_worker.full_name),
            )
        )
    form.social_worker_id.choices = choices
    if request.method == "GET" or saved:
        form.social_worker_id.data = dossier.social_worker_id or 0
    return form


@bp.route("/<int:dossier_id>/references/modifier", methods=["GET", "POST"])
@require_function("dossiers.edit")
def edit_references(dossier_id: int):
    """« Modifier » inline: n° de dossier, date d'ouverture, assistant social."""
    dossier = queries.get_dossier_or_404(dossier_id)
    form = _references_form(dossier)
    if request.method == "GET":
        audit.record_view("dossiers.references", obj=dossier, niss=dossier.niss)
    if request.method == "POST" and form.validate():
        try:
            services.update_references(
                dossier,
                form.dossier_number.data or "",
                form.opened_on.data,
                form.social_worker_id.data or None,
                acting_user(),
                version=form.version.data,
            )
        except Conflict as exc:
            # the same form with what was typed, the saved references beside it (the
            # service changed nothing: the version is checked first)
            keep_for_merge(form, _references_form(dossier, saved=True), exc)
            return render_template(
                "dossiers/_references.html", **_references_context(dossier, form)
            ), 409
        except services.DossierRuleError as exc:
            getattr(form, exc.field or "dossier_number").errors.append(str(exc))
        else:
            flash(_("Références du dossier enregistrées."), "success")
            return render_template("dossiers/_references.html", **_references_context(dossier))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "dossiers/_references.html", **_references_context(dossier, form)
    ), status


def _back(dossier: Dossier) -> Response:
    """Back where the button was (a list of dossiers), else to the dossier."""
    return redirect(
        safe_local_path(request.form.get("next"), url_for("dossiers.detail", dossier_id=dossier.id))
    )


@bp.route("/<int:dossier_id>/archiver", methods=["POST"])
@require_function("dossiers.archive")
def archive(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    services.set_archived(dossier, True, acting_user())
    flash(_("Dossier déplacé vers « Anciens dossiers »."), "success")
    return _back(dossier)


@bp.route("/<int:dossier_id>/reactiver", methods=["POST"])
@require_function("dossiers.archive")
def unarchive(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    services.set_archived(dossier, False, acting_user())
    flash(_("Dossier replacé parmi les dossiers du CPAS."), "success")
    return _back(dossier)
