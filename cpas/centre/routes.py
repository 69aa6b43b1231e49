"""Centre screens: « Fiche signalétique du CPAS » (address, numbers, logo) and « Assistants
sociaux » with their office hours. Only CPAS organisations have them."""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..concurrency import Conflict, keep_for_merge
from ..htmx import is_htmx
from ..security import acting_user, require_function, signed_in
from ..uploads import UploadRefused, UploadStorageError, check_upload
from . import bp, queries, services
from .files import LOGO_RULE, read_logo
from .forms import CentreProfileForm, OfficeHourForm, PhoneForm, WorkerForm
from .models import PHONE_KINDS, SocialWorker


@bp.context_processor
def _phone_kinds() -> dict:
    return {"phone_kinds": PHONE_KINDS}


# --------------------------------------------------------------------------- fiche


def _profile_page(form: CentreProfileForm, status: int = 200, **extra: Any):
    organisation = current_user.organisation
    return render_template(
        "centre/profile.html",
        form=form,
        phone_form=extra.pop("phone_form", None) or PhoneForm(prefix="tel"),
        phones=queries.phones_of(organisation.id),
        profile=queries.profile_of(organisation.id),
        can_edit=current_user.has_function("centre.edit"),
        logo_error=extra.pop("logo_error", None),
        **extra,
    ), status


def _saved_profile_form() -> CentreProfileForm:
    """The fiche as saved (not from the posted data): shown when another form on the page
    (a number, the logo) was refused, so nothing already saved looks lost."""
    organisation = current_user.organisation
    saved = queries.profile_of(organisation.id)
    return CentreProfileForm(
        formdata=None,
        data={
            "name": organisation.name,
            "ins_code": organisation.ins_code,
            "email": organisation.email,
            "version": saved.version if saved else 0,
            **{n: getattr(saved, n) for n in services.PROFILE_FIELDS if saved},
        },
    )


@bp.route("/fiche", methods=["GET"])
@require_function("centre.view")
def profile():
    return _profile_page(_saved_profile_form())


@bp.route("/fiche", methods=["POST"], endpoint="profile_save")
@require_function("centre.edit")
def profile_save():
    form = CentreProfileForm()
    if not form.validate():
        return _profile_page(form, 422)
    try:
        services.save_profile(
            current_user.organisation, form.data, acting_user(), version=form.version.data
        )
    except Conflict as exc:
        # the fiche again with what was typed, the saved values beside it
        keep_for_merge(form, _saved_profile_form(), exc)
        return _profile_page(form, 409)
    except IntegrityError:
        # Another organisation took this name or INS code after the form's checks ran:
        # checked again, the message lands next to the field instead of a 500.
        form.validate()
        return _profile_page(form, 422)
    flash(_("Fiche signalétique enregistrée."), "success")
    return redirect(url_for("centre.profile"))


def _phones_fragment(phone_form: PhoneForm, status: int = 200):
    return render_template(
        "centre/_phones.html",
        phones=queries.phones_of(current_user.organisation_id),
        phone_form=phone_form,
        can_edit=True,
    ), status


@bp.route("/fiche/numeros", methods=["POST"])
@require_function("centre.edit")
def phone_add():
    form = PhoneForm(prefix="tel")
    if form.validate():
        services.add_phone(
            current_user.organisation,
            form.kind.data,
            form.number.data,
            form.holder.data,
            acting_user(),
        )
        flash(_("Numéro ajouté."), "success")
        form = PhoneForm(prefix="tel", formdata=None)
        status = 200
    else:
        status = 422
    if is_htmx():
        return _phones_fragment(form, status)
    return (
        redirect(url_for("centre.profile"))
        if status == 200
        else _profile_page(_saved_profile_form(), 422, phone_form=form)
    )


@bp.route("/fiche/numeros/<int:phone_id>/retirer", methods=["POST"])
@require_function("centre.edit")
def phone_remove(phone_id: int):
    phone = queries.get_phone_or_404(phone_id)
    services.remove_phone(phone, acting_user())
    flash(_("Numéro retiré."), "success")
    if is_htmx():
        return _phones_fragment(PhoneForm(prefix="tel", formdata=None))
    return redirect(url_for("centre.profile"))


@bp.route("/fiche/logo", methods=["POST"])
@require_function("centre.edit")
def logo_upload():
    try:
        upload = check_upload(request.files.get("logo"), LOGO_RULE)
    except UploadRefused as exc:
        return _profile_page(_saved_profile_form(), 422, logo_error=str(exc))
    try:
        services.save_logo(current_user.organisation, upload.data, upload.mime_type, acting_user())
    except UploadStorageError:
        current_app.logger.exception("logo could not be stored")
        message = _("Le logo n'a pas pu être enregistré (espace disque ou dossier indisponible).")
        return _profile_page(_saved_profile_form(), 503, logo_error=message)
    flash(_("Logo enregistré : il figure désormais sur les documents imprimés."), "success")
    return redirect(url_for("centre.profile"))


@bp.route("/fiche/logo/supprimer", methods=["POST"])
@require_function("centre.edit")
def logo_remove():
    services.remove_logo(current_user.organisation, acting_user())
    flash(_("Logo supprimé."), "success")
    return redirect(url_for("centre.profile"))


