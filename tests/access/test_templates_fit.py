"""Predefined profile templates fit the job: each seed 000 workflow is played through the
real screens by users holding exactly a template's functions, and nobody sees a button of
the other side.

The steps, who takes them and the statuses shown are written here from seed 000 (§3 FAT,
§4 FSE), not from ``cpas/water_fund/lifecycle.py``.
"""

from __future__ import annotations

import io
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from cpas.access.models import Organisation, OrganisationKind, Profile, User
from cpas.access.services import ensure_template_profiles
from cpas.access.templates import templates_for
from cpas.extensions import db
from tests.helpers import page_text
from tests.water_fund.conftest import PDF

# --------------------------------------------------------------------------- seed 000, literally

CREATE = ("cpas", "create", {}, "SOUMISE", "Distributeur")
# « Statut APPROUVEE : ajouter la facture, indiquer si le forfait a été payé, valider »
INVOICE = ("cpas", "invoice", {}, "APPROUVEE", "CPAS")
WORKFLOWS = {
    "fat_paid": (
        "fat",
        [
            CREATE,
            ("distributor", "approve", {"amount": "900,00"}, "APPROUVEE", "CPAS"),
            INVOICE,
            (
                "cpas",
                "validate",
                {"flat_fee_paid": "oui"},
                "EN ATTENTE DE PAIEMENT",
                "Distributeur",
            ),
            ("distributor", "pay", {}, "PAYEE", "/"),
        ],
    ),
    "fat_refused_then_information": (
        "fat",
        [
            CREATE,
            ("distributor", "refuse", {"comment": "Hors champ du FAT"}, "REFUSEE", "/"),
            (
                "cpas",
                "request_info",
                {"comment": "Pourquoi ?"},
                "EN ATTENTE D'INFORMATION",
                "Distributeur",
            ),
            ("distributor", "answer_info", {"comment": "Voir le règlement"}, "REFUSEE", "/"),
        ],
    ),
    "fat_cancelled_by_cpas": (
        "fat",
        [CREATE, ("cpas", "cancel", {"comment": "Doublon"}, "ANNULEE", "/")],
    ),
    "fat_cancelled_by_distributor": (
        "fat",
        [
            CREATE,
            ("distributor", "approve", {"amount": "900,00"}, "APPROUVEE", "CPAS"),
            ("distributor", "cancel", {"comment": "Client parti"}, "ANNULEE", "/"),
        ],
    ),
    "fse_settled": (
        "fse",
        [
            CREATE,
            (
                "distributor",
                "validate",
                {"amount": "300,00"},
                "EN ATTENTE DE PAIEMENT",
                "Distributeur",
            ),
            ("distributor", "pay", {}, "APUREE", "/"),
        ],
    ),
    "fse_refused_then_information": (
        "fse",
        [
            CREATE,
            ("distributor", "refuse", {"comment": "Hors conditions"}, "REFUSEE", "/"),
            (
                "cpas",
                "request_info",
                {"comment": "Lesquelles ?"},
                "EN ATTENTE D'INFORMATION",
                "Distributeur",
            ),
            ("distributor", "answer_info", {"comment": "Revenus"}, "REFUSEE", "/"),
        ],
    ),
    "fse_cancelled_by_cpas": (
        "fse",
        [CREATE, ("cpas", "cancel", {"comment": "Doublon"}, "ANNULEE", "/")],
    ),
    "fse_cancelled_by_distributor": (
        "fse",
        [
            CREATE,
            (
                "distributor",
                "validate",
                {"amount": "300,00"},
                "EN ATTENTE DE PAIEMENT",
                "Distributeur",
            ),
            ("distributor", "cancel", {"comment": "Facture annulée"}, "ANNULEE", "/"),
        ],
    ),
}
# What only the other side does (seed 000): a user must never see these buttons.
OTHER_SIDE_ACTIONS = {
    ("fat", "cpas"): {"approve", "refuse", "answer_info", "pay"},
    ("fat", "distributor"): {"request_info", "validate"},
    ("fse", "cpas"): {"validate", "refuse", "answer_info", "pay"},
    ("fse", "distributor"): {"request_info"},
}
# Codes only a distributor's work uses, and codes only a CPAS's work uses.
DISTRIBUTOR_ONLY = {"water.fat.decide", "water.fat.pay", "water.fse.decide", "water.fse.pay"}
CPAS_ONLY_WATER = {
    "water.fat.create",
    "water.fat.edit",
    "water.fat.request_info",
    "water.fat.validate",
    "water.fse.create",
    "water.fse.edit",
    "water.fse.request_info",
}

