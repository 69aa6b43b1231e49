"""Creating and editing a FAT or FSE request (the CPAS side)."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from ...concurrency import keep_for_merge
from ...security import acting_user, require_function
from ...uploads import UploadRefused, UploadStorageError, check_upload
from .. import bp, services
from .. import lifecycle as lc
from ..files import UPLOAD_RULE
from ..forms import FatForm, FseForm
from ..queries import get_request_or_404

View = Response | tuple[str, int]

#: Shown next to the file field when the disk refuses the file (full, read-only, no folder).
STORAGE_FAILED = _l(
    "Le fichier n'a pas pu être enregistré (espace disque ou dossier indisponible) : rien "
    "n'a été enregistré. Choisissez à nouveau le fichier et réessayez plus tard ; si le "
    "problème persiste, prévenez l'administrateur."
)
MULTI = ("contract_accounts", "invoice_numbers")


@bp.route("/fat/nouvelle", methods=["GET", "POST"])
@require_function("water.fat.create")
def fat_create() -> View:
    return _create(lc.FAT)


@bp.route("/fse/nouvelle", methods=["GET", "POST"])
@require_function("water.fse.create")
def fse_create() -> View:
    return _create(lc.FSE)


@bp.route("/fat/<int:request_id>/editer", methods=["GET", "POST"])
@require_function("water.fat.edit")
def fat_edit(request_id: int) -> View:
    return _edit(lc.FAT, request_id)


@bp.route("/fse/<int:request_id>/editer", methods=["GET", "POST"])
@require_function("water.fse.edit")
def fse_edit(request_id: int) -> View:
    return _edit(lc.FSE, request_id)


def _form_class(kind: str) -> type[FatForm] | type[FseForm]:
    return FatForm if kind == lc.FAT else FseForm


def _form_data(kind: str, form: Any) -> dict[str, Any]:
    data = {name: field.data for name, field in form._fields.items()}
    if kind == lc.FSE:
        for name in MULTI:
            data[name] = request.form.getlist(name)
    return data


def _multi_errors(kind: str) -> dict[str, str]:
    if kind != lc.FSE:
        return {}
    errors = {}
    if not any(v.strip() for v in request.form.getlist("contract_accounts")):
        errors["contract_accounts"] = _("Indiquez au moins un compte de contrat.")
    if not any(v.strip() for v in request.form.getlist("invoice_numbers")):
        errors["invoice_numbers"] = _("Indiquez au moins un numéro de facture.")
    return errors


def _mark_locked(form: Any) -> None:
    """Show the fields locked since the approval as read-only (the service refuses changes)."""
    for name, field in form._fields.items():
        if name in lc.EDITABLE_AFTER_APPROVAL or name in ("csrf_token", "version"):
            continue
        field.render_kw = {**(field.render_kw or {}), "readonly": True, "aria-readonly": "true"}


def _error_next_to_field(form: Any, multi: dict[str, str], exc: Exception) -> None:
    """Put a service's refusal next to the field it is about, or above the form."""
    name = getattr(exc, "field", None)
    if name in MULTI:
        multi[name] = str(exc)
    elif name and name in form._fields:
        form._fields[name].errors = [*form._fields[name].errors, str(exc)]
    else:
        flash(str(exc), "error")


def _create(kind: str) -> View:
    user = acting_user()
    if lc.side_of(user) != lc.CPAS:
        abort(403)
    label = lc.KIND_LABELS[kind]
    cpas = user.organisation
    form = _form_class(kind)()
    del form.version  # a new request has no version yet
    form.distributor_id.choices = [(d.id, d.name) for d in cpas.distributors]
    if not form.distributor_id.choices:
        flash(
            _("Votre CPAS n'est lié à aucun distributeur : contactez le gestionnaire du fonds."),
            "error",
        )
        return redirect(url_for(f"water_fund.{kind}_list"))
    multi: dict[str, str] = {}
    quote_error = None
    status = 200
    if request.method == "POST":
        status = 422
        multi = _multi_errors(kind)
        quote = None
        if kind == lc.FAT:
            try:
                quote = check_upload(request.files.get("quote"), UPLOAD_RULE)
            except UploadRefused as exc:
                quote_error = _("Devis : %(reason)s", reason=str(exc))
        if form.validate() and not multi and not quote_error:
            distributor = next(d for d in cpas.distributors if d.id == form.distributor_id.data)
            try:
                row = services.create_request(
                    kind, cpas, distributor, _form_data(kind, form), user, quote
                )
            except UploadStorageError:
                # disk full, read-only or missing folder: nothing saved, the form kept
                current_app.logger.exception("water-fund quote could not be stored")
                quote_error = str(STORAGE_FAILED)
                status = 503
            except services.WaterRuleError as exc:
                flash(str(exc), "error")
            else:
                flash(
                    _(
                        "Demande %(kind)s n° %(number)s soumise au distributeur.",
                        kind=label,
                        number=row.id,
                    ),
                    "success",
                )
                return redirect(url_for(f"water_fund.{kind}_detail", request_id=row.id))
    return render_template(
        "water_fund/form.html",
        kind=kind,
        label=label,
        form=form,
        row=None,
        multi_errors=multi,
        quote_error=quote_error,
        lines={name: request.form.getlist(name) or [""] for name in MULTI},
    ), status


def _edit(kind: str, request_id: int) -> View:
    user = acting_user()
    row = get_request_or_404(user, request_id, kind)
    if lc.side_of(user) != lc.CPAS or row.status not in lc.EDITABLE:
        flash(_("Cette demande ne peut plus être modifiée (refusée ou clôturée)."), "error")
        return redirect(url_for(f"water_fund.{kind}_detail", request_id=row.id))
    form_class = _form_class(kind)
    form = form_class(obj=row if request.method == "GET" else None)
    form.distributor_id.choices = [(row.distributor_id, row.distributor.name)]
    locked = row.status in lc.APPROVED_STATUSES
    if locked:
        _mark_locked(form)
    if request.method == "GET":
        form.version.data = row.version
        form.distributor_id.data = row.distributor_id
    multi: dict[str, str] = {}
    conflicted = False
    if request.method == "POST":
        multi = _multi_errors(kind)
        if form.validate() and not multi:
            try:
                services.update_request(row, _form_data(kind, form), user, form.version.data)
            except services.Conflict as exc:
                # the form again with what was typed, the saved values beside it (the
                # service changed nothing: the row is as saved)
                saved = form_class(formdata=None, obj=row)
                saved.distributor_id.choices = form.distributor_id.choices
                keep_for_merge(form, saved, exc)
                conflicted = True
            except services.WaterRuleError as exc:
                _error_next_to_field(form, multi, exc)
            else:
                flash(_("Demande mise à jour."), "success")
                return redirect(url_for(f"water_fund.{kind}_detail", request_id=row.id))
    if request.method == "POST":
        lines = {name: request.form.getlist(name) for name in MULTI}
    else:
        lines = {
            "contract_accounts": row.values("contract_account") or [""],
            "invoice_numbers": row.values("invoice_number") or [""],
        }
    status = 409 if conflicted else 422 if request.method == "POST" else 200
    return render_template(
        "water_fund/form.html",
        kind=kind,
        label=lc.KIND_LABELS[kind],
        form=form,
        row=row,
        multi_errors=multi,
        quote_error=None,
        lines=lines,
        locked=locked,
    ), status