@bp.route("/fiche/logo", methods=["GET"], endpoint="logo")
@signed_in
def logo():
    """The logo of the signed-in user's own CPAS (ownership rule: no id in the URL)."""
    saved = queries.profile_of(current_user.organisation_id)
    data = read_logo(saved.logo_name) if saved and saved.logo_name else None
    if data is None:
        abort(404)
    response = Response(data, mimetype=saved.logo_mime)  # type: ignore[union-attr]
    response.headers["Content-Disposition"] = "inline"
    return response


# --------------------------------------------------------------------------- social workers


@bp.route("/assistants")
@require_function("centre.view")
def workers():
    inactive = request.args.get("inactifs") == "1"
    return render_template(
        "centre/workers.html",
        workers=queries.workers_of(current_user.organisation_id, not inactive),
        inactive=inactive,
    )


@bp.route("/assistants/nouveau", methods=["GET", "POST"])
@require_function("centre.workers")
def worker_new():
    form = WorkerForm()
    del form.version  # a new worker has no version yet
    if request.method == "POST":
        if form.validate():
            worker = services.create_worker(current_user.organisation, form.data, acting_user())
            flash(_("Assistant social enregistré : ajoutez ses permanences."), "success")
            return redirect(url_for("centre.worker", worker_id=worker.id))
        return render_template("centre/worker_form.html", form=form, worker=None), 422
    return render_template("centre/worker_form.html", form=form, worker=None)


def _worker_page(worker: SocialWorker, form: WorkerForm, status: int = 200, hour_form=None):
    return render_template(
        "centre/worker_form.html",
        form=form,
        worker=worker,
        hour_form=hour_form or OfficeHourForm(prefix="perm"),
    ), status


@bp.route("/assistants/<int:worker_id>", methods=["GET"])
@require_function("centre.view")
def worker(worker_id: int):
    found = queries.get_worker_or_404(worker_id)
    return _worker_page(found, WorkerForm(obj=found))


@bp.route("/assistants/<int:worker_id>", methods=["POST"], endpoint="worker_save")
@require_function("centre.workers")
def worker_save(worker_id: int):
    found = queries.get_worker_or_404(worker_id)
    form = WorkerForm()
    if not form.validate():
        return _worker_page(found, form, 422)
    try:
        services.update_worker(found, form.data, acting_user(), version=form.version.data)
    except Conflict as exc:
        keep_for_merge(form, WorkerForm(formdata=None, obj=found), exc)
        return _worker_page(found, form, 409)
    flash(_("Assistant social enregistré."), "success")
    return redirect(url_for("centre.worker", worker_id=found.id))


def _hours_fragment(worker: SocialWorker, hour_form: OfficeHourForm, status: int = 200):
    return render_template(
        "centre/_office_hours.html", worker=worker, hour_form=hour_form, can_edit=True
    ), status


@bp.route("/assistants/<int:worker_id>/permanences", methods=["POST"])
@require_function("centre.workers")
def hour_add(worker_id: int):
    found = queries.get_worker_or_404(worker_id)
    form = OfficeHourForm(prefix="perm")
    if form.validate():
        services.add_office_hour(found, form.data, acting_user())
        flash(_("Permanence ajoutée."), "success")
        form, status = OfficeHourForm(prefix="perm", formdata=None), 200
    else:
        status = 422
    if is_htmx():
        return _hours_fragment(found, form, status)
    if status == 200:
        return redirect(url_for("centre.worker", worker_id=found.id))
    return _worker_page(found, WorkerForm(obj=found, formdata=None), 422, hour_form=form)


@bp.route("/assistants/<int:worker_id>/permanences/<int:hour_id>/supprimer", methods=["POST"])
@require_function("centre.workers")
def hour_remove(worker_id: int, hour_id: int):
    found = queries.get_worker_or_404(worker_id)
    hour = queries.get_office_hour_or_404(found, hour_id)
    services.remove_office_hour(found, hour, acting_user())
    flash(_("Permanence supprimée."), "success")
    if is_htmx():
        return _hours_fragment(found, OfficeHourForm(prefix="perm", formdata=None))
    return redirect(url_for("centre.worker", worker_id=found.id))


@bp.route("/assistants/<int:worker_id>/archiver", methods=["POST"])
@require_function("centre.workers")
def worker_archive(worker_id: int):
    found = queries.get_worker_or_404(worker_id)
    services.set_worker_active(found, False, acting_user())
    flash(
        _("%(name)s déplacé(e) vers les assistants sociaux inactifs.", name=found.full_name),
        "success",
    )
    return redirect(url_for("centre.workers"))


@bp.route("/assistants/<int:worker_id>/reactiver", methods=["POST"])
@require_function("centre.workers")
def worker_reactivate(worker_id: int):
    found = queries.get_worker_or_404(worker_id)
    services.set_worker_active(found, True, acting_user())
    flash(
        _("%(name)s replacé(e) parmi les assistants sociaux actifs.", name=found.full_name),
        "success",
    )
    return redirect(url_for("centre.workers", inactifs=1))
