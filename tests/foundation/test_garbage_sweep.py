"""The garbage sweep: every POST route, every field, garbage values (issue 11, item 9).

On the demo data, as a CPAS user with every function, a distributor and the fund manager:
the sweep reads the pages the user can reach, collects every form (and every htmx
``hx-post`` control) with its real ids and fields, then posts each form with one field at
a time replaced by garbage (NUL, « ² », huge integers, 1e30, 100 KB, ``abc``, empty…), and
each action URL with a garbage id. POST routes no page shows are posted with garbage ids
and every known field name. Asserted:

* never a 500 (an exception in the test client);
* a refused request (4xx) changes nothing saved: a hash of every table's rows, except
  the audit log, the sign-in throttle and the reset tokens, is the same before and after;
* afterwards no text column holds a control character or more than its length, and no
  amount exceeds its column.

A fixed seed picks the garbage per field, so a failure replays the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import random
import re
import sqlite3
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Numeric, String, select, text
from werkzeug.exceptions import HTTPException

from cpas.access.models import User
from cpas.extensions import db
from tests.conftest import META_CSRF

SEED = 20261201
HUGE = "9" * 20
GARBAGE = [
    "ab\x00cd",
    "²",
    HUGE,
    "9" * 5000,
    "1e30",
    "-1",
    "NaN",
    "x" * 100_000,
    "abc",
    "",
    "\u202e\x1b[31m",
]
#: Not « saved data »: written on purpose by refused requests too.
UNSAVED_TABLES = {"audit_entry", "login_attempt", "password_reset_token"}
ACTORS = {
    "cpas": "admin@cpas-demoville.be",
    "distributor": "agent@cile-demo.be",
    "fund_manager": "gestion@spge-demo.be",
}
SKIPPED_PATHS = ("/static/", "/deconnexion")
MAX_PAGES = 120
PER_PATTERN = 2


# --------------------------------------------------------------------------- page parsing


@dataclass
class FoundForm:
    action: str
    htmx: bool
    multipart: bool
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def add(self, name: str, value: str) -> None:
        self.fields.setdefault(name, [])
        if value not in self.fields[name]:
            self.fields[name].append(value)


class _PageParser(HTMLParser):
    """Collect links, forms and hx-post controls with their named fields."""

    def __init__(self, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.links: list[str] = []
        self.forms: list[FoundForm] = []
        self._open: list[list[Any]] = []  # [tag, depth, FoundForm]
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        for opened in self._open:
            if opened[0] == tag:
                opened[1] += 1
        for key in ("href", "hx-get"):
            if attrs.get(key, "").startswith("/"):
                self.links.append(attrs[key])
        action = None
        if tag == "form" and attrs.get("method", "").lower() == "post":
            action = attrs.get("hx-post") or attrs.get("action") or self.path
        elif "hx-post" in attrs:
            action = attrs["hx-post"]
        if action is not None:
            found = FoundForm(
                action=action,
                htmx="hx-post" in attrs,
                multipart="multipart" in attrs.get("enctype", attrs.get("hx-encoding", "")),
            )
            if attrs.get("hx-vals", "").startswith("{"):
                for k, v in json.loads(attrs["hx-vals"]).items():
                    found.add(k, str(v))
            self.forms.append(found)
            if tag not in ("input", "button") or "name" not in attrs:
                self._open.append([tag, 1, found])
        name = attrs.get("name")
        if not name:
            return
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind == "file":
                for opened in self._open:
                    opened[2].files.append(name)
                if action is not None:
                    self.forms[-1].files.append(name)
                return
            if kind in ("checkbox", "radio") and "value" not in attrs:
                attrs["value"] = "on"
            self._add(name, attrs.get("value", ""), action is not None)
        elif tag == "button" and attrs.get("value") is not None:
            self._add(name, attrs["value"], action is not None)
        elif tag == "select":
            self._select = name
            self._add(name, "", False)
        elif tag == "option" and self._select:
            self._add(self._select, attrs.get("value", ""), False)
        elif tag == "textarea":
            self._textarea = name
            self._add(name, "", False)

    def _add(self, name: str, value: str, own: bool) -> None:
        for opened in self._open:
            opened[2].add(name, value)
        if own:
            self.forms[-1].add(name, value)

    def handle_data(self, data: str) -> None:
        if self._textarea and data.strip():
            for opened in self._open:
                opened[2].fields[self._textarea] = [data]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None
        for opened in list(self._open):
            if opened[0] == tag:
                opened[1] -= 1
                if opened[1] == 0:
                    self._open.remove(opened)


# --------------------------------------------------------------------------- valid values

#: A plausible valid value per field name (a part of it), so that the garbage put in one
#: field is the only thing wrong with the request. First match wins.
PLAUSIBLE = (
    ("naissance", "01/02/1980"),
    ("time", "09:00"),
    ("date", "2024-02-01"),
    ("period_start", "2024-01-01"),
    ("period_end", "2024-12-31"),
    ("deadline", "2025-03-31"),
    ("start", "2024-01-01"),
    ("end", "2024-12-31"),
    ("opened_on", "2024-01-01"),
    ("ouverture", "2024-01-01"),
    ("postal_code", "4000"),
    ("ins_code", "62063"),
    ("email", "personne@example.be"),
    ("iban", "BE68 5390 0754 7034"),
    ("phone", "+32 4 123 45 67"),
    ("number", "04 123 45 67"),
    ("niss", "85073003328"),
    ("amount", "100,00"),
    ("fees", "10,00"),
    ("invoice", "10,00"),
    ("interest", "1,00"),
    ("clause", "1,00"),
    ("initial", "1.000,00"),
    ("complementary", "100,00"),
    ("funds", "100,00"),
    ("granted", "500,00"),
    ("paid", "1.000,00"),
    ("months", "2"),
    ("dependants", "1"),
    ("tolerance", "0"),
    ("house_number", "12"),
    ("password", "Correct-Cheval-Batterie-42"),
    ("confirm", "Correct-Cheval-Batterie-42"),
)


def plausible(name: str, values: list[str]) -> str:
    """The page's own value when it has one, else a valid value for that kind of field."""
    filled = [v for v in values if v]
    if filled:
        return filled[0]
    for part, value in PLAUSIBLE:
        if part in name:
            return value
    return "Dupont"


