"""Two people edit the centre's fiche or a social worker at once: the second save gets its
form back with its values, the saved ones beside them, and can save again."""

from __future__ import annotations

import pytest

from cpas.access.models import OrganisationKind
from cpas.centre.models import CentreProfile, SocialWorker
from cpas.extensions import db
from tests.helpers import (
    GARBAGE_VERSIONS,
    page_text,
    posted_version,
    saved_hints,
    second_client,
)

FICHE = {
    "name": "CPAS de Test",
    "ins_code": "62063",
    "email": "accueil@cpas-test.be",
    "street": "Rue de la Loi",
    "house_number": "16",
    "box": "",
    "postal_code": "4000",
    "locality": "Liège",
}


@pytest.fixture
def people(app, client, login_as, make_org, make_user):
    org = make_org(OrganisationKind.CPAS, name="CPAS de Test")
    first = make_user(org, all_access=True)
    second = make_user(org, all_access=True, first_name="Marie", last_name="Dupont")
    login_as(first)
    return org, first, second


def _fiche_of(app, org_id):
    with app.app_context():
        return db.session.query(CentreProfile).filter_by(organisation_id=org_id).one()


def test_fiche_second_writer_keeps_typed_values_and_merges(app, client, login_as, people):
    org, first, second = people
    b = second_client(app, login_as, second)
    version_a = posted_version(page_text(client.get("/centre/fiche")))
    version_b = posted_version(page_text(b.get("/centre/fiche")))
    assert version_a == version_b == "0"  # no fiche saved yet

    saved = client.post("/centre/fiche", data={**FICHE, "street": "Rue A", "version": version_a})
    assert saved.status_code == 302
    late = b.post(
        "/centre/fiche", data={**FICHE, "street": "Rue B", "locality": "Huy", "version": version_b}
    )
    html = page_text(late)
    assert late.status_code == 409
    assert f"La fiche signalétique a été modifiée par {first.first_name} {first.last_name}" in html
    assert 'value="Rue B"' in html and 'value="Huy"' in html
    assert saved_hints(html) == {"street": "Rue A", "locality": "Liège"}
    fiche = _fiche_of(app, org.id)
    assert fiche.street == "Rue A" and fiche.locality == "Liège"
    assert posted_version(html) == str(fiche.version)

    merged = b.post(
        "/centre/fiche",
        data={**FICHE, "street": "Rue B", "locality": "Huy", "version": str(fiche.version)},
    )
    assert merged.status_code == 302
    fiche = _fiche_of(app, org.id)
    assert (fiche.street, fiche.locality, fiche.updated_by_id) == ("Rue B", "Huy", second.id)


@pytest.mark.parametrize("garbage", [*GARBAGE_VERSIONS, None, "7"])
def test_fiche_refuses_a_garbage_version(app, client, people, garbage):
    org, _first, _second = people
    data = {**FICHE, "street": "Rue Pirate"}
    if garbage is not None:
        data["version"] = garbage
    response = client.post("/centre/fiche", data=data)
    assert response.status_code in (400, 409, 422)  # « 7 »: a fiche that does not exist
    with app.app_context():
        assert db.session.query(CentreProfile).filter_by(organisation_id=org.id).first() is None


@pytest.fixture
def worker_id(app, people):
    org, _first, _second = people
    with app.app_context():
        worker = SocialWorker(organisation_id=org.id, last_name="Martin", first_name="Paul")
        db.session.add(worker)
        db.session.commit()
        return worker.id


def _worker(last_name, office, version):
    return {"last_name": last_name, "first_name": "Paul", "office": office, "version": version}


def test_worker_second_writer_keeps_typed_values_and_merges(
    app, client, login_as, people, worker_id
):
    _org, first, second = people
    url = f"/centre/assistants/{worker_id}"
    b = second_client(app, login_as, second)
    version_a = posted_version(page_text(client.get(url)))
    version_b = posted_version(page_text(b.get(url)))

    assert client.post(url, data=_worker("Martin", "Bureau 1", version_a)).status_code == 302
    late = b.post(url, data=_worker("Martens", "Bureau 2", version_b))
    html = page_text(late)
    assert late.status_code == 409
    assert f"Cet assistant social a été modifié par {first.first_name} {first.last_name}" in html
    assert 'value="Martens"' in html and 'value="Bureau 2"' in html
    assert saved_hints(html) == {"last_name": "Martin", "office": "Bureau 1"}
    with app.app_context():
        worker = db.session.get(SocialWorker, worker_id)
        assert worker.office == "Bureau 1"
        current = str(worker.version)
    assert posted_version(html) == current
    assert b.post(url, data=_worker("Martens", "Bureau 2", current)).status_code == 302
    with app.app_context():
        worker = db.session.get(SocialWorker, worker_id)
        assert (worker.last_name, worker.office) == ("Martens", "Bureau 2")


@pytest.mark.parametrize("garbage", [*GARBAGE_VERSIONS, None])
def test_worker_refuses_a_garbage_version(app, client, people, worker_id, garbage):
    data = _worker("Pirate", "X", garbage)
    if garbage is None:
        del data["version"]
    response = client.post(f"/centre/assistants/{worker_id}", data=data)
    assert response.status_code in (400, 422)
    assert "pas de version valide" in page_text(response)
    with app.app_context():
        assert db.session.get(SocialWorker, worker_id).last_name == "Martin"
