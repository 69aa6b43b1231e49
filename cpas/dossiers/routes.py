"""Dossier screens: new dossier from the register, index, search, main page, household,
BCSS integrations. Thin views: parse, load through the organisation-scoped loaders, call one
service, render. Every view of a dossier or a person is logged with its NISS."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit, session_refs
from ..centre.queries import active_workers
from ..concurrency import BAD_VERSION, Conflict, keep_for_merge, parse_version
from ..database import reads_only
from ..extensions import db
from ..htmx import is_htmx, redirect_after_post, render_page_or_fragment
from ..inputs import parse_ids
from ..pagination import page_number, paginate
from ..registry.adapters import SOURCE_LABEL, BisRequest, PhoneticQuery, get_register
from ..registry.birthdates import format_birth, search_window
from ..registry.quality_codes import QUALITY_CODES
from ..security import require_function
from ..urls import safe_local_path
from . import bp, queries, services
from .forms import (
    AddressForm,
    BisForm,
    ConsultForm,
    DeintegrationForm,
    DossierSearchForm,
    IntegrationForm,
    MemberForm,
    PersonSearchForm,
    ReferencesForm,
)
from .models import RELATIONS, Dossier


def _user():
    return current_user._get_current_object()


# Dossiers belong to CPAS: distributors and the fund manager have none.


@bp.app_template_filter("birth")
def _birth_filter(value: Any, precision: str = "day") -> str:
    return format_birth(value, precision)


def _layout(dossier: Dossier | None = None, **context: Any) -> dict[str, Any]:
    """What every dossier page shows beside its content: the menu and the recent dossiers."""
    return {
        "dossier": dossier,
        "recent": queries.recent_dossiers(current_user.organisation_id),
        "source_label": SOURCE_LABEL,
        **context,
    }


def _view_dossier(dossier: Dossier, action: str = "dossiers.view") -> None:
    audit.record_view(action, obj=dossier, niss=dossier.niss)
    queries.remember(dossier)


def _log_listed(action: str, dossiers: list[Dossier]) -> None:
    """A list of dossiers shows each one's NISS: one consultation per dossier listed."""
    for dossier in dossiers:
        audit.record_view(action, obj=dossier, niss=dossier.niss)