CPAS_TEMPLATES = [t.key for t in templates_for("cpas")]


# --------------------------------------------------------------------------- forms as a browser


class _Forms(HTMLParser):
    """The forms of a page: action, and the values a browser would send by default."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}, "files": set()})
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            fields = self.forms[-1]["fields"]
            if kind == "file":
                self.forms[-1]["files"].add(a["name"])
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields[a["name"]] = a.get("value", "on")
            else:
                fields.setdefault(a["name"], a.get("value", ""))
        elif tag in ("select", "textarea") and a.get("name"):
            self.forms[-1]["fields"].setdefault(a["name"], "")
            self._select = a["name"]
        elif tag == "option" and getattr(self, "_select", None):
            fields = self.forms[-1]["fields"]
            if "selected" in a or not fields.get(self._select):
                fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag in ("select", "textarea"):
            self._select = None


def forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def action_forms(html: str) -> dict[str, dict]:
    """Transition forms by action name (``…/action/<name>``)."""
    found = {}
    for form in forms_of(html):
        match = re.search(r"/action/(\w+)$", form["action"])
        if match:
            found[match.group(1)] = form
    return found


def submit(client, form: dict, values: dict, files: dict | None = None):
    data = {**form["fields"], **values}
    for name, (content, filename) in (files or {}).items():
        data[name] = (io.BytesIO(content), filename)
    return client.post(form["action"], data=data, content_type="multipart/form-data")


# --------------------------------------------------------------------------- the world


@pytest.fixture
def seed_world(app, make_org, make_user):
    cpas = make_org(OrganisationKind.CPAS, name="CPAS Seed", ins_code="62063")
    distributor = make_org(OrganisationKind.DISTRIBUTOR, name="Distributeur Seed")
    spge = make_org(OrganisationKind.FUND_MANAGER, name="SPGE Seed")
    users: dict[tuple[str, str], User] = {}
    with app.app_context():
        org = db.session.get(Organisation, cpas.id)
        org.distributors = [db.session.get(Organisation, distributor.id)]
        db.session.commit()
    for org in (cpas, distributor, spge):
        with app.app_context():
            ensure_template_profiles(db.session.get(Organisation, org.id))
            db.session.commit()
        for template in templates_for(org.kind):
            user = make_user(org, email=f"{template.key}@seed.test")
            with app.app_context():
                profile = db.session.scalar(
                    select(Profile).where(
                        Profile.organisation_id == org.id, Profile.name_fr == template.name_fr
                    )
                )
                db.session.get(User, user.id).profiles = [profile]
                db.session.commit()
            users[(org.kind, template.key)] = user
    return {"cpas": cpas, "distributor": distributor, "users": users}


def _create(client, kind: str) -> int:
    page = client.get(f"/fonds-eau/{kind}/nouvelle")
    assert page.status_code == 200, page.status_code
    form = next(f for f in forms_of(page.get_data(as_text=True)) if "last_name" in f["fields"])
    form["action"] = form["action"] or f"/fonds-eau/{kind}/nouvelle"
    values = {
        "last_name": "Peeters",
        "first_name": "Anne",
        "street": "Rue de la Source",
        "house_number": "12",
        "postal_code": "4000",
        "locality": "Liège",
        "client_number": "CLI-77",
        "occupancy": "tenant",
    }
    files = None
    if kind == "fat":
        values.update(
            contact_name="Sophie Lambert",
            contact_phone="081 00 00 00",
            contact_email="sophie.lambert@cpas-demo.be",
            quote_amount="1.250,00",
            requested_amount="1.000,00",
            payee="contractor",
            contractor_name="Plomberie Dubois",
            contractor_iban="BE71 0961 2345 6769",
        )
        files = {"quote": (PDF, "devis.pdf")}
    else:
        values.update(
            requested_amount="350,00", contract_accounts="CA-1", invoice_numbers="F-2026-1"
        )
    response = submit(client, form, values, files)
    assert response.status_code == 302, _messages(response)
    found = re.search(rf"/{kind}/(\d+)", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def _messages(response) -> list[str]:
    """The error messages a page shows (next to fields, alerts, toasts)."""
    return re.findall(r"(?:field-error|alert)[^>]*>([^<]+)<", page_text(response))


def _shown(html: str) -> tuple[str, str]:
    """The status and the « Action suivante » the request's page shows."""
    text = unescape(html)
    status = re.search(r'id="request-status">([^<]+)<', text).group(1).strip()
    nxt = re.search(r"Action suivante : <strong>([^<]+)</strong>", text).group(1).strip()
    return status, nxt


