"""Water fund screens. FAT and FSE share one set of views, registered once per kind so
that each endpoint names the function code of its kind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..concurrency import keep_for_merge
from ..documents.pdf import send_pdf
from ..extensions import db
from ..htmx import render_page_or_fragment
from ..inputs import control_characters
from ..pagination import page_number, paginate
from ..security import refuse_foreign, require_function, signed_in
from ..timeutil import utcnow
from ..uploads import UploadStorageError
from . import bp, exports, queries, services
from . import lifecycle as lc
from .files import FILE_TYPES, UploadRefused, check_upload, storage_dir
from .forms import DrawingRightForm, FatForm, FileForm, FseForm, TransitionForm
from .models import ExportJob, WaterRequest
from .queries import ListFilters, side_of

#: Shown next to the file field when the disk refuses the file (full, read-only, no folder).
STORAGE_FAILED = _l(
    "Le fichier n'a pas pu être enregistré (espace disque ou dossier indisponible) : rien "
    "n'a été enregistré. Choisissez à nouveau le fichier et réessayez plus tard ; si le "
    "problème persiste, prévenez l'administrateur."
)


def _user():
    return current_user._get_current_object()


def _year(args: Any) -> int:
    try:
        year = int(args.get("annee", ""))
    except ValueError:
        year = date.today().year
    return year if 2000 <= year <= 2100 else date.today().year


#: The tables count their rows up to this many (« plus de 10.000 éléments »), so a page
#: of a huge year costs the same as a page of a small one.
LIST_COUNT_LIMIT = 10_000
LIST_PAGE_SIZE = 25


def _bounded(value: object) -> str:
    """A filter value as kept in links and export-job parameters: 100 characters at most,
    none when it holds a control character (a 100 KB value was stored in a job)."""
    text = str(value or "")[:100]
    return "" if control_characters(text) else text


def filters_from(kind: str, args: Any) -> ListFilters:
    """Read the table's filters from query arguments (or a saved dict)."""
    keep = {k: _bounded(args.get(k)) for k in ("annee", "q", "statut", "suivant", "tri", "ordre")}
    return ListFilters(
        kind=kind,
        year=_year(args),
        q=(args.get("q") or "")[:100],
        status=args.get("statut", ""),
        next_actor=args.get("suivant", ""),
        sort=args.get("tri", "id"),
        direction="asc" if args.get("ordre") == "asc" else "desc",
        args={k: v for k, v in keep.items() if v},
    )


def _form_class(kind: str):
    return FatForm if kind == "fat" else FseForm


def _form_data(kind: str, form) -> dict:
    data = {name: field.data for name, field in form._fields.items()}
    if kind == "fse":
        data["contract_accounts"] = request.form.getlist("contract_accounts")
        data["invoice_numbers"] = request.form.getlist("invoice_numbers")
    return data


def _multi_errors(kind: str) -> dict[str, str]:
    if kind != "fse":
        return {}
    errors = {}
    if not any(v.strip() for v in request.form.getlist("contract_accounts")):
        errors["contract_accounts"] = "Indiquez au moins un compte de contrat."
    if not any(v.strip() for v in request.form.getlist("invoice_numbers")):
        errors["invoice_numbers"] = "Indiquez au moins un numéro de facture."
    return errors


def _mark_locked(form) -> None:
    """Show the fields locked since the approval as read-only (the service refuses changes)."""
    for name, field in form._fields.items():
        if name in lc.EDITABLE_AFTER_APPROVAL or name in ("csrf_token", "version"):
            continue
        field.render_kw = {**(field.render_kw or {}), "readonly": True, "aria-readonly": "true"}


def _error_next_to_field(form, multi: dict[str, str], exc: Exception) -> None:
    """Put a service's refusal next to the field it is about, or above the form."""
    name = getattr(exc, "field", None)
    if name in ("contract_accounts", "invoice_numbers"):
        multi[name] = str(exc)
    elif name and name in form._fields:
        form._fields[name].errors = [*form._fields[name].errors, str(exc)]
    else:
        flash(str(exc), "error")


