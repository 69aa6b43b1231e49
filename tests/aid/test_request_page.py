"""« Demande courante » (issue 14, seed 002's request screen): the header and the facts, the
left menu per status and per user, the warnings of seed 001 §6, the BCSS refusal and its
retry, the events, the query budget, the consultation log and the page in Dutch."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from cpas.aid.models import AidRequest, AidRequestEvent
from cpas.dossiers.models import Dossier
from cpas.extensions import db
from cpas.registry.interfaces import IntegrationResult
from cpas.registry.local_bcss import LocalBcss
from tests.audit_helpers import entries_since, last_entry_id, statements
from tests.helpers import page_text


def plain(response) -> str:
    """The page's text without tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())


def menu(response) -> str:
    found = re.search(r'<nav class="card aid-menu"[^>]*>(.*?)</nav>', page_text(response), re.S)
    assert found, "no request menu"
    return found.group(1)


def menu_actions(response) -> list[str]:
    """« Autres actions » as drawn: the step forms' ids and the « Modifier » link."""
    html = menu(response)
    actions = re.findall(r'id="menu-([a-z_]+)"', html)
    if "/modifier" in html:
        actions.insert(0, "modify")
    return actions


def events_table(response) -> list[list[str]]:
    found = re.search(
        r'<section class="card" id="aid-events".*?<tbody>(.*?)</tbody>', page_text(response), re.S
    )
    assert found, "no events table"
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    ]


# ------------------------------------------------------------------ header and facts


def test_the_header_and_the_facts_of_the_request(
    client, login_as, aid_world, make_request, aid_urls
):
    req = make_request(
        aid_world.dossier_a,
        aid_world.social_a,
        date(2026, 1, 15),
        effective_date=date(2026, 2, 1),
        nature="Mazout\nChauffage <b>urgent</b>",
    )
    login_as(aid_world.social_a)
    response = client.get(aid_urls.request(aid_world.dossier_a, req))
    assert response.status_code == 200
    html = page_text(response)
    text = plain(response)
    niss = aid_world.dossier_a.niss
    shown = f"{niss[0:2]}.{niss[2:4]}.{niss[4:6]}-{niss[6:9]}.{niss[9:11]}"
    for expected in (
        f"NISS {shown}",
        "Nom DUPONT",
        "Prénom(s) Marie",
        "Demande d'aide 1",
        "Date de la demande initiale 15/01/2026",
        "Date d'entrée en vigueur proposée 01/02/2026",
        "Type de la demande Demande",
        "Statut de la demande Demande en cours",
    ):
        assert expected in text, expected
    assert re.search(r"Numéro de dossier CPAS</dt><dd>\S+</dd>", html)
    # the nature keeps its line break and is escaped
    raw = response.get_data(as_text=True)
    assert '<dd class="prewrap">Mazout\nChauffage &lt;b&gt;urgent&lt;/b&gt;</dd>' in raw
    assert "<b>urgent</b>" not in raw
    crumbs = re.findall(
        r"<li>(?:<a [^>]*>|<span [^>]*>)([^<]+)<",
        html.split('class="breadcrumb')[1].split("</nav>")[0],
    )
    assert crumbs == ["Accueil", "Dossiers", "DUPONT Marie", "Demande d'aide 1"]


