"""Admin-Logs speaks French: action labels for every code used, objects as labels (in a
bounded number of queries, never another organisation's data), Brussels time, outcomes in
words; and the page logs the NISS it shows."""

from __future__ import annotations

import ast
import importlib
import re
from datetime import date, datetime, timedelta
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook

from cpas import workflow
from cpas.access.models import AccountRequest, OrganisationKind, Profile
from cpas.audit import ACTION_LABELS, AuditEntry
from cpas.auth.models import ThrottleScope
from cpas.dossiers.models import Dossier
from cpas.extensions import db
from cpas.registry.numbers import niss_for
from cpas.water_fund import lifecycle
from tests.audit_helpers import entries_since, last_entry_id, niss_in, statements
from tests.helpers import page_text

CPAS_DIR = Path(__file__).resolve().parents[2] / "cpas"
RECORDERS = {"record", "record_view", "record_views", "record_security_event", "log_consultation"}
# What the placeholders of f-string action codes stand for (a new placeholder fails the test
# until it is listed here, so that its codes get labels too).
PLACEHOLDERS = {
    "kind": lifecycle.KINDS,
    "row.kind": lifecycle.KINDS,
    "action": lifecycle.ACTIONS,
    "role": ("president", "director"),
    "scope": (ThrottleScope.LOGIN, ThrottleScope.PASSWORD_RESET, ThrottleScope.ACCOUNT_REQUEST),
}


#: Wrappers that audit the action they are given, with the position of that argument
#: (the social inquiry's ``services.changed(request, action, by, …)``).
WRAPPERS = {"changed": 1}


def _constants(tree: ast.AST) -> dict[str, str]:
    """Module-level ``NAME = "literal"`` assignments (action codes kept as constants)."""
    found: dict[str, str] = {}
    for node in getattr(tree, "body", []):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            found[node.targets[0].id] = node.value.value
    return found


