"""« Historique des demandes d'aide » on the dossier page (issue 14, seed 002's screen):
the table, the status filter (htmx fragment or the whole page), « Anciennes demandes »,
the moves, the query count, and who reaches it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from cpas.aid.models import STATUS_LABELS, AidRequest
from cpas.extensions import db
from tests.helpers import page_text

HX = {"HX-Request": "true"}
STATUSES = ["en_cours", "soumise", "decision", "formulaire", "cloturee"]
NOT_QUERIES = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")
ROW = re.compile(r'<tr id="aid-request-(\d+)">(.*?)</tr>', re.S)


def panel(response) -> str:
    """The history panel of a page (or the fragment itself)."""
    html = page_text(response)
    start = html.find('<section class="card" id="aid-history"')
    assert start >= 0, "no history panel"
    return html[start : html.index("</section>", start) + len("</section>")]


def rows(response) -> list[tuple[str, str, str]]:
    """(N° de demande, date d'ouverture, statut) of each row, as drawn."""
    found = []
    for _id, body in ROW.findall(panel(response)):
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
        ]
        found.append((cells[0], cells[1], cells[2]))
    return found


def numbers(response) -> list[str]:
    return [r[0] for r in rows(response)]


def archived(app, request_id: int) -> bool:
    with app.app_context():
        row = db.session.get(AidRequest, request_id)
        assert row is not None
        return row.archived


def version(app, request_id: int) -> str:
    with app.app_context():
        row = db.session.get(AidRequest, request_id)
        assert row is not None
        return str(row.version)


@pytest.fixture
def history_of_marie(aid_world, make_request):
    """Four requests like seed 002's screen: 1 closed, 2 submitted, 3 decided, 4 in progress."""
    social = aid_world.social_a
    d = aid_world.dossier_a
    return [
        make_request(d, social, date(2025, 2, 9), "cloturee"),
        make_request(d, social, date(2025, 4, 11), "soumise"),
        make_request(d, social, date(2025, 6, 20), "decision"),
        make_request(d, social, date(2026, 1, 12)),
    ]


# --------------------------------------------------------------------------- the table


def test_the_dossier_page_shows_the_history_newest_first(
    client, login_as, aid_world, history_of_marie, aid_urls
):
    login_as(aid_world.social_a)
    response = client.get(f"/dossiers/{aid_world.dossier_a.id}")
    assert response.status_code == 200
    assert rows(response) == [
        ("4", "12/01/2026", "Demande en cours"),
        ("3", "20/06/2025", "Décision encodée"),
        ("2", "11/04/2025", "Rapport envoyé au Conseil"),
        ("1", "09/02/2025", "Demande clôturée"),
    ]
    html = panel(response)
    assert "Historique des demandes d'aide" in html
    for header in ("N° de demande", "Date d'ouverture", "Statut", "Type(s) de décision", "Action"):
        assert f"<th>{header}</th>" in html
    # each number links to its request page, each row moves with its version
    for req in history_of_marie:
        assert f'href="{aid_urls.request(aid_world.dossier_a, req)}"' in html
        row = dict(ROW.findall(html))[str(req.id)]
        assert f'action="{aid_urls.archive(aid_world.dossier_a, req)}"' in row
        assert f'name="version" value="{version(client.application, req.id)}"' in row
    assert f'href="{aid_urls.new(aid_world.dossier_a)}"' in html and "Nouvelle Demande" in html
    # a dossier of the same CPAS does not show Marie's requests
    other = client.get(f"/dossiers/{aid_world.dossier_a2.id}")
    assert rows(other) == [] and "Aucune demande d'aide pour ce dossier." in panel(other)


def test_the_panel_is_full_width_under_the_two_columns(client, login_as, aid_world):
    login_as(aid_world.social_a)
    html = page_text(client.get(f"/dossiers/{aid_world.dossier_a.id}"))
    columns_end = html.index("Échéancier")
    assert html.index('id="aid-history"') > html.index("</div>\n</div>", columns_end)


def test_an_empty_history_says_so(client, login_as, aid_world):
    login_as(aid_world.social_a)
    response = client.get(f"/dossiers/{aid_world.dossier_a.id}")
    assert rows(response) == []
    html = panel(response)
    assert "Aucune demande d'aide pour ce dossier." in html
    assert "Déplacer toutes les demandes clôturées" not in html  # nothing closed to move


# --------------------------------------------------------------------------- the filter