def test_a_duplicated_request_links_to_its_original(
    client, login_as, aid_world, make_request, aid_urls
):
    source = make_request(aid_world.dossier_a, aid_world.social_a)
    login_as(aid_world.social_a)
    response = client.post(
        aid_urls.request(aid_world.dossier_a, source, "etape/dupliquer"),
        data={"version": source.version, "confirmed": "1"},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "Demande d'aide 2" in plain(page)
    link = re.search(r'<a href="([^"]+)" id="origin-link">([^<]+)</a>', page_text(page))
    assert link and link.group(1) == aid_urls.request(aid_world.dossier_a, source)
    assert link.group(2) == "Demande d'aide 1"
    assert 'id="origin-link"' not in page_text(
        client.get(aid_urls.request(aid_world.dossier_a, source))
    )


# ------------------------------------------------------------------ the menu


#: « Autres actions » per status, literally (seed 001 §15–17, issue 14 §10: a social worker
#: may do all but close; the director all). The request has no proposal yet.
MENU = {
    ("en_cours", "social"): ["modify", "duplicate"],
    ("en_cours", "director"): ["modify", "duplicate"],
    ("soumise", "social"): ["complete", "duplicate"],
    ("soumise", "director"): ["complete", "duplicate"],
    ("decision", "social"): ["duplicate"],
    ("decision", "director"): ["duplicate", "close"],
    ("formulaire", "social"): ["duplicate"],
    ("formulaire", "director"): ["duplicate", "close"],
    ("cloturee", "social"): ["revise"],
    ("cloturee", "director"): ["revise"],
}


@pytest.mark.parametrize(("status", "who"), sorted(MENU))
def test_the_menu_draws_only_the_steps_allowed_now(
    client, login_as, aid_world, make_request, aid_urls, status, who
):
    req = make_request(aid_world.dossier_a, aid_world.social_a, status=status)
    user = aid_world.social_a if who == "social" else aid_world.director_a
    login_as(user)
    response = client.get(aid_urls.request(aid_world.dossier_a, req))
    assert response.status_code == 200
    assert menu_actions(response) == MENU[(status, who)]
    labels = plain(response)
    if "close" not in MENU[(status, who)]:
        assert "Clôturer la demande" not in labels


def test_the_menu_groups_and_its_current_entry(client, login_as, aid_world, make_request, aid_urls):
    req = make_request(aid_world.dossier_a, aid_world.social_a)
    login_as(aid_world.social_a)
    response = client.get(aid_urls.request(aid_world.dossier_a, req, "rapport"))
    html = menu(response)
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert (
        text.index("Demande d'aide") < text.index("Enquête sociale") < text.index("Autres actions")
    )
    for label in (
        "Demande",
        "Rapport",
        "Proposition",
        "Décisions",
        "Composition de ménage",
        "Intégrations - Désintégrations",
    ):
        assert label in text
    assert "avec le module du Conseil" in text
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', html)
    assert current == [aid_urls.request(aid_world.dossier_a, req, "rapport")]


def test_submit_appears_once_a_proposal_is_saved(
    client, login_as, aid_world, make_request, aid_urls
):
    req = make_request(aid_world.dossier_a, aid_world.social_a)
    login_as(aid_world.social_a)
    url = aid_urls.request(aid_world.dossier_a, req)
    assert "submit" not in menu_actions(client.get(url))
    response = client.post(
        aid_urls.request(aid_world.dossier_a, req, "proposition"),
        data={"version": req.version, "proposal": "Aide de 300 EUR.", "meeting_date": "20/12/2026"},
    )
    assert response.status_code == 302
    assert menu_actions(client.get(url)) == ["modify", "submit", "duplicate"]


# ------------------------------------------------------------------ warnings


def test_the_warning_when_the_effective_date_precedes_the_request_date(
    client, login_as, aid_world, make_request, aid_urls
):
    early = make_request(
        aid_world.dossier_a, aid_world.social_a, date(2026, 3, 10), effective_date=date(2026, 3, 1)
    )
    same = make_request(aid_world.dossier_a2, aid_world.social_a, date(2026, 3, 10))
    login_as(aid_world.social_a)
    response = client.get(aid_urls.request(aid_world.dossier_a, early))
    warning = re.search(r'<p [^>]*id="warning-dates">(.*?)</p>', page_text(response), re.S)
    assert warning
    assert (
        "La date d'entrée en vigueur est antérieure à la date de la demande : complétez immédiatement les dates d'intégration de la personne"
        in warning.group(1)
    )
    assert f'href="/dossiers/{aid_world.dossier_a.id}/integrations"' in warning.group(1)
    assert 'id="warning-dates"' not in page_text(
        client.get(aid_urls.request(aid_world.dossier_a2, same))
    )


def test_the_reminder_of_the_secondary_beneficiaries_while_in_progress(
    client, login_as, aid_world, make_request, aid_urls
):
    open_ = make_request(aid_world.dossier_a, aid_world.social_a)
    submitted = make_request(aid_world.dossier_a2, aid_world.social_a, status="soumise")
    login_as(aid_world.social_a)
    response = client.get(aid_urls.request(aid_world.dossier_a, open_))
    reminder = re.search(r'<p [^>]*id="reminder-secondary">(.*?)</p>', page_text(response), re.S)
    assert reminder and "bénéficiaires secondaires" in reminder.group(1)
    assert f'href="/dossiers/{aid_world.dossier_a.id}/integrations"' in reminder.group(1)
    other = client.get(aid_urls.request(aid_world.dossier_a2, submitted))
    assert 'id="reminder-secondary"' not in page_text(other)
    assert "Demande soumise au Conseil le " in plain(other)
    assert "la demande et l'enquête sociale sont figées" in plain(other)
    assert 'id="frozen-notice"' not in page_text(response)


# ------------------------------------------------------------------ BCSS refusal and retry


def test_a_refused_integration_is_red_with_a_retry_that_clears_it(
    client, login_as, aid_world, make_request, aid_urls, monkeypatch
):
    original = LocalBcss.integrate

    def refuse(self, organisation_id, niss, code, period, by_id):
        return IntegrationResult(niss, False, "Service BCSS indisponible (test)")

    monkeypatch.setattr(LocalBcss, "integrate", refuse)
    req = make_request(aid_world.dossier_a, aid_world.social_a)
    login_as(aid_world.social_a)
    url = aid_urls.request(aid_world.dossier_a, req)
    response = client.get(url)
    block = re.search(
        r'<div class="card result-error" role="alert" id="integration-refused">(.*?)</div>',
        page_text(response),
        re.S,
    )
    assert block
    text = " ".join(re.sub(r"<[^>]+>", " ", block.group(1)).split())
    assert (
        "L'intégration « en enquête » à la BCSS a été refusée : Service BCSS indisponible (test)"
        in text
    )
    assert f'action="{url}/integration"' in block.group(1)
    assert "Réessayer l'intégration" in text

    # still refused: the red message stays (with the BCSS's answer)
    version = int(
        re.search(
            r'id="integration-refused">.*?name="version" value="(\d+)"', page_text(response), re.S
        ).group(1)
    )
    again = client.post(f"{url}/integration", data={"version": version})
    assert again.status_code == 302
    page = client.get(url)
    assert 'id="integration-refused"' in page_text(page)
    assert "La BCSS a de nouveau refusé" in plain(page)

    monkeypatch.setattr(LocalBcss, "integrate", original)
    version = int(
        re.search(
            r'id="integration-refused">.*?name="version" value="(\d+)"', page_text(page), re.S
        ).group(1)
    )
    mark = last_entry_id(client.application)
    done = client.post(f"{url}/integration", data={"version": version})
    assert done.status_code == 302
    page = client.get(url)
    assert 'id="integration-refused"' not in page_text(page)
    assert "Le bénéficiaire est intégré « en enquête » à la BCSS." in plain(page)
    retried = entries_since(client.application, mark, "aid.retry_integration")
    assert len(retried) == 1 and retried[0].user_id == aid_world.social_a.id
    with client.application.app_context():
        assert db.session.get(AidRequest, req.id).integration_ok is True


def test_a_retry_from_a_stale_page_is_a_conflict(
    client, login_as, aid_world, make_request, aid_urls, monkeypatch
):
    monkeypatch.setattr(
        LocalBcss,
        "integrate",
        lambda self, o, niss, c, p, b: IntegrationResult(niss, False, "Indisponible"),
    )
    req = make_request(aid_world.dossier_a, aid_world.social_a)
    login_as(aid_world.social_a)
    response = client.post(
        aid_urls.request(aid_world.dossier_a, req, "integration"), data={"version": 1}
    )
    assert response.status_code == 409
    assert "notice-conflict" in page_text(response)


# ------------------------------------------------------------------ events


def test_the_events_in_order_with_their_labels_and_authors(
    client, login_as, aid_world, make_request, aid_urls
):
    req = make_request(
        aid_world.dossier_a, aid_world.social_a, status="decision", report="Rapport."
    )
    with client.application.app_context():
        # an older line (events are append-only: added, never changed)
        db.session.add(
            AidRequestEvent(
                request_id=req.id,
                kind="modify",
                user_id=aid_world.director_a.id,
                at=datetime(2026, 7, 1, 10, 5),  # UTC: 12:05 in Brussels (summer time)
            )
        )
        db.session.commit()
    login_as(aid_world.social_a)
    rows = events_table(client.get(aid_urls.request(aid_world.dossier_a, req)))
    social = f"Prénom {aid_world.social_a.last_name}"
    director = f"Prénom {aid_world.director_a.last_name}"
    assert [row[1:] for row in rows] == [
        ["Enrichissement de la demande", director],
        ["Création de la demande", social],
        ["Rapport enregistré", social],
        ["Proposition enregistrée", social],
        ["Soumission au Conseil", social],
        ["Décision encodée", director],
    ]
    assert rows[0][0] == "01/07/2026 12:05"
    assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", row[0]) for row in rows)


def test_the_page_stays_within_twelve_queries_with_thirty_events(
    client, login_as, aid_world, make_request, aid_urls, make_user
):
    req = make_request(aid_world.dossier_a, aid_world.social_a)
    # 29 more events, each by another colleague: the authors are loaded at once, not per line
    authors = [make_user(aid_world.cpas_a, last_name=f"Collègue{n}") for n in range(29)]
    with client.application.app_context():
        start = datetime(2026, 1, 1, 8, 0)
        for n, author in enumerate(authors):
            db.session.add(
                AidRequestEvent(
                    request_id=req.id,
                    kind="modify",
                    user_id=author.id,
                    at=start + timedelta(minutes=n),
                )
            )
        db.session.commit()
    login_as(aid_world.social_a)
    url = aid_urls.request(aid_world.dossier_a, req)
    client.get(url)  # warm the session (language, recent dossiers)
    with statements(client.application) as seen:
        response = client.get(url)
    assert response.status_code == 200
    assert len(events_table(response)) == 30
    reads = [s for s in seen if not s.lstrip().upper().startswith(("INSERT INTO AUDIT_ENTRY",))]
    assert len(reads) <= 12, "\n".join(reads)
    assert "Prénom Collègue28" in plain(response)


def test_the_page_is_a_consultation_logged_with_the_niss(
    client, login_as, aid_world, make_request, aid_urls
):
    req = make_request(aid_world.dossier_a, aid_world.social_a)
    login_as(aid_world.social_a)
    mark = last_entry_id(client.application)
    assert client.get(aid_urls.request(aid_world.dossier_a, req)).status_code == 200
    views = entries_since(client.application, mark, "aid.view")
    assert len(views) == 1
    assert views[0].niss == aid_world.dossier_a.niss
    assert views[0].object_id == str(req.id) and views[0].object_type == "AidRequest"
    assert views[0].user_id == aid_world.social_a.id


def test_another_cpas_request_is_not_found(client, login_as, aid_world, make_request, aid_urls):
    req_b = make_request(aid_world.dossier_b, aid_world.social_b)
    login_as(aid_world.social_a)
    for tail in ("", "rapport", "proposition", "modifier"):
        assert client.get(aid_urls.request(aid_world.dossier_b, req_b, tail)).status_code == 404
    # a request of CPAS B under a dossier of CPAS A: not found either
    assert client.get(aid_urls.request(aid_world.dossier_a, req_b)).status_code == 404


# ------------------------------------------------------------------ Dutch


def in_language(client, locale: str) -> None:
    response = client.post("/langue", data={"locale": locale, "next": "/"})
    assert response.status_code == 302


FRENCH_LABELS = (
    "Demande d'aide",
    "Date de la demande initiale",
    "Statut de la demande",
    "Evénement(s) sur la demande",
    "Autres actions",
    "Enquête sociale",
    "Décisions",
    "avec le module du Conseil",
    "Numéro de dossier CPAS",
    "Prénom(s)",
    "bénéficiaires secondaires",
    "complétez immédiatement",
    "Rapport",
    "Proposition",
    "Dupliquer",
    "Demande en cours",
    "Création de la demande",
)


def test_the_request_page_in_dutch(client, login_as, aid_world, make_request, aid_urls):
    req = make_request(
        aid_world.dossier_a, aid_world.social_a, date(2026, 3, 10), effective_date=date(2026, 3, 1)
    )
    login_as(aid_world.social_a)
    in_language(client, "nl")
    response = client.get(aid_urls.request(aid_world.dossier_a, req))
    text = plain(response)
    for french in FRENCH_LABELS:
        assert french not in text, french
    for dutch in (
        "Hulpaanvraag 1",
        "Datum van de oorspronkelijke aanvraag 10/03/2026",
        "Status van de aanvraag Aanvraag in behandeling",
        "Gebeurtenis(sen) van de aanvraag",
        "Andere acties",
        "Sociaal onderzoek",
        "OCMW-dossiernummer",
        "secundaire begunstigden",
    ):
        assert dutch in text, dutch
    for tail in ("rapport", "proposition", "modifier"):
        page = plain(client.get(aid_urls.request(aid_world.dossier_a, req, tail)))
        for french in (
            "Enregistrer",
            "Demande d'aide",
            "Date prévue de réunion",
            "ne peut jamais être modifiée",
        ):
            assert french not in page, (tail, french)


def test_the_print_entry_only_for_those_who_print(
    client, login_as, aid_world, make_request, aid_urls, make_user
):
    req = make_request(aid_world.dossier_a, aid_world.social_a)
    reader = make_user(aid_world.cpas_a, ("dossiers.view", "dossiers.search", "aid.list"))
    url = aid_urls.request(aid_world.dossier_a, req)
    login_as(aid_world.social_a)
    html = menu(client.get(url))
    assert f'<a href="{url}/impression">Impression</a>' in html
    login_as(reader)
    response = client.get(url)
    assert response.status_code == 200
    assert "/impression" not in menu(response) and "Impression" not in menu(response)
    # a reader sees the page, not the steps nor the forms of the editors
    assert menu_actions(response) == []
    assert "<textarea" not in page_text(client.get(f"{url}/rapport"))


def test_a_conflict_page_that_shows_the_niss_is_a_logged_consultation(
    client, login_as, aid_world, make_request, aid_urls, monkeypatch
):
    """A 409 draws the request page again with the NISS: the view is logged like a 422's
    (``audit.flush_pending`` dropped the views of every 4xx but 422)."""
    monkeypatch.setattr(
        LocalBcss,
        "integrate",
        lambda self, o, niss, c, p, b: IntegrationResult(niss, False, "Indisponible"),
    )
    req = make_request(aid_world.dossier_a, aid_world.social_a)
    login_as(aid_world.social_a)
    mark = last_entry_id(client.application)
    response = client.post(
        aid_urls.request(aid_world.dossier_a, req, "integration"), data={"version": 1}
    )
    assert response.status_code == 409
    with client.application.app_context():
        niss = db.session.get(Dossier, aid_world.dossier_a.id).niss
    views = entries_since(client.application, mark, "aid.view")
    assert [v.niss for v in views] == [niss]