def _register(kind: str) -> None:
    """Register the views of one kind (fat or fse)."""
    label = lc.KIND_LABELS[kind]
    fn = f"water.{kind}."

    def route(rule: str, endpoint: str, code: str, methods=("GET",)):
        def decorator(view: Callable) -> Callable:
            view.__name__ = f"{kind}_{endpoint}"
            guarded = require_function(code)(view)
            bp.add_url_rule(f"/{kind}{rule}", f"{kind}_{endpoint}", guarded, methods=list(methods))
            return guarded

        return decorator

    @route("", "list", fn + "view")
    def listing():
        filters = filters_from(kind, request.args)
        listing = queries.list_query(_user(), filters)
        page = paginate(
            listing.statement,
            page_number(),
            LIST_PAGE_SIZE,
            scalars=False,
            count_limit=LIST_COUNT_LIMIT,
            params=listing.params,
        )
        return render_page_or_fragment(
            "water_fund/list.html",
            "water_fund/_table.html",
            kind=kind,
            label=label,
            page=page,
            f=filters,
            statuses=lc.STATUSES[kind],
            labels=lc.STATUS_LABELS,
            next_actor=lc.NEXT_ACTOR,
            side=side_of(_user()),
        )

    @route("/nouvelle", "create", fn + "create", ("GET", "POST"))
    def create():
        user = _user()
        if side_of(user) != lc.CPAS:
            abort(403)
        cpas = user.organisation
        form = _form_class(kind)()
        del form.version  # a new request has no version yet
        form.distributor_id.choices = [(d.id, d.name) for d in cpas.distributors]
        if not form.distributor_id.choices:
            flash(
                "Votre CPAS n'est lié à aucun distributeur : contactez le gestionnaire du fonds.",
                "error",
            )
            return redirect(url_for(f"water_fund.{kind}_list"))
        multi = {}
        quote_error = None
        status = 200
        if request.method == "POST":
            status = 422
            multi = _multi_errors(kind)
            quote = None
            if kind == "fat":
                try:
                    quote = check_upload(request.files.get("quote"))
                except UploadRefused as exc:
                    quote_error = f"Devis : {exc}"
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
                    flash(f"Demande {label} n° {row.id} soumise au distributeur.", "success")
                    return redirect(url_for(f"water_fund.{kind}_detail", request_id=row.id))
        return render_template(
            "water_fund/form.html",
            kind=kind,
            label=label,
            form=form,
            row=None,
            multi_errors=multi,
            quote_error=quote_error,
            lines={
                "contract_accounts": request.form.getlist("contract_accounts") or [""],
                "invoice_numbers": request.form.getlist("invoice_numbers") or [""],
            },
        ), status

    @route("/<int:request_id>", "detail", fn + "view")
    def detail(request_id: int):
        user = _user()
        queries.get_request_or_404(user, request_id, kind)
        row = queries.request_detail(request_id)
        return render_template("water_fund/detail.html", **_detail_context(row, user))

    @route("/<int:request_id>/editer", "edit", fn + "edit", ("GET", "POST"))
    def edit(request_id: int):
        user = _user()
        row = queries.get_request_or_404(user, request_id, kind)
        if side_of(user) != lc.CPAS or row.status not in lc.EDITABLE:
            flash("Cette demande ne peut plus être modifiée (refusée ou clôturée).", "error")
            return redirect(url_for(f"water_fund.{kind}_detail", request_id=row.id))
        form = _form_class(kind)(obj=row if request.method == "GET" else None)
        form.distributor_id.choices = [(row.distributor_id, row.distributor.name)]
        locked = row.status in lc.APPROVED_STATUSES
        if locked:
            _mark_locked(form)
        if request.method == "GET":
            form.version.data = row.version
            form.distributor_id.data = row.distributor_id
        multi = {}
        conflicted = False
        if request.method == "POST":
            multi = _multi_errors(kind)
            if form.validate() and not multi:
                try:
                    services.update_request(row, _form_data(kind, form), user, form.version.data)
                except services.Conflict as exc:
                    # the form again with what was typed, the saved values beside it
                    db.session.rollback()
                    saved = _form_class(kind)(formdata=None, obj=row)
                    saved.distributor_id.choices = form.distributor_id.choices
                    keep_for_merge(form, saved, exc)
                    conflicted = True
                except services.WaterRuleError as exc:
                    _error_next_to_field(form, multi, exc)
                else:
                    flash("Demande mise à jour.", "success")
                    return redirect(url_for(f"water_fund.{kind}_detail", request_id=row.id))
        lines = {
            "contract_accounts": request.form.getlist("contract_accounts")
            if request.method == "POST"
            else row.values("contract_account") or [""],
            "invoice_numbers": request.form.getlist("invoice_numbers")
            if request.method == "POST"
            else row.values("invoice_number") or [""],
        }
        status = 409 if conflicted else 422 if request.method == "POST" else 200
        return render_template(
            "water_fund/form.html",
            kind=kind,
            label=label,
            form=form,
            row=row,
            multi_errors=multi,
            quote_error=None,
            lines=lines,
            locked=locked,
        ), status

    @route("/<int:request_id>/action/<action>", "transition", fn + "view", ("POST",))
    def transition(request_id: int, action: str):
        user = _user()
        row = queries.get_request_or_404(user, request_id, kind)
        form = TransitionForm()
        status = 200
        # The action's form drawn again with what was typed and each message next to its
        # field; or the confirmation step of an irreversible action asked without it.
        posted = None
        pending = None
        conflict_form = None
        if not form.validate():
            errors = {name: " ".join(errs) for name, errs in form.errors.items()}
            posted = _posted(action, row, form, errors)
            status = 422
        else:
            given = services.TransitionInput(
                amount=form.amount.data,
                comment=form.comment.data,
                flat_fee_paid={"oui": True, "non": False}.get(form.flat_fee_paid.data or ""),
                confirmed=request.form.get("confirmed") == "1",
            )
            try:
                services.transition(row, action, user, form.version.data, given)
                flash(
                    f"Demande n° {row.id} : nouveau statut « {lc.STATUS_LABELS[row.status]} ».",
                    "success",
                )
            except services.Conflict as exc:
                # the panel again: the current status and actions, what was typed kept
                db.session.rollback()
                conflict_form = form
                posted = _posted_after_conflict(action, row, form, exc)
                status = 409
            except services.ConfirmationNeeded as exc:
                db.session.rollback()
                pending = exc.step
                posted = _posted(action, row, form, {})
            except services.WaterRuleError as exc:
                db.session.rollback()
                posted = _posted(action, row, form, {exc.field or "form": str(exc)})
                status = 422
        row = queries.request_detail(request_id)
        context = _detail_context(row, user)
        context.update(posted=posted, pending=pending, conflict_form=conflict_form)
        if conflict_form is not None and action not in {t.action for t in context["actions"]}:
            # the step went away with the other change: say why, next to what was typed
            step = lc.find(kind, action)
            posted["errors"]["form"] = _(
                "L'action « %(action)s » n'est plus possible : la demande est maintenant au "
                "statut « %(status)s ».",
                action=step.label if step else action[:40],
                status=lc.STATUS_LABELS[row.status],
            )
        return render_page_or_fragment(
            "water_fund/detail.html", "water_fund/_status_panel.html", **context
        ), status

    @route("/<int:request_id>/fichiers", "add_file", "water.files", ("POST",))
    def add_file(request_id: int):
        user = _user()
        row = queries.get_request_or_404(user, request_id, kind)
        form = FileForm()
        form.file_type.choices = list(FILE_TYPES.items())
        error = None
        status = 200
        if row.status in lc.FILES_CLOSED:
            error = _("La demande est clôturée : plus d'ajout de fichier.")
        elif not form.validate():
            error = "Choisissez un type de fichier."
        else:
            try:
                services.add_file(
                    row, form.file_type.data, check_upload(request.files.get("file")), user
                )
                flash("Fichier enregistré.", "success")
            except UploadStorageError:
                current_app.logger.exception("water-fund file could not be stored")
                error = str(STORAGE_FAILED)
                status = 503
            except (UploadRefused, services.WaterRuleError) as exc:
                db.session.rollback()
                error = str(exc)
        row = queries.request_detail(request_id)
        context = _detail_context(row, user)
        context["file_error"] = error
        context["file_type_posted"] = form.file_type.data  # the chosen type kept on an error
        return render_page_or_fragment(
            "water_fund/detail.html", "water_fund/_files.html", **context
        ), (status if status != 200 else 422 if error else 200)

    @route("/export.xlsx", "export_xlsx", "water.export", ("GET", "POST"))
    def export_xlsx():
        user = _user()
        filters = filters_from(kind, request.values)
        listing = queries.list_query(user, filters)
        total = paginate(listing.statement, 1, 1, scalars=False, params=listing.params).total
        if total > exports.BACKGROUND_ROWS or request.method == "POST":
            if request.method == "GET":
                return render_template(
                    "water_fund/export_confirm.html", kind=kind, label=label, f=filters, total=total
                )
            job = exports.start_job(user, filters, total)
            return redirect(url_for("water_fund.export_job", token=job.token))
        path = exports.export_dir() / f"direct-{utcnow():%Y%m%d%H%M%S%f}.xlsx"
        exports.write_xlsx(path, queries.export_rows(user, filters))
        response = send_file(
            path,
            as_attachment=True,
            download_name=f"demandes-{kind}-{filters.year}.xlsx",
            max_age=0,
        )
        response.call_on_close(lambda: path.unlink(missing_ok=True))
        return response

    @route("/export.pdf", "export_pdf", "water.export")
    def export_pdf():
        user = _user()
        filters = filters_from(kind, request.args)
        limit = max(exports.PDF_MAX_ROWS, 1)
        listing = queries.list_query(user, filters)
        page = paginate(listing.statement, 1, limit, scalars=False, params=listing.params)
        if page.total > exports.PDF_MAX_ROWS:
            flash(
                f"Trop de lignes pour un PDF ({page.total} > {exports.PDF_MAX_ROWS}) : exportez en "
                "Excel ou affinez le filtre.",
                "error",
            )
            return redirect(url_for(f"water_fund.{kind}_list", **filters.args))
        return send_pdf(
            f"demandes-{kind}-{filters.year}.pdf",
            "water_fund/export_pdf.html",
            kind=kind,
            label=label,
            rows=page.items,
            f=filters,
            labels=lc.STATUS_LABELS,
            next_actor=lc.NEXT_ACTOR,
            now=utcnow(),
        )

    @route("/notifications", "notifications", "water.notifications", ("GET", "POST"))
    def notifications():
        user = _user()
        if request.method == "POST":
            kept = {s for s in request.form.getlist("statuses") if s in lc.STATUSES[kind]}
            services.save_notification_settings(user, kind, kept)
            flash(f"Notifications {label} enregistrées.", "success")
        off = services.opted_out(user.id, kind)
        return render_page_or_fragment(
            "water_fund/notifications.html",
            "water_fund/_notifications_form.html",
            kind=kind,
            label=label,
            statuses=lc.STATUSES[kind],
            labels=lc.STATUS_LABELS,
            off=off,
        )