@pytest.mark.parametrize("status", STATUSES)
def test_the_filter_fragment_keeps_only_that_status(
    client, login_as, aid_world, history_of_marie, aid_urls, make_request, status
):
    make_request(aid_world.dossier_a, aid_world.social_a, status="formulaire")  # n° 5
    login_as(aid_world.social_a)
    response = client.get(aid_urls.history(aid_world.dossier_a, statut=status), headers=HX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers.get("Vary", "")
    text = page_text(response)
    assert text.lstrip().startswith('<section class="card" id="aid-history"')  # the table only
    assert "<html" not in text and "Page principale du dossier" not in text
    expected = {
        "en_cours": ["4"],
        "soumise": ["2"],
        "decision": ["3"],
        "formulaire": ["5"],
        "cloturee": ["1"],
    }
    assert numbers(response) == expected[status]
    assert {r[2] for r in rows(response)} == {str(STATUS_LABELS[status])}
    assert f'<option value="{status}" selected>' in text


def test_the_filter_without_javascript_draws_the_dossier_page(
    client, login_as, aid_world, history_of_marie, aid_urls
):
    login_as(aid_world.social_a)
    response = client.get(aid_urls.history(aid_world.dossier_a, statut="cloturee"))
    assert response.status_code == 200
    text = page_text(response)
    assert "Page principale du dossier" in text and "Identification" in text
    assert numbers(response) == ["1"]
    # a GET form with its « Filtrer » button, the same URL for htmx (no URL pushed)
    form = re.search(r'<form method="get" action="([^"]+)"[^>]*>', panel(response))
    assert form and form.group(1) == aid_urls.history(aid_world.dossier_a)
    assert 'hx-push-url="false"' in form.group(0) and "Filtrer</button>" in panel(response)
    # « Tous » again
    assert numbers(client.get(aid_urls.history(aid_world.dossier_a, statut=""))) == [
        "4",
        "3",
        "2",
        "1",
    ]


def test_a_status_with_no_request_says_so(client, login_as, aid_world, make_request, aid_urls):
    make_request(aid_world.dossier_a, aid_world.social_a)
    login_as(aid_world.social_a)
    response = client.get(aid_urls.history(aid_world.dossier_a, statut="cloturee"), headers=HX)
    assert rows(response) == [] and "Aucune demande avec ce statut." in panel(response)


@pytest.mark.parametrize("garbage", ["inconnu", "EN_COURS", "%00", "x" * 300, "1"])
def test_an_unknown_status_is_a_422_next_to_the_filter(
    client, login_as, aid_world, history_of_marie, aid_urls, garbage
):
    login_as(aid_world.social_a)
    for headers in (HX, {}):
        response = client.get(
            aid_urls.history(aid_world.dossier_a, statut=garbage), headers=headers
        )
        assert response.status_code == 422
        message = re.search(
            r'<div class="field-error" id="aid-statut-msg">([^<]*)</div>', panel(response)
        )
        assert message and "Ce statut n'existe pas" in message.group(1)
        assert 'aria-invalid="true"' in panel(response)


def test_an_unknown_history_view_is_a_422(client, login_as, aid_world, aid_urls):
    login_as(aid_world.social_a)
    response = client.get(aid_urls.history(aid_world.dossier_a, anciennes="oui"), headers=HX)
    assert response.status_code == 422
    assert "Cette vue de l'historique n'existe pas." in panel(response)


# --------------------------------------------------------------------------- « Anciennes demandes »


def test_old_requests_and_back(client, login_as, aid_world, make_request, aid_urls):
    d = aid_world.dossier_a
    make_request(d, aid_world.social_a, date(2025, 1, 5), "cloturee", archived=True)  # n° 1
    make_request(d, aid_world.social_a, date(2025, 3, 5), "en_cours", archived=True)  # n° 2
    make_request(d, aid_world.social_a, date(2025, 9, 5))  # n° 3
    login_as(aid_world.social_a)
    page = client.get(f"/dossiers/{d.id}")
    assert numbers(page) == ["3"]
    old_url = aid_urls.history(d, anciennes=1)
    assert f'href="{old_url}"' in panel(page) and "Anciennes demandes</a>" in panel(page)

    old = client.get(old_url, headers=HX)
    assert old.status_code == 200
    assert numbers(old) == ["2", "1"]
    html = panel(old)
    assert "<h2>Anciennes demandes</h2>" in html
    assert html.count("Replacer dans l'historique") == 2 and "Déplacer vers" not in html
    with client.application.app_context():
        old_ids = db.session.scalars(
            select(AidRequest.id).where(AidRequest.archived.is_(True))
        ).all()
    for request_id in old_ids:
        row = dict(ROW.findall(html))[str(request_id)]
        assert f'action="{aid_urls.unarchive(d, request_id)}"' in row
    assert f'href="{aid_urls.history(d)}"' in html and "Retour à l'historique" in html
    assert "Nouvelle Demande" not in html
    # the filter works among the old ones too (it keeps « anciennes »)
    assert '<input type="hidden" name="anciennes" value="1">' in html
    assert numbers(client.get(aid_urls.history(d, anciennes=1, statut="cloturee"), headers=HX)) == [
        "1"
    ]
    back = client.get(aid_urls.history(d), headers=HX)
    assert numbers(back) == ["3"]


# --------------------------------------------------------------------------- the moves


def test_move_one_request_to_the_old_ones_and_back(
    app, client, login_as, aid_world, history_of_marie, aid_urls
):
    d = aid_world.dossier_a
    second = history_of_marie[1]
    login_as(aid_world.social_a)
    response = client.post(aid_urls.archive(d, second), data={"version": version(app, second.id)})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/dossiers/{d.id}"
    )
    assert archived(app, second.id)
    page = client.get(f"/dossiers/{d.id}")
    assert numbers(page) == ["4", "3", "1"]
    assert "Demande n° 2 déplacée vers « Anciennes demandes »." in page_text(page)
    assert numbers(client.get(aid_urls.history(d, anciennes=1), headers=HX)) == ["2"]

    # htmx: the old ones redrawn in place, without it
    response = client.post(
        aid_urls.unarchive(d, second), data={"version": version(app, second.id)}, headers=HX
    )
    assert response.status_code == 200
    assert not archived(app, second.id)
    assert numbers(response) == [] and "<h2>Anciennes demandes</h2>" in panel(response)
    assert "Demande n° 2 replacée dans l'historique." in page_text(response)  # the toast
    assert numbers(client.get(f"/dossiers/{d.id}")) == ["4", "3", "2", "1"]