# --------------------------------------------------------------------------- the state


def saved_state_hash(app: Any) -> str:
    """A hash of every saved row (audit, throttle and reset tokens left out)."""
    digest = hashlib.sha256()
    with app.app_context(), db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in UNSAVED_TABLES:
                continue
            order = ", ".join(c.name for c in table.primary_key.columns) or "1"
            for row in conn.execute(text(f"SELECT * FROM {table.name} ORDER BY {order}")):
                digest.update(repr(tuple(row)).encode())
            digest.update(table.name.encode())
    return digest.hexdigest()


class Sweeper:
    def __init__(self, app: Any, client: Any, login_as: Any, user: User) -> None:
        self.app, self.client, self.login_as, self.user = app, client, login_as, user
        self.rng = random.Random(SEED)
        self.failures: list[str] = []
        self.posts = 0
        self.pages: dict[str, str] = {}
        self.hashes = 0
        self.statuses: dict[int, int] = {}
        self.swept: set[tuple[str, tuple[str, ...]]] = set()
        self.refused = 0
        self.sign_in()
        self.state = saved_state_hash(app)
        # SQLite tells, for almost nothing, whether another connection committed anything:
        # the full hash is only computed when something was written.
        self.watch = None
        with app.app_context():
            url = db.engine.url
        if url.get_backend_name() == "sqlite":
            self.watch = sqlite3.connect(url.database)
        self.version = self.data_version()

    def data_version(self) -> int | None:
        if self.watch is None:
            return None
        return self.watch.execute("PRAGMA data_version").fetchone()[0]

    def refresh_state(self) -> str:
        version = self.data_version()
        if version is not None and version == self.version:
            return self.state
        self.version = version
        self.hashes += 1
        return saved_state_hash(self.app)

    def sign_in(self, after: str = "") -> None:
        with self.app.app_context():
            # fresh: a session version bumped by the sweep's own requests must be followed
            self.user = db.session.get(User, self.user.id)
            _ = self.user.organisation
            db.session.expunge(self.user)
        self.login_as(self.user)
        page = self.client.get("/").get_data(as_text=True)
        match = META_CSRF.search(page)
        assert match, f"the actor can no longer sign in, after {after}"
        self.token = match.group(1)

    # -- crawling

    def crawl(self) -> list[FoundForm]:
        seen_patterns: dict[str, int] = {}
        queue, visited, forms = ["/"], set(), []
        while queue and len(visited) < MAX_PAGES:
            url = queue.pop(0)
            path = urlsplit(url).path
            if (
                url in visited
                or path.startswith(SKIPPED_PATHS)
                or re.search(r"\.(xlsx|pdf)$", path)
            ):
                continue
            pattern = re.sub(r"\d+", "N", path)
            if seen_patterns.get(pattern, 0) >= PER_PATTERN:
                continue
            seen_patterns[pattern] = seen_patterns.get(pattern, 0) + 1
            visited.add(url)
            response = self.client.get(url)
            if response.status_code >= 500:
                self.failures.append(f"GET {url} -> {response.status_code}")
            if response.status_code != 200 or "text/html" not in response.content_type:
                continue
            html = response.get_data(as_text=True)
            self.pages[url] = html
            parser = _PageParser(path)
            parser.feed(html)
            forms.extend(parser.forms)
            queue.extend(link for link in parser.links if link not in visited)
        return forms

    # -- posting

    def post(self, url: str, data: dict[str, Any], htmx: bool, what: str) -> None:
        headers = {"X-CSRFToken": self.token}
        # the token of the page read during the crawl may belong to an earlier session
        data = {k: self.token if k.endswith("csrf_token") else v for k, v in data.items()}
        if htmx:
            headers["HX-Request"] = "true"
        self.posts += 1
        try:
            response = self.client.post(url, data=data, headers=headers)
        except Exception as exc:  # noqa: BLE001 - the test client re-raises the 500's cause
            self.failures.append(f"POST {url} {what}: {type(exc).__name__}: {str(exc)[:200]}")
            with self.app.app_context():
                db.session.rollback()
            self.sign_in(f"{url} {what}")
            return
        status = response.status_code
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 500:
            self.failures.append(f"POST {url} {what}: {status}")
        now = self.refresh_state()
        if 400 <= status < 500:
            self.refused += 1
            if now != self.state:
                self.failures.append(f"POST {url} {what}: refused ({status}) but data changed")
        self.state = now
        location = response.headers.get("Location", "") + response.headers.get("HX-Redirect", "")
        if "/connexion" in location:
            self.sign_in(f"{url} {what}")

    def sweep_form(self, form: FoundForm) -> None:
        shape = (re.sub(r"\d+", "N", form.action), tuple(sorted(form.fields)))
        if shape in self.swept:
            return
        self.swept.add(shape)
        base = {name: plausible(name, values) for name, values in form.fields.items()}
        editable = [n for n in form.fields if not n.endswith("csrf_token")]
        files = {
            name: (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * 64), "x.png") for name in form.files
        }
        # the plausible values alone (most are accepted: then the garbage is the only fault)
        self.post(form.action, dict(base), form.htmx, "plausible values")
        for name in editable:
            for garbage in self.rng.sample(GARBAGE, 2):
                data = {
                    **base,
                    name: garbage,
                    **{k: (io.BytesIO(v[0].getvalue()), v[1]) for k, v in files.items()},
                }
                self.post(form.action, data, form.htmx, f"{name}={garbage[:12]!r}")
        if editable:
            # every field garbage at once, and a list where a single value is expected
            data = {n: self.rng.choice(GARBAGE) for n in editable}
            self.post(form.action, data, form.htmx, "all fields garbage")
            self.post(form.action, {n: ["1", "abc", HUGE] for n in editable}, form.htmx, "lists")
        for bad_id in (HUGE, "0"):
            url = re.sub(r"/\d+(?=/|$)", "/" + bad_id, form.action, count=1)
            if url != form.action:
                self.post(url, base, form.htmx, f"id {bad_id}")


