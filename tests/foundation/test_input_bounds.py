"""Bounded input: URL ids, amounts, digits, control characters, lengths, names, images,
upload storage failures (issue 11, items 7 and 9)."""

from __future__ import annotations

import errno
import importlib
import inspect
import io
import json
import pkgutil
import re
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import Numeric, select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import MethodNotAllowed, NotFound
from wtforms import Form, HiddenField, StringField, TextAreaField
from wtforms.validators import Length, Regexp

import cpas
from cpas import uploads
from cpas.access.models import Organisation, OrganisationKind
from cpas.centre.models import CentreProfile, SocialWorker
from cpas.extensions import db
from cpas.formfields import MAX_AMOUNT, BaseForm, MoneyField, person_name
from cpas.inputs import MAX_ID, parse_id, parse_ids, parse_page
from cpas.niss import normalise_niss
from tests.helpers import page_text

HUGE = "99999999999999999999"


def all_form_classes() -> list[type[Form]]:
    """Every form class defined in a domain's forms.py."""
    found = []
    for module_info in pkgutil.iter_modules(cpas.__path__):
        try:
            module = importlib.import_module(f"cpas.{module_info.name}.forms")
        except ModuleNotFoundError:
            continue
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Form) and cls.__module__ == module.__name__:
                found.append(cls)
    assert len(found) > 20  # the enumeration itself works
    return found


def bound_forms(app):
    with app.test_request_context():
        for cls in all_form_classes():
            yield cls, cls(formdata=None, meta={"csrf": False})