def test_a_stale_row_moves_nothing(app, client, login_as, aid_world, history_of_marie, aid_urls):
    d = aid_world.dossier_a
    first = history_of_marie[0]
    stale = version(app, first.id)
    login_as(aid_world.social_a)
    other = app.test_client()
    login_as(aid_world.director_a, on=other)
    assert other.post(aid_urls.archive(d, first), data={"version": stale}).status_code == 302
    assert (
        other.post(
            aid_urls.unarchive(d, first), data={"version": version(app, first.id)}
        ).status_code
        == 302
    )
    now = version(app, first.id)
    response = client.post(aid_urls.archive(d, first), data={"version": stale}, headers=HX)
    assert response.status_code == 409
    assert not archived(app, first.id) and version(app, first.id) == now
    assert "Rien n'a été changé" in panel(response) and numbers(response) == ["4", "3", "2", "1"]


@pytest.mark.parametrize("garbage", ["", "abc", "-1", "99999999999999999999", "²"])
def test_a_move_without_a_valid_version_is_refused(
    app, client, login_as, aid_world, history_of_marie, aid_urls, garbage
):
    first = history_of_marie[0]
    before = version(app, first.id)
    login_as(aid_world.social_a)
    response = client.post(aid_urls.archive(aid_world.dossier_a, first), data={"version": garbage})
    assert response.status_code == 400
    assert not archived(app, first.id) and version(app, first.id) == before


def test_move_all_closed_requests(
    app, client, login_as, aid_world, history_of_marie, make_request, aid_urls
):
    d = aid_world.dossier_a
    extra_closed = make_request(d, aid_world.social_a, date(2025, 8, 1), "cloturee")  # n° 5
    other_dossier = make_request(aid_world.dossier_a2, aid_world.social_a, status="cloturee")
    login_as(aid_world.social_a)
    html = panel(client.get(f"/dossiers/{d.id}"))
    button = re.search(r'<form method="post" action="([^"]+)"[^>]*data-confirm="([^"]+)"', html)
    assert button and button.group(1) == aid_urls.archive_closed(d)
    assert "2 demande(s) clôturée(s)" in button.group(2)

    response = client.post(aid_urls.archive_closed(d))
    assert response.status_code == 302
    with app.app_context():
        moved = set(
            db.session.scalars(
                select(AidRequest.number).where(
                    AidRequest.dossier_id == d.id, AidRequest.archived.is_(True)
                )
            )
        )
    assert moved == {1, 5}
    assert not archived(app, other_dossier.id)  # another dossier's closed request stays
    page = client.get(f"/dossiers/{d.id}")
    assert numbers(page) == ["4", "3", "2"]
    assert "2 demande(s) clôturée(s) déplacée(s) vers « Anciennes demandes »." in page_text(page)
    assert "Déplacer toutes les demandes clôturées" not in panel(page)  # none left
    assert numbers(client.get(aid_urls.history(d, anciennes=1), headers=HX)) == ["5", "1"]
    assert extra_closed.number == 5

    again = client.post(aid_urls.archive_closed(d), headers=HX)
    assert again.status_code == 200 and numbers(again) == ["4", "3", "2"]
    assert "Aucune demande clôturée à déplacer." in page_text(again)