# --------------------------------------------------------------------------- index, search


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
    _log_listed("dossiers.index", page.items)
    return render_page_or_fragment(
        "dossiers/index.html",
        "dossiers/_index_table.html",
        **_layout(page=page, letter=letter, archived=archived, letters=queries.LETTERS),
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
            _log_listed("dossiers.search", page.items)
        else:
            status = 422
    return render_template("dossiers/search.html", **_layout(form=form, page=page)), status


# --------------------------------------------------------------------------- new dossier


def _person_search(form: PersonSearchForm) -> list:
    """Run the register search of a validated form; log it (with the NISS when given)."""
    register = get_register()
    if form.mode.data == "niss":
        person = register.by_niss(form.niss.data)
        audit.record_view("registry.search_niss", niss=form.niss.data)
        return [person] if person else []
    query = PhoneticQuery(
        last_name=form.nom.data.strip(),
        first_name=(form.prenom.data or "").strip(),
        birth=form.partial,
        tolerance=form.tolerance.data or 0,
    )
    results = register.phonetic(query)
    if results:
        audit.record_views("registry.search_phonetic", (p.niss for p in results))
    else:
        audit.record_view("registry.search_phonetic", details="0 résultat")
    return results


def _search_context(form: PersonSearchForm, results: list | None, target: str) -> dict:
    window = None
    if results is not None and form.mode.data == "phonetique" and form.partial:
        window = search_window(form.partial, form.tolerance.data or 0)
    context = {"form": form, "results": results, "window": window, "details_endpoint": target}
    if target == "dossiers.person":
        # Not the register id: a reference only this session can open, for a while.
        context["details_url"] = _person_link
    return context


def _member_link(dossier_id: int):
    """The « Ajouter » links of a household search: opaque references of this session."""

    def link(row_id: int) -> str:
        token = session_refs.issue(session_refs.REGISTER_PERSON, row_id)
        return url_for("dossiers.member_add", dossier_id=dossier_id, ref=token)

    return link


def _person_link(row_id: int) -> str:
    """The « Détails » link of a search result (an opaque reference of this session)."""
    return url_for("dossiers.person", ref=session_refs.issue(session_refs.REGISTER_PERSON, row_id))


@bp.route("/nouveau")
@require_function("dossiers.create")
def new():
    form = PersonSearchForm()
    return render_template(
        "dossiers/new.html",
        **_layout(
            search_action=url_for("dossiers.register_search"),
            **_search_context(form, None, "dossiers.person"),
        ),
    )


@reads_only
@bp.route("/nouveau/recherche", methods=["POST"])
@require_function("dossiers.create")
def register_search():
    form = PersonSearchForm()
    if not form.validate():
        context = _search_context(form, None, "dossiers.person")
        if is_htmx():
            return render_template("dossiers/_person_search.html", **context), 422
        return render_template(
            "dossiers/new.html",
            **_layout(search_action=url_for("dossiers.register_search"), **context),
        ), 422
    context = _search_context(form, _person_search(form), "dossiers.person")
    return render_page_or_fragment(
        "dossiers/new.html",
        "dossiers/_person_search.html",
        **_layout(search_action=url_for("dossiers.register_search"), **context),
    )


def _person_or_404(ref: int):
    person = get_register().by_ref(ref)
    if person is None:
        abort(404)
    audit.record_view("registry.person_view", niss=person.niss)
    return person


def _copy_requested() -> bool:
    return request.form.get("action") == "copier"


def _copy_legal_address(form: AddressForm, person) -> None:
    form.street.data = person.street
    form.house_number.data = person.house_number
    form.box.data = person.box
    form.postal_code.data = person.postal_code
    form.locality.data = person.locality
    for field in (form.street, form.house_number, form.box, form.postal_code, form.locality):
        field.raw_data = None
        field.errors = []


def _address(form: AddressForm) -> services.Address:
    return services.Address(
        street=form.street.data.strip(),
        house_number=form.house_number.data.strip(),
        box=(form.box.data or "").strip() or None,
        postal_code=form.postal_code.data.strip(),
        locality=form.locality.data.strip(),
    )


@bp.route("/nouveau/personne/<ref>", methods=["GET", "POST"])
@require_function("dossiers.create")
def person(ref: str):
    """« Détails »: the register data, the effective address, then « Créer le dossier ».

    ``ref`` comes from a search result of this session (never a guessable register id)."""
    row_id = session_refs.resolve(session_refs.REGISTER_PERSON, ref)
    if row_id is None:
        abort(404)
    found = _person_or_404(row_id)
    existing = queries.dossier_for_niss(current_user.organisation_id, found.niss)
    form = AddressForm()
    status = 200
    if request.method == "POST":
        if _copy_requested():
            _copy_legal_address(form, found)
        elif form.validate():
            dossier, created = services.create_dossier(
                current_user.organisation, found, _address(form), _user()
            )
            if created:
                flash("Dossier créé.", "success")
            else:
                flash("Cette personne a déjà un dossier au CPAS : le voici.", "info")
            return redirect_after_post(url_for("dossiers.detail", dossier_id=dossier.id))
        else:
            status = 422
    context = {
        "person": found,
        "form": form,
        "existing": existing,
        "action": url_for("dossiers.person", ref=ref),
        "submit_label": "Créer le dossier",
        "member_mode": False,
        "inline": is_htmx(),
    }
    return render_page_or_fragment(
        "dossiers/person.html", "dossiers/_person_detail.html", **_layout(**context)
    ), status


@bp.route("/nouveau/numero-bis", methods=["GET", "POST"])
@require_function("dossiers.bis")
def bis():
    """« Attribuer un numéro bis » when the register knows nobody."""
    form = BisForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            person = get_register().assign_bis(
                BisRequest(
                    last_name=form.nom.data,
                    first_name=form.prenom.data,
                    sex=form.sexe.data,
                    birth=form.partial,
                    birth_place=(form.lieu_naissance.data or "").strip() or None,
                    nationality=(form.nationalite.data or "").strip() or "Inconnue",
                    street=(form.street.data or "").strip() or None,
                    house_number=(form.house_number.data or "").strip() or None,
                    box=(form.box.data or "").strip() or None,
                    postal_code=(form.postal_code.data or "").strip() or None,
                    locality=(form.locality.data or "").strip() or None,
                )
            )
            audit.record("registry.assign_bis", niss=person.niss)
            from ..extensions import db

            db.session.commit()
            flash(
                "Numéro bis attribué : la personne est reprise au registre BIS (local). "
                "Complétez l'adresse effective pour créer le dossier.",
                "success",
            )
            return redirect(_person_link(person.ref))
        status = 422
    return render_template("dossiers/bis.html", **_layout(form=form)), status


# --------------------------------------------------------------------------- main page


def _references_context(dossier: Dossier, form: ReferencesForm | None = None) -> dict:
    return {"dossier": dossier, "form": form}


@bp.route("/<int:dossier_id>")
@require_function("dossiers.view")
def detail(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    _view_dossier(dossier)
    return render_template(
        "dossiers/detail.html",
        **_layout(dossier, main=queries.main_member(dossier), form=None),
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
    choices = [(0, "— Aucun —")] + [(w.id, w.full_name) for w in workers]
    if dossier.social_worker and not dossier.social_worker.active:
        choices.append((dossier.social_worker.id, f"{dossier.social_worker.full_name} (inactif)"))
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
                _user(),
                version=form.version.data,
            )
        except Conflict as exc:
            # the same form with what was typed, the saved references beside it
            db.session.rollback()
            keep_for_merge(form, _references_form(dossier, saved=True), exc)
            return render_template(
                "dossiers/_references.html", **_references_context(dossier, form)
            ), 409
        except services.DossierRuleError as exc:
            getattr(form, exc.field or "dossier_number").errors.append(str(exc))
        else:
            flash("Références du dossier enregistrées.", "success")
            return render_template("dossiers/_references.html", **_references_context(dossier))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "dossiers/_references.html", **_references_context(dossier, form)
    ), status


@bp.route("/<int:dossier_id>/archiver", methods=["POST"])
@require_function("dossiers.archive")
def archive(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    services.set_archived(dossier, True, _user())
    flash("Dossier déplacé vers « Anciens dossiers ».", "success")
    return redirect(
        safe_local_path(request.form.get("next"), url_for("dossiers.detail", dossier_id=dossier.id))
    )


@bp.route("/<int:dossier_id>/reactiver", methods=["POST"])
@require_function("dossiers.archive")
def unarchive(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    services.set_archived(dossier, False, _user())
    flash("Dossier replacé parmi les dossiers du CPAS.", "success")
    return redirect(
        safe_local_path(request.form.get("next"), url_for("dossiers.detail", dossier_id=dossier.id))
    )


# --------------------------------------------------------------------------- household


def _household_context(dossier: Dossier, removed=None) -> dict:
    members = queries.current_members(dossier)
    snapshot = queries.latest_snapshot(dossier)
    return {
        "members": members,
        "snapshot": snapshot,
        "difference": queries.compare(snapshot, members),
        "removed": removed,
    }


def _log_household_view(dossier: Dossier, context: dict) -> None:
    """Every person the household page shows is a consultation of that NISS."""
    shown = {m.niss for m in context["members"]}
    if context["snapshot"]:
        shown |= {p.niss for p in context["snapshot"].people}
    for niss in sorted(shown):
        audit.record_view("household.view", obj=dossier, niss=niss)


@bp.route("/<int:dossier_id>/menage")
@require_function("household.view")
def household(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    context = _household_context(dossier)
    _log_household_view(dossier, context)
    queries.remember(dossier)
    return render_template(
        "dossiers/household.html", **_layout(dossier, relations=RELATIONS, **context)
    )


@bp.route("/<int:dossier_id>/menage/officiel", methods=["POST"])
@require_function("household.edit")
def household_refresh(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    services.refresh_official_household(dossier, _user())
    flash("Composition de ménage officielle mise à jour depuis le registre.", "success")
    return redirect(url_for("dossiers.household", dossier_id=dossier.id))


@bp.route("/<int:dossier_id>/menage/ajouter")
@require_function("household.edit")
def member_new(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    form = PersonSearchForm()
    return render_template(
        "dossiers/member_new.html",
        **_layout(
            dossier,
            search_action=url_for("dossiers.member_search", dossier_id=dossier.id),
            details_url=_member_link(dossier.id),
            **_search_context(form, None, "dossiers.member_add"),
        ),
    )


@reads_only
@bp.route("/<int:dossier_id>/menage/recherche", methods=["POST"])
@require_function("household.edit")
def member_search(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    form = PersonSearchForm()
    ok = form.validate()
    context = _search_context(form, _person_search(form) if ok else None, "dossiers.member_add")
    context["search_action"] = url_for("dossiers.member_search", dossier_id=dossier.id)
    context["details_url"] = _member_link(dossier.id)
    status = 200 if ok else 422
    return render_page_or_fragment(
        "dossiers/member_new.html", "dossiers/_person_search.html", **_layout(dossier, **context)
    ), status


@bp.route("/<int:dossier_id>/menage/ajouter/<ref>", methods=["GET", "POST"])
@require_function("household.edit")
def member_add(dossier_id: int, ref: str):
    """« Identification »: register data, effective address, relation and start → « Ajouter »."""
    dossier = queries.get_dossier_or_404(dossier_id)
    row_id = session_refs.resolve(session_refs.REGISTER_PERSON, ref)
    if row_id is None:  # a register id, another session's or an expired reference
        abort(404)
    found = _person_or_404(row_id)
    form = MemberForm()
    status = 200
    if request.method == "POST":
        if _copy_requested():
            _copy_legal_address(form, found)
        elif form.validate():
            try:
                services.add_member(
                    dossier,
                    found,
                    _address(form),
                    form.relation.data,
                    form.relation_start.data,
                    _user(),
                )
            except services.DossierRuleError as exc:
                form.relation.errors.append(str(exc))
                status = 422
            else:
                flash(
                    f"{found.first_name} {found.last_name} ajouté(e) au ménage de fait.", "success"
                )
                return redirect_after_post(url_for("dossiers.household", dossier_id=dossier.id))
        else:
            status = 422
    context = {
        "person": found,
        "form": form,
        "existing": None,
        "action": url_for("dossiers.member_add", dossier_id=dossier.id, ref=ref),
        "submit_label": "Ajouter",
        "member_mode": True,
        "inline": is_htmx(),
    }
    return render_page_or_fragment(
        "dossiers/person.html", "dossiers/_person_detail.html", **_layout(dossier, **context)
    ), status


def _de_facto(dossier: Dossier, removed=None, conflict=None):
    context = _household_context(dossier, removed)
    _log_household_view(dossier, context)
    response = render_page_or_fragment(
        "dossiers/household.html",
        "dossiers/_household_body.html",
        **_layout(dossier, relations=RELATIONS, conflict=conflict, **context),
    )
    if conflict is not None:
        response.status_code = 409
    return response


def _posted_version() -> int:
    """The version a household button posts with its member; garbage is a 400."""
    version = parse_version(request.form.get("version"))
    if version is None:
        abort(400, description=str(BAD_VERSION))
    return version


@bp.route("/<int:dossier_id>/menage/membres/<int:member_id>/supprimer", methods=["POST"])
@require_function("household.edit")
def member_remove(dossier_id: int, member_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    member = queries.get_member_or_404(dossier, member_id)
    version = _posted_version()
    try:
        services.remove_member(member, _user(), version=version)
    except Conflict as exc:
        db.session.rollback()
        return _de_facto(dossier, conflict=exc)
    except services.DossierRuleError as exc:
        abort(409, description=str(exc))
    flash(f"{member.first_name} {member.last_name} retiré(e) du ménage de fait.", "success")
    return _de_facto(dossier, removed=member)


@bp.route("/<int:dossier_id>/menage/membres/<int:member_id>/restaurer", methods=["POST"])
@require_function("household.edit")
def member_restore(dossier_id: int, member_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    member = queries.get_member_or_404(dossier, member_id)
    version = _posted_version()
    try:
        services.restore_member(member, _user(), version=version)
    except Conflict as exc:
        db.session.rollback()
        return _de_facto(dossier, conflict=exc)
    flash(f"{member.first_name} {member.last_name} remis(e) dans le ménage de fait.", "success")
    return _de_facto(dossier)


@bp.route("/<int:dossier_id>/menage/membres/actualiser", methods=["POST"])
@require_function("household.edit")
def members_refresh(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    wanted = set(parse_ids(request.form.getlist("membres")) or [])
    members = [m for m in queries.current_members(dossier) if m.id in wanted]
    if not members:
        flash("Sélectionnez au moins un membre à mettre à jour.", "error")
    else:
        count = services.refresh_members(dossier, members, _user())
        flash(f"Données de {count} membre(s) mises à jour depuis le registre.", "success")
    return _de_facto(dossier)


# --------------------------------------------------------------------------- integrations


def _integration_forms(dossier: Dossier, members: list) -> dict:
    choices = [(m.id, f"{m.last_name} {m.first_name}") for m in members]
    today = date.today()
    integrate_form = IntegrationForm(prefix="int", data={"start": today})
    deintegrate_form = DeintegrationForm(prefix="des")
    consult_form = ConsultForm(prefix="con", data={"start": today})
    integrate_form.members.choices = choices
    deintegrate_form.members.choices = choices
    consult_form.member.choices = choices
    return {"integrate": integrate_form, "deintegrate": deintegrate_form, "consult": consult_form}


def _integrations_page(dossier: Dossier, status: int = 200, **extra: Any):
    members = queries.current_members(dossier)
    forms = extra.pop("forms", None) or _integration_forms(dossier, members)
    return render_template(
        "dossiers/integrations.html",
        **_layout(dossier, members=members, codes=QUALITY_CODES, **forms, **extra),
    ), status


@bp.route("/<int:dossier_id>/integrations")
@require_function("integrations.view")
def integrations(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    queries.remember(dossier)
    return _integrations_page(dossier)


def _selected(members: list, ids: list[int]) -> list:
    return [m for m in members if m.id in set(ids)]


@bp.route("/<int:dossier_id>/integrations/integrer", methods=["POST"])
@require_function("integrations.edit")
def integrate(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    members = queries.current_members(dossier)
    forms = _integration_forms(dossier, members)
    form = forms["integrate"]
    if not form.validate():
        return _integrations_page(dossier, 422, forms=forms)
    results = services.integrate(
        dossier,
        _selected(members, form.members.data),
        form.code.data,
        form.start.data,
        form.end.data,
        _user(),
    )
    return _integrations_page(dossier, forms=forms, results=results, results_title="Intégration")


@bp.route("/<int:dossier_id>/integrations/desintegrer", methods=["POST"])
@require_function("integrations.edit")
def deintegrate(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    members = queries.current_members(dossier)
    forms = _integration_forms(dossier, members)
    form = forms["deintegrate"]
    if not form.validate():
        return _integrations_page(dossier, 422, forms=forms)
    results = services.deintegrate(
        dossier, _selected(members, form.members.data), form.start.data, form.end.data, _user()
    )
    return _integrations_page(dossier, forms=forms, results=results, results_title="Désintégration")


@reads_only
@bp.route("/<int:dossier_id>/integrations/consulter", methods=["POST"])
@require_function("integrations.view")
def consult(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    members = queries.current_members(dossier)
    forms = _integration_forms(dossier, members)
    form = forms["consult"]
    if not form.validate():
        return _integrations_page(dossier, 422, forms=forms)
    member = next(m for m in members if m.id == form.member.data)
    from ..registry.adapters import get_bcss

    periods = get_bcss().consult(
        dossier.organisation_id, member.niss, form.start.data, form.end.data
    )
    audit.record_view("integrations.consult", obj=dossier, niss=member.niss)
    return _integrations_page(dossier, forms=forms, consulted=member, periods=periods)
