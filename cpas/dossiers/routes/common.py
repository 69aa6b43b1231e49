"""What the dossier screens share: the layout beside every page, the consultation log, the
register search and its opaque person links, the effective address read from a form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, request, url_for
from flask_login import current_user

from ... import audit, session_refs
from ...registry.adapters import SOURCE_LABEL, PersonRecord, PhoneticQuery, get_register
from ...registry.birthdates import format_birth, search_window
from ...registry.labels import register_value
from .. import bp, queries, services
from ..forms import AddressForm, PersonSearchForm
from ..models import Dossier


@bp.app_template_filter("birth")
def _birth_filter(value: Any, precision: str = "day") -> str:
    return format_birth(value, precision)


@bp.app_template_filter("register_value")
def _register_value_filter(value: str | None) -> str:
    """A register value (register, civil state, relation, nationality) in the reader's
    language."""
    return register_value(value)


def layout(dossier: Dossier | None = None, **context: Any) -> dict[str, Any]:
    """What every dossier page shows beside its content: the menu and the recent dossiers."""
    return {
        "dossier": dossier,
        "recent": queries.recent_dossiers(current_user.organisation_id),
        "source_label": SOURCE_LABEL,
        **context,
    }


def view_dossier(dossier: Dossier, action: str = "dossiers.view") -> None:
    audit.record_view(action, obj=dossier, niss=dossier.niss)
    queries.remember(dossier)


def log_listed(action: str, dossiers: list[Dossier]) -> None:
    """A list of dossiers shows each one's NISS: one consultation per dossier listed."""
    for dossier in dossiers:
        audit.record_view(action, obj=dossier, niss=dossier.niss)


def person_search(form: PersonSearchForm) -> list[PersonRecord]:
    """Run the register search of a validated form; log it (with the NISS when given)."""
    register = get_register()
    if form.mode.data == "niss":
        niss = form.niss.data
        assert niss, "a validated NISS search has its NISS"
        person = register.by_niss(niss)
        audit.record_view("registry.search_niss", niss=niss)
        return [person] if person else []
    assert form.partial is not None  # a validated phonetic search has its birth date
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


def search_context(form: PersonSearchForm, results: list | None, target: str) -> dict:
    window = None
    if results is not None and form.mode.data == "phonetique" and form.partial:
        window = search_window(form.partial, form.tolerance.data or 0)
    context: dict[str, Any] = {
        "form": form,
        "results": results,
        "window": window,
        "details_endpoint": target,
    }
    if target == "dossiers.person":
        # Not the register id: a reference only this session can open, for a while.
        context["details_url"] = person_link
    return context


def member_link(dossier_id: int) -> Callable[[int], str]:
    """The « Ajouter » links of a household search: opaque references of this session."""

    def link(row_id: int) -> str:
        token = session_refs.issue(session_refs.REGISTER_PERSON, row_id)
        return url_for("dossiers.member_add", dossier_id=dossier_id, ref=token)

    return link


def person_link(row_id: int) -> str:
    """The « Détails » link of a search result (an opaque reference of this session)."""
    return url_for("dossiers.person", ref=session_refs.issue(session_refs.REGISTER_PERSON, row_id))


def register_person_or_404(ref: int) -> PersonRecord:
    person = get_register().by_ref(ref)
    if person is None:
        abort(404)
    audit.record_view("registry.person_view", niss=person.niss)
    return person


def copy_requested() -> bool:
    return request.form.get("action") == "copier"


def copy_legal_address(form: AddressForm, person: PersonRecord) -> None:
    form.street.data = person.street
    form.house_number.data = person.house_number
    form.box.data = person.box
    form.postal_code.data = person.postal_code
    form.locality.data = person.locality
    for field in (form.street, form.house_number, form.box, form.postal_code, form.locality):
        field.raw_data = None
        field.errors = []


def address_of(form: AddressForm) -> services.Address:
    return services.Address(
        street=form.street.data.strip(),
        house_number=form.house_number.data.strip(),
        box=(form.box.data or "").strip() or None,
        postal_code=form.postal_code.data.strip(),
        locality=form.locality.data.strip(),
    )