def _posted(action: str, row: WaterRequest, form, errors: dict[str, str]) -> dict:
    """What the user typed in an action's form, to draw it again (never reset to empty)."""
    version = form.version.data if isinstance(form.version.data, int) else row.version
    return {
        "action": action,
        "amount": request.form.get("amount", "")[:40],
        "comment": request.form.get("comment", "")[:4000],
        "flat_fee_paid": request.form.get("flat_fee_paid", ""),
        "version": version,
        "errors": errors,
    }


def _posted_after_conflict(action: str, row: WaterRequest, form, conflict) -> dict:
    """What was typed, with the version now saved and the saved amount beside a different one."""
    # Only the amount (and the FAT flat fee) are saved on the request itself: the typed
    # comment is compared with itself, so no « saved value » is invented beside it.
    fee = {True: "oui", False: "non"}.get(row.flat_fee_paid, form.flat_fee_paid.data)
    saved = TransitionForm(
        formdata=None,
        version=row.version,
        amount=row.granted_amount,
        comment=form.comment.data,
        flat_fee_paid=fee,
    )
    keep_for_merge(form, saved, conflict)
    posted = _posted(action, row, form, {})
    posted["saved"] = {
        name: form[name].saved_value
        for name in ("amount", "flat_fee_paid")
        if getattr(form[name], "saved_value", None) is not None and form[name].data is not None
    }
    return posted