# --------------------------------------------------------------------------- speed


def _statements(app, client, path: str) -> tuple[int, int]:
    client.get(path)  # warm-up
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        if not statement.lstrip().upper().startswith(NOT_QUERIES):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen), response.status_code


def test_the_dossier_page_runs_at_most_15_queries_whatever_the_requests(
    app, client, login_as, aid_world, make_request
):
    d = aid_world.dossier_a
    make_request(d, aid_world.social_a, status="cloturee")
    login_as(aid_world.social_a)
    one, status = _statements(app, client, f"/dossiers/{d.id}")
    assert status == 200 and one <= 15, one
    start = date.today() - timedelta(days=60)
    for i in range(39):
        make_request(d, aid_world.social_a, start + timedelta(days=i), STATUSES[i % len(STATUSES)])
    forty, status = _statements(app, client, f"/dossiers/{d.id}")
    assert status == 200 and forty <= 15, forty
    assert forty == one, (one, forty)
    assert len(rows(client.get(f"/dossiers/{d.id}"))) == 40
    fragment, status = _statements(app, client, f"/dossiers/{d.id}/demandes?statut=cloturee")
    assert status == 200 and fragment <= 15


# --------------------------------------------------------------------------- who


def test_another_cpas_dossier_is_a_404_on_every_route(
    app, client, login_as, aid_world, make_request, aid_urls
):
    theirs = make_request(aid_world.dossier_b, aid_world.social_b, status="cloturee")
    before = version(app, theirs.id)
    login_as(aid_world.director_a)
    d = aid_world.dossier_b
    for url in (aid_urls.history(d), aid_urls.history(d, anciennes=1), aid_urls.new(d)):
        assert client.get(url).status_code == 404, url
        assert client.get(url, headers=HX).status_code == 404, url
    for url in (
        aid_urls.new(d),
        aid_urls.archive(d, theirs),
        aid_urls.unarchive(d, theirs),
        aid_urls.archive_closed(d),
    ):
        assert client.post(url, data={"version": before, "nature": "x"}).status_code == 404, url
    # their request through one of our dossiers: 404 too
    mine = aid_world.dossier_a
    assert client.post(aid_urls.archive(mine, theirs), data={"version": before}).status_code == 404
    assert not archived(app, theirs.id) and version(app, theirs.id) == before
    with app.app_context():
        assert (
            db.session.scalar(
                select(AidRequest.id).where(AidRequest.dossier_id == d.id, AidRequest.number == 2)
            )
            is None
        )


def test_a_request_of_another_dossier_of_the_same_cpas_is_a_404(
    app, client, login_as, aid_world, make_request, aid_urls
):
    req = make_request(aid_world.dossier_a2, aid_world.social_a)
    login_as(aid_world.social_a)
    response = client.post(
        aid_urls.archive(aid_world.dossier_a, req), data={"version": version(app, req.id)}
    )
    assert response.status_code == 404 and not archived(app, req.id)


def test_a_user_without_aid_list_sees_no_panel_and_gets_403(
    app, client, login_as, aid_world, history_of_marie, aid_urls
):
    login_as(aid_world.viewer_a)
    d = aid_world.dossier_a
    page = client.get(f"/dossiers/{d.id}")
    assert page.status_code == 200
    assert 'id="aid-history"' not in page_text(
        page
    ) and "Historique des demandes d'aide" not in page_text(page)
    assert client.get(aid_urls.history(d)).status_code == 403
    assert client.get(aid_urls.history(d), headers=HX).status_code == 403
    assert client.get(aid_urls.new(d)).status_code == 403
    first = history_of_marie[0]
    for url in (
        aid_urls.archive(d, first),
        aid_urls.unarchive(d, first),
        aid_urls.archive_closed(d),
    ):
        assert client.post(url, data={"version": version(app, first.id)}).status_code == 403
    assert not archived(app, first.id)


def test_a_user_who_may_only_list_sees_no_move_nor_new(
    client, login_as, make_user, aid_world, history_of_marie
):
    reader = make_user(aid_world.cpas_a, ("dossiers.view", "dossiers.search", "aid.list"))
    login_as(reader)
    html = panel(client.get(f"/dossiers/{aid_world.dossier_a.id}"))
    assert numbers(client.get(f"/dossiers/{aid_world.dossier_a.id}")) == ["4", "3", "2", "1"]
    assert "Déplacer" not in html and "Nouvelle Demande" not in html
    assert "Anciennes demandes</a>" in html