def hidden_inputs(html: str) -> dict[str, str]:
    """The hidden inputs of a page (the record versions a form posts back)."""
    found = {}
    for tag in re.findall(r"<input[^>]*type=\"hidden\"[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and name.group(1) != "csrf_token":
            found[name.group(1)] = value.group(1) if value else ""
    return found


@pytest.fixture
def cpas_admin(make_org, make_user):
    a = make_org(OrganisationKind.CPAS, name="CPAS A")
    make_org(OrganisationKind.CPAS, name="CPAS B")
    return a, make_user(a, all_access=True)


# --------------------------------------------------------------------------- 1. ids


def test_a_huge_or_non_ascii_id_in_any_url_is_a_404(app):
    adapter = app.url_map.bind("intranet.test")
    checked = 0
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue
        method = next(iter(sorted(rule.methods - {"HEAD", "OPTIONS"})))
        for garbage in (HUGE, str(MAX_ID + 1), "\u0663", "9" * 5000):
            path = re.sub(r"<int:[^>]+>", garbage, rule.rule)
            path = re.sub(r"<[^>]+>", "x", path)
            try:
                endpoint, _args = adapter.match(path, method=method)
            except (NotFound, MethodNotAllowed):
                continue
            assert endpoint != rule.endpoint, (rule.rule, garbage)
        checked += 1
    assert checked > 30


def test_get_a_water_request_with_a_huge_id_is_a_404(app, client, login_as, make_user):
    login_as(make_user(all_access=True))
    assert client.get(f"/fonds-eau/fat/{HUGE}").status_code == 404
    assert client.get(f"/acces/profils/{MAX_ID + 1}").status_code == 404


def test_id_and_page_parsers_take_ascii_digits_of_a_sane_length():
    assert parse_id("12") == 12
    assert parse_id(str(MAX_ID)) == MAX_ID
    for garbage in ("²", "\u0663", "abc", "", "0", "-1", "1e3", str(MAX_ID + 1), "9" * 5000):
        assert parse_id(garbage) is None, garbage
    assert parse_ids(["1", "2"]) == [1, 2]
    assert parse_ids(["1", "²"]) is None
    assert parse_page("3") == 3
    for garbage in ("²", "9" * 5000, "-2", "abc", None):
        assert parse_page(garbage) == 1


@pytest.mark.parametrize("garbage", ["²" * 11, "1" * 5000, "8507300332\u0668", "\x00" * 11])
def test_niss_normalisation_refuses_non_ascii_digits_and_huge_numbers(garbage):
    assert normalise_niss(garbage) is None
    assert normalise_niss("85.07.30-033.28") == "85073003328"


@pytest.mark.parametrize("page", ["²", "9" * 5000, HUGE])
def test_admin_logs_page_number_garbage_shows_page_one(app, client, login_as, make_user, page):
    login_as(make_user(all_access=True))
    response = client.post("/acces/admin-logs", data={"page": page})
    assert response.status_code == 200


def test_renaming_a_cpas_to_an_existing_name_is_a_clear_422(app, client, login_as, cpas_admin):
    a, user = cpas_admin
    login_as(user)
    page = client.get("/centre/fiche").get_data(as_text=True)
    posted = {
        **hidden_inputs(page),
        "name": "CPAS B",
        "ins_code": "62063",
        "street": "Rue de la Loi",
        "house_number": "16",
        "postal_code": "4000",
        "locality": "Liège",
    }
    response = client.post("/centre/fiche", data=posted)
    assert response.status_code == 422
    text = page_text(response)
    assert "déjà celui d'une autre organisation" in text
    assert 'value="CPAS B"' in text  # the typed value is kept
    with app.app_context():
        assert db.session.get(Organisation, a.id).name == "CPAS A"


# --------------------------------------------------------------------------- 2. money


class _MoneyForm(BaseForm):
    class Meta:
        csrf = False

    amount = MoneyField("Montant")


@pytest.mark.parametrize(
    "raw",
    [
        "1e30",
        "1E5",
        "NaN",
        "Infinity",
        "-inf",
        "sNaN",
        HUGE,
        "10.000.000.000",
        "10000000000,00",
        "²",
        "\u0661\u0662",
        "9" * 5000,
        "1_000",
        "0x10",
    ],
)
def test_money_refuses_exponents_specials_and_what_the_column_cannot_hold(app, raw):
    with app.test_request_context():
        form = _MoneyForm(MultiDict({"amount": raw}))
        assert not form.validate()
        assert form.amount.errors and form.amount.data is None
        assert form.amount._value() == raw  # the typed value is shown again


def test_money_accepts_the_largest_amount_and_belgian_notation(app):
    with app.test_request_context():
        for raw, expected in [
            ("9.999.999.999,99", Decimal("9999999999.99")),
            ("1.234,56", Decimal("1234.56")),
            ("12.50", Decimal("12.50")),
        ]:
            form = _MoneyForm(MultiDict({"amount": raw}))
            assert form.validate(), form.errors
            assert form.amount.data == expected
        form = _MoneyForm(MultiDict({"amount": "10.000.000.000,00"}))
        assert not form.validate()
        assert "trop élevé" in form.amount.errors[0]


def test_every_money_field_fits_every_money_column(app):
    capacities = [
        Decimal(10) ** (column.type.precision - column.type.scale)
        - Decimal(10) ** -column.type.scale
        for table in db.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, Numeric) and column.type.precision
    ]
    assert capacities
    smallest = min(capacities)
    assert smallest >= MAX_AMOUNT
    money_fields = [
        (cls.__name__, field.name)
        for cls, form in bound_forms(app)
        for field in form
        if isinstance(field, MoneyField)
    ]
    assert len(money_fields) > 10
    with app.test_request_context():
        for cls, form in bound_forms(app):
            for field in form:
                if isinstance(field, MoneyField):
                    assert field.maximum <= smallest, (cls.__name__, field.name)


# --------------------------------------------------------------------------- 4. control characters


def test_every_form_uses_the_base_form():
    for cls in all_form_classes():
        assert issubclass(cls, BaseForm), f"{cls.__module__}.{cls.__name__} is not a BaseForm"


def test_control_characters_are_refused_in_every_text_field(app):
    checked = 0
    with app.test_request_context():
        for cls in all_form_classes():
            names = [f.name for f in cls(formdata=None, meta={"csrf": False})]
            for name in names:
                probe = cls(formdata=None, meta={"csrf": False})
                if not isinstance(probe[name], StringField):
                    continue
                for garbage in ("ab\x00cd", "ab\x1bcd", "ab\x7fcd"):
                    form = cls(MultiDict({name: garbage}), meta={"csrf": False})
                    form[name].validate(form)
                    assert form[name].errors, f"{cls.__name__}.{name} accepts {garbage!r}"
                checked += 1
    assert checked > 60


def test_a_text_area_keeps_line_breaks_and_tabs(app):
    class _Form(BaseForm):
        class Meta:
            csrf = False

        comment = TextAreaField("Commentaire")
        title = StringField("Titre")

    with app.test_request_context():
        form = _Form(MultiDict({"comment": "ligne 1\r\nligne\t2", "title": "Titre"}))
        assert form.validate(), form.errors
        form = _Form(MultiDict({"comment": "ok", "title": "un\nretour"}))
        assert not form.validate()
        assert "caractères de contrôle" in form.title.errors[0]