def _detail_context(row: WaterRequest, user) -> dict:
    side = side_of(user)
    return {
        "row": row,
        "kind": row.kind,
        "label": lc.KIND_LABELS[row.kind],
        "labels": lc.STATUS_LABELS,
        "next_actor": lc.NEXT_ACTOR,
        "actions": lc.available(
            row.kind, row.status, side, user.function_codes, services.info_asked(row)
        ),
        "can_edit": side == lc.CPAS
        and row.status in lc.EDITABLE
        and user.has_function(f"water.{row.kind}.edit"),
        "can_add_file": user.has_function("water.files") and row.status not in lc.FILES_CLOSED,
        "file_types": FILE_TYPES,
        "transition_form": TransitionForm(formdata=None, version=row.version),
        "file_error": None,
        "file_type_posted": None,
        "conflict_form": None,
        "posted": None,
        "pending": None,
    }


for _kind in lc.KINDS:
    _register(_kind)


@bp.route("/demandes/<int:request_id>")
@signed_in
def request_detail(request_id: int):
    """Stable link used in e-mails: redirects to the request's page (404 if not visible)."""
    row = queries.get_request_or_404(_user(), request_id)
    return redirect(url_for(f"water_fund.{row.kind}_detail", request_id=row.id))


@bp.route("/fichiers/<int:file_id>")
@require_function("water.files")
def download_file(file_id: int):
    stored = queries.get_file_or_404(_user(), file_id)
    path = storage_dir() / stored.stored_name
    if not path.is_file():  # lost on disk (a restore without uploads/): say so, not a 500
        current_app.logger.error("water file %s is missing on disk", stored.id)
        abort(404)
    return send_file(
        path,
        mimetype=stored.mime_type,
        as_attachment=True,
        download_name=stored.original_name,
        max_age=0,
    )