def _do(client, kind: str, request_id: int, action: str, values: dict) -> None:
    """Take one step on the request's page, like a person: the button, then any
    confirmation step the page asks for."""
    detail = f"/fonds-eau/{kind}/{request_id}"
    html = client.get(detail).get_data(as_text=True)
    if action == "invoice":
        form = next(f for f in forms_of(html) if f["action"].endswith("/fichiers"))
        response = submit(client, form, {"file_type": "facture"}, {"file": (PDF, "facture.pdf")})
        assert response.status_code == 200, page_text(response)[:1000]
        return
    forms = action_forms(html)
    assert action in forms, f"no « {action} » button on the page (shown: {sorted(forms)})"
    response = submit(client, forms[action], values)
    for _attempt in range(2):  # a confirmation step without JavaScript: confirm it
        answer = response.get_data(as_text=True)
        again = action_forms(answer).get(action)
        if response.status_code != 200 or not again or "confirmed" not in again["fields"]:
            break
        response = submit(client, again, values)
    assert response.status_code == 200, (action, response.status_code, page_text(response)[:800])


@pytest.mark.parametrize("workflow", sorted(WORKFLOWS))
@pytest.mark.parametrize("cpas_template", CPAS_TEMPLATES)
def test_each_template_plays_the_seed_workflows(
    app, client, login_as, seed_world, workflow, cpas_template
):
    kind, steps = WORKFLOWS[workflow]
    users = seed_world["users"]
    actors = {
        "cpas": users[("cpas", cpas_template)],
        "distributor": users[("distributor", "distributor_agent")],
    }
    fund_manager = users[("fund_manager", "fund_manager_agent")]
    request_id = None
    for side, action, values, status, next_actor in steps:
        login_as(actors[side])
        if action == "create":
            request_id = _create(client, kind)
        else:
            _do(client, kind, request_id, action, values)
        detail = f"/fonds-eau/{kind}/{request_id}"
        # Everyone concerned sees the status the seed names, and only their own buttons.
        for who in ("cpas", "distributor"):
            login_as(actors[who])
            html = client.get(detail).get_data(as_text=True)
            assert _shown(html) == (status, next_actor), (workflow, action, who)
            assert not set(action_forms(html)) & OTHER_SIDE_ACTIONS[(kind, who)], (who, action)
            if who == "distributor":
                assert "/editer" not in html  # editing the request is the CPAS's
        login_as(fund_manager)
        html = client.get(detail).get_data(as_text=True)
        assert _shown(html) == (status, next_actor)
        assert action_forms(html) == {}  # the fund manager reads; neither side's buttons
        assert "/editer" not in html and not any(
            f["action"].endswith("/fichiers") for f in forms_of(html)
        )


@pytest.mark.parametrize("kind", ["fat", "fse"])
def test_lists_offer_each_side_only_its_own_links(app, client, login_as, seed_world, kind):
    users = seed_world["users"]
    login_as(users[("cpas", "social_worker")])
    request_id = _create(client, kind)
    for (org_kind, key), user in users.items():
        login_as(user)
        html = client.get(f"/fonds-eau/{kind}").get_data(as_text=True)
        assert f"/fonds-eau/{kind}/{request_id}" in html, key  # everyone concerned sees it
        # « Créer » and « Éditer » are the CPAS's; the fund manager cancels nothing.
        assert (f"/fonds-eau/{kind}/nouvelle" in html) == (org_kind == "cpas"), key
        assert (f"/fonds-eau/{kind}/{request_id}/editer" in html) == (org_kind == "cpas"), key
        assert (">Annuler</a>" in html) == (org_kind != "fund_manager"), key


def test_templates_tick_nothing_of_the_other_side():
    for template in templates_for("cpas"):
        codes = template.codes()
        assert not codes & DISTRIBUTOR_ONLY, template.key
        assert "water.rights.edit" not in codes, template.key  # the fund manager's work
    for kind in ("distributor", "fund_manager"):
        for template in templates_for(kind):
            codes = template.codes()
            assert not codes & CPAS_ONLY_WATER, template.key
            assert not {c for c in codes if c.startswith(("redi.", "dossiers.", "centre."))}
    (fund_manager,) = templates_for("fund_manager")
    assert not fund_manager.codes() & DISTRIBUTOR_ONLY
    assert "water.rights.edit" in fund_manager.codes()


def test_social_worker_can_add_the_fat_invoice():
    (social_worker,) = [t for t in templates_for("cpas") if t.key == "social_worker"]
    assert {"water.files", "water.fat.validate"} <= social_worker.codes()