def test_a_nul_in_a_social_worker_name_is_refused_and_nothing_saved(
    app, client, login_as, cpas_admin
):
    _a, user = cpas_admin
    login_as(user)
    response = client.post(
        "/centre/assistants/nouveau", data={"last_name": "Dupont\x00", "first_name": "Marie"}
    )
    assert response.status_code == 422
    assert "caractères de contrôle" in page_text(response)
    with app.app_context():
        assert db.session.scalar(select(SocialWorker)) is None


# --------------------------------------------------------------------------- 5. lengths


def _bounded_regexp(validator: object) -> bool:
    if not isinstance(validator, Regexp):
        return False
    pattern = validator.regex.pattern
    return pattern.endswith("$") and not re.search(r"[+*]|\{\d+,\}", pattern.lstrip("^\\+?"))


def test_every_text_field_has_a_maximum_length(app):
    # Parsed fields bound themselves (an amount, an 11-digit NISS, an id); hidden fields
    # are bounded by BaseForm (MAX_TEXT), checked below.
    from cpas.dossiers.forms import NissField

    exempt = (MoneyField, NissField, HiddenField)
    missing = []
    with app.test_request_context():
        for cls, form in bound_forms(app):
            for field in form:
                if not isinstance(field, StringField) or isinstance(field, exempt):
                    continue
                bounded = any(
                    (isinstance(v, Length) and v.max and v.max > 0) or _bounded_regexp(v)
                    for v in field.validators
                )
                if not bounded:
                    missing.append(f"{cls.__name__}.{field.name}")
    assert not missing, missing


def test_a_100_kb_value_is_refused_even_in_a_hidden_field(app):
    class _Form(BaseForm):
        class Meta:
            csrf = False

        version = HiddenField()

    with app.test_request_context():
        form = _Form(MultiDict({"version": "1" * 100_000}))
        assert not form.validate()
        assert "trop long" in form.version.errors[0]


# --------------------------------------------------------------------------- 6. names


@pytest.mark.parametrize(
    "name", ["Van den Bossche", "D'Hondt", "Jean-Pierre", "Müller", "O’Neil", "St. Pierre", "Ngô"]
)
def test_person_names_accepted(app, name):
    class _F:
        data = name

    person_name(None, _F)


@pytest.mark.parametrize(
    "name", ["31/02/2024", "1e999999", "---", "Jean2", "<b>x</b>", "' '", "a" + " -" * 5000 + "!"]
)
def test_things_that_are_not_names_refused(app, name):
    from wtforms.validators import ValidationError

    class _F:
        data = name

    with app.test_request_context(), pytest.raises(ValidationError):
        person_name(None, _F)


def test_every_person_name_field_is_validated_as_a_name(app):
    names = {"last_name", "first_name", "nom", "prenom"}
    checked = 0
    with app.test_request_context():
        for cls, form in bound_forms(app):
            if cls.__name__.endswith(("SearchForm", "FilterForm")):
                continue  # a search term may be part of a name
            for field in form:
                if field.name in names:
                    assert person_name in field.validators, f"{cls.__name__}.{field.name}"
                    checked += 1
    assert checked >= 6


def test_a_date_as_a_social_worker_name_is_refused_next_to_the_field(
    app, client, login_as, cpas_admin
):
    _a, user = cpas_admin
    login_as(user)
    response = client.post(
        "/centre/assistants/nouveau", data={"last_name": "31/02/2024", "first_name": "1e999999"}
    )
    assert response.status_code == 422
    text = page_text(response)
    assert text.count("Un nom ne contient que des lettres") == 2
    assert 'value="31/02/2024"' in text
    with app.app_context():
        assert db.session.scalar(select(SocialWorker)) is None


# --------------------------------------------------------------------------- 7. images, PDF


def image_bytes(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 8), (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def _upload_logo(client, data: bytes):
    return client.post(
        "/centre/fiche/logo",
        data={"logo": (io.BytesIO(data), "logo.png")},
        content_type="multipart/form-data",
    )


def _logo_name(app) -> str | None:
    with app.app_context():
        return db.session.scalar(select(CentreProfile.logo_name))


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"\0" * 2000,
        image_bytes("PNG")[:-30],
        b"\xff\xd8\xff\xe0" + b"\0" * 2000,
        image_bytes("JPEG")[: len(image_bytes("JPEG")) // 2],
    ],
    ids=["png-header-zeros", "png-truncated", "jpeg-header-zeros", "jpeg-truncated"],
)
def test_a_logo_that_does_not_decode_is_refused(app, client, login_as, cpas_admin, data):
    login_as(cpas_admin[1])
    response = _upload_logo(client, data)
    assert response.status_code == 422
    assert _logo_name(app) is None


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_real_image_is_accepted_as_logo(app, client, login_as, cpas_admin, fmt):
    login_as(cpas_admin[1])
    assert _upload_logo(client, image_bytes(fmt)).status_code == 302
    assert _logo_name(app)


MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"trailer<</Size 3/Root 1 0 R>>\nstartxref\n97\n%%EOF\n"
)


def test_a_pdf_is_checked_for_its_structure():
    kind = uploads.detect_kind(MINIMAL_PDF)
    assert kind is not None and uploads.decodes(kind, MINIMAL_PDF)
    for broken in (b"%PDF-1.4\n<html>not a pdf</html>", MINIMAL_PDF[:60]):
        assert not uploads.decodes(uploads.detect_kind(broken), broken)


# --------------------------------------------------------------------------- 8. storage


def _files_under(folder) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def test_disk_full_while_storing_a_logo_keeps_the_fiche_and_leaves_no_file(
    app, client, login_as, cpas_admin, monkeypatch
):
    login_as(cpas_admin[1])
    real_write = uploads._write

    def half_then_full(path, data):
        real_write(path, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(uploads, "_write", half_then_full)
    response = _upload_logo(client, image_bytes("PNG"))
    assert response.status_code == 503
    text = page_text(response)
    assert "n'a pas pu être enregistré" in text
    assert 'value="CPAS A"' in text  # the fiche is shown as saved
    assert _files_under(Path(app.instance_path) / "uploads") == []
    assert _logo_name(app) is None


def test_a_file_where_the_upload_folder_should_be_is_a_clear_error(
    app, client, login_as, cpas_admin
):
    login_as(cpas_admin[1])
    uploads_dir = Path(app.instance_path) / "uploads"
    uploads_dir.mkdir()
    (uploads_dir / "centre").write_text("not a folder")
    response = _upload_logo(client, image_bytes("PNG"))
    assert response.status_code == 503
    assert _logo_name(app) is None


def test_store_upload_removes_the_file_when_the_commit_fails(tmp_path):
    with pytest.raises(RuntimeError), uploads.store_upload(tmp_path, b"data", ".pdf") as name:
        assert (tmp_path / name).read_bytes() == b"data"
        raise RuntimeError("commit failed")
    assert list(tmp_path.iterdir()) == []
    with uploads.store_upload(tmp_path, b"data", ".pdf") as name:
        pass
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_a_failed_rename_leaves_no_partial_file(tmp_path, monkeypatch):
    def refuse(*_args):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(uploads.os, "replace", refuse)
    with pytest.raises(uploads.UploadStorageError), uploads.store_upload(tmp_path, b"x"):
        pass
    assert list(tmp_path.iterdir()) == []


def test_list_filters_kept_for_links_and_export_jobs_are_bounded(app):
    from cpas.water_fund.routes import filters_from

    posted = MultiDict(
        {"q": "x" * 100_000, "statut": "y" * 100_000, "tri": "a\x00b", "annee": "9" * 5000}
    )
    with app.test_request_context():
        filters = filters_from("fat", posted)
    assert len(json.dumps(filters.args)) < 400  # what start_job stores as the job's params
    assert "tri" not in filters.args
    assert filters.q == "x" * 100


def test_redi_sheet_garbage_cells_are_problems_not_500s(app):
    from cpas.redi.importer import parse_workbook
    from tests.redi.conftest import row, workbook

    rows = [
        row(monthly_granted=1e30, decision_date=1e300, months=1e300),
        row(budget="65", total_paid="NaN", period_start=-5, months="9" * 5000),
        row(budget="66", monthly_granted="99999999999999999999", period_end=float(2**70)),
        row(budget="67", monthly_granted="1e30", months=-3),
    ]
    with app.test_request_context():
        parsed = parse_workbook(workbook(rows), "99001")
    problems = [" ".join(r.get("problems") or r.get("errors") or []) for r in parsed.rows]
    text = " ".join(problems) + " ".join(str(e) for e in getattr(parsed, "errors", []))
    assert text.count("montant illisible") >= 3, text
    assert text.count("date illisible") >= 3, text
    assert text.count("nombre de mois illisible") >= 3, text