def _expand(node: ast.expr, constants: dict[str, str] | None = None) -> list[str]:
    """The action codes an argument can be: literals, module constants, both sides of an
    if, f-strings."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and constants and node.id in constants:
        return [constants[node.id]]
    if isinstance(node, ast.IfExp):
        return _expand(node.body, constants) + _expand(node.orelse, constants)
    if isinstance(node, ast.JoinedStr):
        codes = [""]
        for part in node.values:
            if isinstance(part, ast.Constant):
                codes = [c + part.value for c in codes]
            else:
                name = ast.unparse(part.value)  # type: ignore[attr-defined]
                assert name in PLACEHOLDERS, f"unknown placeholder {{{name}}} in an action code"
                codes = [c + v for c in codes for v in PLACEHOLDERS[name]]
        return codes
    return []  # a variable: the literal is found where the wrapper is called


def _declare_every_workflow() -> None:
    """Import each module that declares a Workflow, so that REGISTRY knows them all."""
    for path in CPAS_DIR.rglob("*.py"):
        if path != CPAS_DIR / "workflow.py" and "Workflow(" in path.read_text(encoding="utf-8"):
            module = ".".join(path.relative_to(CPAS_DIR.parent).with_suffix("").parts)
            importlib.import_module(module)


def _used_codes() -> dict[str, str]:
    _declare_every_workflow()
    codes: dict[str, str] = {}
    for path in CPAS_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in WRAPPERS and len(node.args) > WRAPPERS[name]:
                for code in _expand(node.args[WRAPPERS[name]], constants):
                    codes[code] = f"{path.relative_to(CPAS_DIR)}:{node.lineno}"
                continue
            if name not in RECORDERS:
                continue
            if (
                name == "record"
                and isinstance(func, ast.Attribute)
                and ast.unparse(func.value) != "audit"
            ):
                continue  # another object's record()
            args = list(node.args) + [k.value for k in node.keywords if k.arg == "action"]
            if path == CPAS_DIR / "workflow.py" and name == "record":
                # « f"{self.name}.{step.action}" »: every step of every declared workflow
                for code in sorted(workflow.all_codes(workflow.REGISTRY.values())):
                    codes[code] = f"workflow {code.rsplit('.', 1)[0]}"
                continue
            if not args and name == "record_security_event":
                codes["security.cross_org"] = str(path)
            for arg in args[:1]:
                for code in _expand(arg, constants):
                    codes[code] = f"{path.relative_to(CPAS_DIR)}:{node.lineno}"
        # wrappers that take the action as a keyword default: def f(..., action="x")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name == "view_dossier":
                for default in node.args.defaults:
                    codes.update(dict.fromkeys(_expand(default), str(path)))
    return codes


def test_every_action_code_used_has_a_label():
    codes = _used_codes()
    # the scan itself finds the codes it must (literal, if/else, f-string, wrapper default)
    for known in (
        "auth.login",
        "dossiers.archive",
        "water.fse.pay",
        "redi.sign_director",
        "inquiry.resource_add",  # a module constant given to services.changed()
        "inquiry.expense_delete",
    ):
        assert known in codes, known
    assert "dossiers.view" in codes and "access.audit_view" in codes
    missing = {code: where for code, where in codes.items() if code not in ACTION_LABELS}
    assert not missing, f"action codes without a label in cpas.audit.ACTION_LABELS: {missing}"


def test_labels_are_french_words_not_codes(app):
    with app.test_request_context("/"):
        for code, label in ACTION_LABELS.items():
            text = str(label)
            assert text and "." not in text.split(" ")[0] and "_" not in text, (code, text)


def _dossier(org, number, last, first, niss):
    return Dossier(
        organisation_id=org.id,
        niss=niss,
        dossier_number=number,
        opened_on=date(2024, 1, 1),
        last_name=last,
        first_name=first,
        name_key=last.lower(),
        first_key=first.lower(),
        sex="M",
    )


def _entry(org, user, action, at, **fields):
    return AuditEntry(organisation_id=org.id, user_id=user.id, action=action, at=at, **fields)


def test_admin_logs_in_words_and_brussels_time(app, client, make_org, make_user, login_as):
    org = make_org(OrganisationKind.CPAS, name="CPAS Gand")
    auditor = make_user(org, functions=["access.audit"], first_name="Anne", last_name="AUDIT")
    with app.app_context():
        dossier = _dossier(org, "73041636537", "PEETERS", "Filip", "73041636537")
        request_row = AccountRequest(
            organisation_id=org.id,
            last_name="JANSSENS",
            first_name="Els",
            email="els@example.test",
            password_hash="x",
            iban="BE68539007547034",
            representative="Directrice",
            phone="04 000 00 00",
        )
        db.session.add_all([dossier, request_row])
        db.session.flush()
        db.session.add_all(
            [
                # summer time: UTC+2
                _entry(
                    org,
                    auditor,
                    "dossiers.view",
                    datetime(2026, 7, 1, 10, 5),
                    object_type="Dossier",
                    object_id=str(dossier.id),
                    niss="73041636537",
                ),
                # winter time: UTC+1
                _entry(
                    org,
                    auditor,
                    "access.account_request_refuse",
                    datetime(2026, 1, 15, 23, 30),
                    object_type="AccountRequest",
                    object_id=str(request_row.id),
                ),
                _entry(
                    org, auditor, "auth.login_failed", datetime(2026, 2, 1, 8, 0), outcome="failure"
                ),
                _entry(
                    org, auditor, "security.cross_org", datetime(2026, 2, 2, 8, 0), outcome="denied"
                ),
            ]
        )
        db.session.commit()
    login_as(auditor)
    text = page_text(client.get("/acces/admin-logs"))
    assert "Consultation d'un dossier" in text
    assert "Dossier 73041636537 – PEETERS Filip" in text
    assert "01/07/2026 12:05" in text  # 10:05 UTC in July
    assert "16/01/2026 00:30" in text  # 23:30 UTC on 15 January is the 16th in Brussels
    assert "Refus d'une demande de compte" in text and "Demande de compte de Els JANSSENS" in text
    assert "Connexion échouée" in text and "Échec" in text
    assert "Réussi" in text and "Refusé" in text
    for code in ("dossiers.view", "auth.login_failed", "security.cross_org"):
        assert f">{code}<" not in text  # codes only as tooltips
    # the export says the same
    response = client.post("/acces/admin-logs/export.xlsx", data={})
    ws = load_workbook(BytesIO(response.data)).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    view = next(r for r in rows if r[7] == "dossiers.view")
    assert view[:6] == [
        "01/07/2026 12:05",
        "Anne AUDIT",
        "Consultation d'un dossier",
        "Dossier 73041636537 – PEETERS Filip",
        "73041636537",
        "Réussi",
    ]


def test_days_are_brussels_days(app, client, make_org, make_user, login_as):
    org = make_org()
    auditor = make_user(org, functions=["access.audit"])
    with app.app_context():
        # 31/03 22:30 UTC is 1 April 00:30 in Brussels (summer time)
        db.session.add(_entry(org, auditor, "centre.save_logo", datetime(2026, 3, 31, 22, 30)))
        db.session.commit()
    login_as(auditor)
    april = page_text(client.post("/acces/admin-logs", data={"date_from": "2026-04-01"}))
    march = page_text(client.post("/acces/admin-logs", data={"date_to": "2026-03-31"}))
    assert "01/04/2026 00:30" in april and "01/04/2026 00:30" not in march


def _many(app, org, auditor, other, per_type):
    """``per_type`` entries about each kind of object (and as many of another CPAS)."""
    with app.app_context():
        for k in range(per_type):
            born = date(1960, 1, 1) + timedelta(days=100 * per_type + k)
            own = _dossier(org, f"D{per_type}{k}", f"NOM{k}", "Own", niss_for(born, 13))
            theirs = _dossier(other, f"X{per_type}{k}", f"AUTRE{k}", "Secret", niss_for(born, 15))
            profile = Profile(organisation_id=org.id, name_fr=f"Profil {per_type}-{k}", name_nl="P")
            db.session.add_all([own, theirs, profile])
            db.session.flush()
            for object_type, obj in (("Dossier", own), ("Dossier", theirs), ("Profile", profile)):
                db.session.add(
                    _entry(
                        org,
                        auditor,
                        "dossiers.view" if object_type == "Dossier" else "access.profile_update",
                        datetime(2026, 5, 1, 10, k % 60),
                        object_type=object_type,
                        object_id=str(obj.id),
                    )
                )
            db.session.add(
                _entry(
                    org,
                    auditor,
                    "access.user_deactivate",
                    datetime(2026, 5, 1, 9, 0),
                    object_type="User",
                    object_id=str(auditor.id),
                )
            )
        db.session.commit()


def test_object_labels_in_a_bounded_number_of_queries(app, client, make_org, make_user, login_as):
    org, other = make_org(), make_org()
    auditor = make_user(org, functions=["access.audit"])
    counts = []
    for per_type in (1, 10):
        _many(app, org, auditor, other, per_type)
        login_as(auditor)
        with statements(app) as seen:
            response = client.post("/acces/admin-logs", data={"action": ""})
        assert response.status_code == 200
        counts.append(len([s for s in seen if s.lstrip().upper().startswith("SELECT")]))
    assert counts[0] == counts[1], counts  # one query per object type, not per entry
    text = page_text(response)
    assert "Dossier D103 – NOM3 Own" in text and "Profil « Profil 10-7 »" in text
    # another CPAS's dossier is never described, even in our own log
    assert "AUTRE" not in text and "Secret" not in text
    assert re.search(r"Dossier n° \d+", text)


def test_admin_logs_logs_every_niss_it_shows(app, client, make_org, make_user, login_as):
    org = make_org()
    auditor = make_user(org, functions=["access.audit"])
    shown = ["85073003328", "90021512370", "01010112301"]
    with app.app_context():
        holder = _dossier(org, "77", "WOUTERS", "Jan", "73041636537")
        db.session.add(holder)
        db.session.flush()
        for k, niss in enumerate(shown):
            db.session.add(
                _entry(org, auditor, "registry.person_view", datetime(2026, 5, 1, 10, k), niss=niss)
            )
        # an entry about a dossier without NISS of its own: the label names its holder
        db.session.add(
            _entry(
                org,
                auditor,
                "dossiers.archive",
                datetime(2026, 5, 1, 11, 0),
                object_type="Dossier",
                object_id=str(holder.id),
            )
        )
        db.session.commit()
    login_as(auditor)
    mark = last_entry_id(app)
    response = client.post("/acces/admin-logs", data={})
    assert niss_in(page_text(response)) == set(shown)
    entries = entries_since(app, mark)
    assert {e.action for e in entries} == {"access.audit_view"}
    assert {e.niss for e in entries} == {*shown, "73041636537"}  # + the named holder
    assert len(entries) == 4
    # the export logs every NISS of its file
    mark = last_entry_id(app)
    client.post("/acces/admin-logs/export.xlsx", data={})
    exported = entries_since(app, mark)
    assert {e.action for e in exported} == {"access.audit_export"}
    # the first view's own entries are in the file now, with the same NISS
    assert {e.niss for e in exported} == {*shown, "73041636537"}


def test_action_filter_lists_labels(app, client, make_org, make_user, login_as):
    org = make_org()
    auditor = make_user(org, functions=["access.audit"])
    with app.app_context():
        db.session.add(_entry(org, auditor, "centre.save_logo", datetime(2026, 5, 1)))
        db.session.commit()
    login_as(auditor)
    text = page_text(client.get("/acces/admin-logs"))
    assert '<option value="centre.save_logo">Enregistrement du logo</option>' in text
    assert '<option value="securite">Événements de sécurité</option>' in text