def _unreached_rules(app: Any, reached: set[str]) -> list[str]:
    adapter = app.url_map.bind("intranet.test")
    rules = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in reached:
            continue
        url = re.sub(r"<int:[^>]+>", "1", rule.rule)
        url = re.sub(r"<[^>]+>", "abc", url)
        with contextlib.suppress(HTTPException):  # placeholders that the rule cannot take
            adapter.match(url, method="POST")
            rules.append(url)
    return rules


def _all_field_names(forms: list[FoundForm]) -> set[str]:
    return {name for form in forms for name in form.fields if not name.endswith("csrf_token")}


def check_stored_values(app: Any) -> list[str]:
    """No control character, no text beyond its column's length, no amount beyond its column."""
    problems = []
    with app.app_context(), db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in ("audit_entry",):
                continue
            for column in table.columns:
                if isinstance(column.type, String):
                    rows = conn.execute(select(column).where(column.is_not(None))).scalars()
                    for value in rows:
                        if not isinstance(value, str):
                            continue
                        if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value):
                            problems.append(f"{table.name}.{column.name}: control character")
                        if column.type.length and len(value) > column.type.length:
                            problems.append(f"{table.name}.{column.name}: {len(value)} chars")
                elif isinstance(column.type, Numeric) and column.type.precision:
                    limit = 10 ** (column.type.precision - column.type.scale)
                    for value in conn.execute(select(column).where(column.is_not(None))).scalars():
                        if abs(float(value)) >= limit:
                            problems.append(f"{table.name}.{column.name}: {value}")
    return sorted(set(problems))


