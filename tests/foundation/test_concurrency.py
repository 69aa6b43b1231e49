"""The shared optimistic-locking mechanism (cpas/concurrency.py): version parsing, the
conflict message, and the race between the check and the commit."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import text
from werkzeug.datastructures import MultiDict

from cpas import concurrency
from cpas.access.models import OrganisationKind, User
from cpas.centre.models import SocialWorker
from cpas.extensions import db
from cpas.formfields import BaseForm


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("1", 1),
        (" 42 ", 42),
        ("0", 0),
        ("2147483647", 2147483647),
        ("", None),
        ("abc", None),
        ("-1", None),
        ("99999999999999999999", None),
        ("2147483648", None),
        ("²", None),  # isdigit() says yes, int() says no
        ("١٢", None),  # Arabic-Indic digits: int() would accept them
        ("1.5", None),
        ("1e3", None),
        ("9" * 5000, None),
        (None, None),
    ],
)
def test_parse_version_takes_plain_ascii_numbers_only(raw, expected):
    assert concurrency.parse_version(raw) == expected


class _Form(BaseForm):
    class Meta:
        csrf = False

    version = concurrency.VersionField()


@pytest.mark.parametrize("posted", [{}, {"version": ""}, {"version": "abc"}, {"version": "-3"}])
def test_version_field_is_mandatory(app, posted):
    with app.test_request_context(method="POST"):
        form = _Form(formdata=MultiDict(posted))
        assert not form.validate()
        assert "pas de version valide" in " ".join(form.version.errors)
        assert form.version.data is None


def test_version_field_reads_a_good_version(app):
    with app.test_request_context(method="POST"):
        form = _Form(formdata=MultiDict({"version": "7"}))
        assert form.validate() and form.version.data == 7
        assert 'value="7"' in form.version()


def test_conflict_names_the_writer_and_the_brussels_time(app):
    with app.test_request_context():
        summer = concurrency.Conflict(
            "Ce dossier a été modifié", "Marie Dupont", datetime(2024, 7, 1, 12, 32), 3
        )
        winter = concurrency.Conflict(
            "Ce dossier a été modifié", "Marie Dupont", datetime(2024, 1, 15, 13, 32), 3
        )
        # UTC+2 in summer, UTC+1 in winter
        assert summer.short == (
            "Ce dossier a été modifié par Marie Dupont le 01/07/2024 à 14:32 pendant votre saisie."
        )
        assert "le 15/01/2024 à 14:32" in winter.short
        assert summer.message.endswith(
            "Vos valeurs sont conservées ci-dessous ; les valeurs enregistrées sont indiquées "
            "à côté de chaque champ."
        )
        unknown = concurrency.Conflict("Ce dossier a été modifié", None, None, 1)
        assert (
            unknown.short
            == "Ce dossier a été modifié par un autre utilisateur pendant votre saisie."
        )


def test_a_check_is_never_skipped(app, make_org, make_user):
    org = make_org(OrganisationKind.CPAS)
    user = make_user(org)
    with app.app_context():
        worker = SocialWorker(organisation_id=org.id, last_name="Martin", first_name="Paul")
        db.session.add(worker)
        db.session.commit()
        for posted in (None, 0, 2):
            with pytest.raises(concurrency.Conflict):
                concurrency.check_version(worker, posted, db.session.get(User, user.id))
        concurrency.check_version(worker, 1, db.session.get(User, user.id))
        assert worker.updated_by_id == user.id


def test_a_write_between_the_check_and_the_commit_is_a_conflict(app, make_org, make_user):
    """version_id_col: the UPDATE is made WHERE version = <checked>, so a concurrent
    commit in between (another worker process) makes this one a Conflict, not a silent loss."""
    org = make_org(OrganisationKind.CPAS)
    user = make_user(org, first_name="Marie", last_name="Dupont")
    with app.app_context():
        worker = SocialWorker(organisation_id=org.id, last_name="Martin", first_name="Paul")
        db.session.add(worker)
        db.session.commit()
        worker_id = worker.id
    with app.app_context():
        db.session().expire_on_commit = False  # keep the loaded version, as a slow request does
        worker = db.session.get(SocialWorker, worker_id)
        db.session.commit()  # end the read transaction (SQLite snapshot)
        with db.engine.begin() as other:  # the other request commits first
            other.execute(
                text(
                    "UPDATE social_worker SET version = version + 1, office = 'B', "
                    "updated_by_id = :u WHERE id = :id"
                ),
                {"u": user.id, "id": worker_id},
            )
        concurrency.check_version(worker, 1, db.session.get(User, user.id))  # stale, passes
        worker.office = "A"
        with pytest.raises(concurrency.Conflict) as caught:
            concurrency.commit(worker)
        assert caught.value.by_name == "Marie Dupont" and caught.value.current_version == 2
    with app.app_context():
        assert db.session.get(SocialWorker, worker_id).office == "B"