@bp.route("/ligne/<line_type>")
@require_function("water.fse.create")
def line_input(line_type: str):
    """One more input for a multi-valued field (htmx « + »)."""
    if line_type not in ("contract_accounts", "invoice_numbers"):
        abort(404)
    return render_template("water_fund/_line.html", name=line_type, value="")


@bp.route("/exports/<token>")
@require_function("water.export")
def export_job(token: str):
    job = _job_or_404(token)
    # The poll is what notices a job whose consumer died (no progress for too long).
    if exports.recover_stale(job):
        job = _job_or_404(token)
    return render_page_or_fragment(
        "water_fund/export_job.html",
        "water_fund/_export_job.html",
        job=job,
        poll_seconds=exports.poll_seconds(job),
        waits_long=exports.waits_long(job),
        failure=exports.FAILURES.get(job.error or "", exports.FAILURES["internal"]),
    )


@bp.route("/exports/<token>/fichier")
@require_function("water.export")
def export_download(token: str):
    job = _job_or_404(token)
    if job.status != "done" or not job.file_name:
        abort(404)
    path = exports.export_dir() / job.file_name
    if not path.is_file():  # removed from the exports folder since
        abort(404)
    return send_file(
        path,
        as_attachment=True,
        download_name=f"demandes-{job.kind}.xlsx",
        max_age=0,
    )


def _job_or_404(token: str) -> ExportJob:
    from sqlalchemy import select

    job = db.session.scalar(select(ExportJob).where(ExportJob.token == token))
    if job is None:
        abort(404)
    if job.user_id != current_user.id:
        refuse_foreign(job)  # another user's export
    return job


@bp.route("/")
@require_function("water.dashboard")
def dashboard():
    user = _user()
    year = _year(request.args)
    figures = queries.dashboard(user, year)
    return render_template(
        "water_fund/dashboard.html",
        d=figures,
        year=year,
        years=sorted({*queries.years(user), date.today().year}, reverse=True),
        chart=_chart(figures.monthly_fse),
    )