@pytest.fixture
def demo(app: Any) -> Any:
    from cpas.demo import seed_demo

    with app.app_context():
        seed_demo()
    return app


@pytest.mark.parametrize("actor", sorted(ACTORS))
def test_garbage_never_gives_a_500_and_a_refusal_changes_nothing(demo, client, login_as, actor):
    started = time.monotonic()
    with demo.app_context():
        user = db.session.scalar(select(User).where(User.email == ACTORS[actor]))
        assert user is not None
        _ = user.organisation
        db.session.expunge(user)
    sweeper = Sweeper(demo, client, login_as, user)
    forms = sweeper.crawl()
    crawled = time.monotonic() - started
    assert len(forms) > 3, "the crawl found no forms"
    adapter = demo.url_map.bind("intranet.test")
    reached = set()
    for form in forms:
        with contextlib.suppress(HTTPException):  # a form posting to a GET-only URL
            reached.add(adapter.match(urlsplit(form.action).path, method="POST")[0])
        sweeper.sweep_form(form)
    names = sorted(_all_field_names(forms))
    for url in _unreached_rules(demo, reached):
        for garbage in sweeper.rng.sample(GARBAGE, 3):
            sweeper.post(
                url, {n: garbage for n in names}, False, f"unreached, every field {garbage[:8]!r}"
            )
        sweeper.post(url.replace("/1/", f"/{HUGE}/"), {}, False, "unreached, huge id")
    sweeper.failures.extend(check_stored_values(demo))
    elapsed = time.monotonic() - started
    print(
        f"{actor}: {len(forms)} forms, {sweeper.posts} posts, {sweeper.refused} refused, "
        f"{len(reached)} endpoints reached with real ids, {elapsed:.1f} s (crawl {crawled:.1f} s, {sweeper.hashes} hashes), {sorted(sweeper.statuses.items())}"
    )
    assert not sweeper.failures, "\n".join(sweeper.failures)


# --------------------------------------------------------------------------- accessible names


class _ControlParser(HTMLParser):
    """Collect form controls with their accessible name (label for, wrapping label, aria)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.labels: dict[str, str] = {}
        self.controls: list[dict[str, Any]] = []
        self._label: list[dict[str, Any]] = []  # open labels: text and wrapped controls
        self._ids_text: dict[str, list[str]] = {}
        self._open_ids: list[str] = []

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag == "label":
            self._label.append({"for": attrs.get("for"), "text": [], "controls": []})
        if attrs.get("id"):
            self._ids_text[attrs["id"]] = []
            self._open_ids.append(attrs["id"])
        kind = attrs.get("type", "text").lower()
        if tag in ("select", "textarea") or (
            tag == "input" and kind not in ("hidden", "submit", "button", "image", "reset")
        ):
            control = {"tag": tag, "attrs": attrs, "wrapped": None}
            self.controls.append(control)
            if self._label:
                self._label[-1]["controls"].append(control)

    def handle_data(self, data: str) -> None:
        for label in self._label:
            label["text"].append(data)
        for opened in self._open_ids:
            self._ids_text[opened].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._label:
            label = self._label.pop()
            text = " ".join("".join(label["text"]).split())
            if label["for"]:
                self.labels[label["for"]] = text
            for control in label["controls"]:
                control["wrapped"] = text
        if self._open_ids and tag in ("span", "div", "p", "h1", "h2", "h3", "legend", "th", "td"):
            self._open_ids.pop()

    def name_of(self, control: dict[str, Any]) -> str:
        attrs = control["attrs"]
        if attrs.get("aria-label"):
            return attrs["aria-label"]
        if attrs.get("aria-labelledby"):
            return " ".join(
                "".join(self._ids_text.get(i, [])).strip() for i in attrs["aria-labelledby"].split()
            )
        if attrs.get("id") and attrs["id"] in self.labels:
            return self.labels[attrs["id"]]
        return control["wrapped"] or attrs.get("title", "")


def unnamed_controls(html: str) -> list[str]:
    """Controls with no accessible name, or one that is a field code, not words."""
    parser = _ControlParser()
    parser.feed(html)
    problems = []
    for control in parser.controls:
        name = " ".join(parser.name_of(control).split())
        field_name = control["attrs"].get("name", "")
        if not re.search(r"[A-Za-zÀ-ÿ]{2,}", name) or name in (field_name, field_name + " *"):
            problems.append(f"<{control['tag']} name={field_name!r}> named {name!r}")
        elif re.fullmatch(r"[a-z0-9_.\-]+", name):
            problems.append(f"<{control['tag']} name={field_name!r}> named by its code {name!r}")
    return problems


@pytest.mark.parametrize("actor", sorted(ACTORS))
def test_every_form_control_has_a_french_accessible_name(demo, client, login_as, actor):
    with demo.app_context():
        user = db.session.scalar(select(User).where(User.email == ACTORS[actor]))
        _ = user.organisation
        db.session.expunge(user)
    sweeper = Sweeper(demo, client, login_as, user)
    sweeper.crawl()
    assert len(sweeper.pages) > 10
    problems = sorted(
        {
            f"{re.sub(r'[0-9]+', 'N', url)}: {p}"
            for url, html in sweeper.pages.items()
            for p in unnamed_controls(html)
        }
    )
    assert not problems, "\n".join(problems)


def test_the_accessible_name_check_sees_a_missing_label():
    assert unnamed_controls('<label for="a">Nom</label><input id="a" name="last_name">') == []
    assert unnamed_controls('<label>Prénom <input name="first_name"></label>') == []
    assert unnamed_controls('<input name="q" aria-label="Rechercher">') == []
    assert unnamed_controls('<input name="last_name">')
    assert unnamed_controls('<input name="q" aria-label="q">')
    assert unnamed_controls('<label for="b">cpas_id</label><input id="b" name="x">')