MONTHS = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]


def _chart(values: list) -> dict:  # type: ignore[type-arg]
    """Bar geometry of the monthly chart, computed server-side (SVG, labelled values)."""
    top = max(values) if any(values) else 1
    width, height, left, bottom = 720, 220, 40, 30
    bar = (width - left) / 12
    bars = []
    for index, value in enumerate(values):
        h = float(value) / float(top) * (height - bottom - 20) if top else 0
        bars.append(
            {
                "x": left + index * bar + 6,
                "y": height - bottom - h,
                "w": bar - 12,
                "h": h,
                "month": MONTHS[index],
                "value": value,
                "label_x": left + index * bar + bar / 2,
            }
        )
    return {"width": width, "height": height, "bars": bars, "base": height - bottom}


@bp.route("/informations", methods=["GET", "POST"])
@require_function("water.rights.view")
def information():
    """« Informations générales »: the organisation, and per linked distributor the rights."""
    user = _user()
    year = _year(request.values)
    form = DrawingRightForm()
    status = 200
    if request.method == "POST":
        if not user.has_function("water.rights.edit") or side_of(user) != "fund_manager":
            abort(403)
        if form.validate():
            try:
                services.save_drawing_right(
                    int(form.cpas_id.data),
                    int(form.distributor_id.data),
                    year,
                    form.initial.data,
                    form.complementary.data,
                    form.fat_funds.data,
                    user,
                    version=form.version.data,
                )
            except services.Conflict as exc:
                # changed meanwhile: the typed amounts stay, the saved ones beside them
                db.session.rollback()
                right = queries.drawing_right(form.cpas_id.data, form.distributor_id.data, year)
                saved = _right_form(right, form.cpas_id.data, form.distributor_id.data)
                keep_for_merge(form, saved, exc)
                status = 409
            except services.WaterRuleError as exc:  # a pair that is not linked
                db.session.rollback()
                flash(str(exc), "error")
                status = 422
            else:
                flash("Droits de tirage enregistrés.", "success")
                return redirect(url_for("water_fund.information", annee=year))
        else:
            status = 422
            flash(" ".join(e for errs in form.errors.values() for e in errs), "error")
    rights = queries.rights(user, year)
    links = _links(user)
    saved = {(r.cpas_id, r.distributor_id): r for r in rights}
    # one form per linked pair, showing what is saved; the posted pair keeps what was typed
    right_forms = {(c.id, d.id): _right_form(saved.get((c.id, d.id)), c.id, d.id) for c, d in links}
    if request.method == "POST" and (form.cpas_id.data, form.distributor_id.data) in right_forms:
        right_forms[(form.cpas_id.data, form.distributor_id.data)] = form
    return render_template(
        "water_fund/information.html",
        year=year,
        rights=rights,
        organisation=user.organisation,
        can_edit=side_of(user) == "fund_manager" and user.has_function("water.rights.edit"),
        links=links,
        right_forms=right_forms,
    ), status


def _right_form(right, cpas_id, distributor_id) -> DrawingRightForm:
    """The drawing-rights form of one pair as saved (version 0: nothing saved yet)."""
    return DrawingRightForm(
        formdata=None,
        cpas_id=cpas_id,
        distributor_id=distributor_id,
        version=right.version if right else 0,
        initial=right.initial if right else None,
        complementary=right.complementary if right else None,
        fat_funds=right.fat_funds if right else None,
    )


def _links(user):
    """CPAS × distributor links the fund manager can set rights for."""
    if side_of(user) != "fund_manager":
        return []
    from sqlalchemy import select

    from ..access.models import Organisation, OrganisationKind

    cpas_list = db.session.scalars(
        select(Organisation).where(Organisation.kind == OrganisationKind.CPAS.value)
    )
    return [(c, d) for c in cpas_list for d in c.distributors]


@bp.route("/glossaire")
@require_function("water.dashboard")
def glossary():
    return render_template("water_fund/glossary.html")
