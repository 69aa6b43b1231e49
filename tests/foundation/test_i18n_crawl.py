"""The NL crawl (issue 13, « Tests »): no French left on a Dutch page, no Dutch on a French one.

For each demo user (``cpas.demo.USERS``) and for an anonymous visitor, the crawl reads every
GET page reachable from the home page by following links (``href`` and the ``hx-get``
fragments, asked with ``HX-Request: true``), plus every GET route without argument (so the
403 pages of functions the user lacks are seen) and a 404 page; downloads and binary
answers are skipped (PDFs and Excel files are checked by the domain tests). Each page is
rendered in French, then in Dutch (the user's ``locale`` switched in the database; the
anonymous visitor sends ``Accept-Language``), and its visible text nodes are compared:
element text and tail (not ``<script>``/``<style>``), ``title``, ``aria-label``,
``placeholder``, ``alt``, the ``value`` of submit buttons and the ``data-confirm`` /
``hx-confirm`` questions.

* NL: a text node that is the same in both renderings fails, unless what is left of it once
  the demo's data (every text column of the database, except codes and the ``*_fr`` /
  ``*_nl`` columns, which are translated data) and the patterns of
  ``tests/i18n_allowlist.txt`` (numbers, dates, amounts, NISS, e-mails…) are taken out is
  only words of that allowlist (« FSE », « FAT », « IBAN »… the same in both languages).
* FR: a text node holding a frequent Dutch word (whole word, see ``DUTCH_WORDS``) fails.

Tests are parametrized per user and per area (the blueprint of the page's endpoint, or
``errors``), e.g. ``pytest tests/foundation/test_i18n_crawl.py -k water_fund`` or
``-k "agent_cile_demo and water_fund"``; a failure lists page URL → the text nodes left.
The crawl of a user is done once per module and shared by its tests.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest
from sqlalchemy import String, Text, select, update
from werkzeug.exceptions import HTTPException

from cpas import create_app
from cpas.access.models import User
from cpas.demo import USERS
from cpas.extensions import db
from tests.conftest import USE_POSTGRES, CsrfClient, _truncate_all, base_config

ALLOWLIST_FILE = Path(__file__).resolve().parent.parent / "i18n_allowlist.txt"
ANONYMOUS = "anonymous"
ACTORS = [u.email for u in USERS] + [ANONYMOUS]
LAYOUT = "layout"
AREAS = [
    LAYOUT,
    "main",
    "auth",
    "access",
    "centre",
    "dossiers",
    "aid",
    "inquiry",
    "water_fund",
    "redi",
    "errors",
]
SKIPPED = re.compile(
    r"^/static/|^/deconnexion|^/sante$|\.(xlsx|pdf|csv|png|jpe?g|zip)$|/pdf$|/logo$|/export"
)
MAX_PAGES = 250
PER_PATTERN = 1
MISSING_PAGE = "/page-qui-n-existe-pas"
#: Frequent Dutch words that French never writes as whole words (« de » and « en » are
#: French too, so they are not in the list). Lower-case ones match case-insensitively.
DUTCH_WORDS = {
    "het",
    "een",
    "van",
    "voor",
    "niet",
    "geen",
    "wordt",
    "zijn",
    "naar",
    "bij",
    "ook",
    "uw",
    "deze",
    "opslaan",
    "zoeken",
    "annuleren",
    "wijzigen",
    "verwijderen",
    "goedkeuren",
    "weigeren",
    "betalen",
    "afsluiten",
    "exporteren",
    "afdrukken",
    "terug",
    "gebruiker",
    "gebruikers",
    "aanvraag",
    "aanvragen",
    "hulpaanvraag",
    "leefloon",
    "begunstigde",
    "maatschappelijk",
    "trekkingsrecht",
    "ocmw",
    "nee",
}
#: Columns whose values are codes shown translated (never data to allow as such).
CODE_COLUMNS = re.compile(r"(^|_)(status|state|kind|type|locale|action|event|role|code)$")
TEXT_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-confirm", "hx-confirm")


# --------------------------------------------------------------------------- allowlist


@dataclass
class Allowlist:
    """Words and phrases the same in both languages, patterns, and the demo's data."""

    words: set[str] = field(default_factory=set)
    phrases: list[str] = field(default_factory=list)
    patterns: list[re.Pattern[str]] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    _data_re: re.Pattern[str] | None = None

    @classmethod
    def read(cls, path: Path = ALLOWLIST_FILE, data: Iterator[str] | list[str] = ()) -> Allowlist:
        allow = cls()
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("re:"):
                allow.patterns.append(re.compile(line[3:].strip()))
            elif " " in line:
                allow.phrases.append(line.casefold())
            else:
                allow.words.add(line.casefold())
        allow.phrases.sort(key=len, reverse=True)
        allow.data = sorted({d for d in data if len(d) >= 3}, key=len, reverse=True)
        return allow

    def size(self) -> int:
        return len(self.words) + len(self.phrases) + len(self.patterns)

    def strip_data(self, text: str) -> str:
        if self.data and self._data_re is None:
            alternatives = "|".join(re.escape(v) for v in self.data)
            self._data_re = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
        if self._data_re is not None:
            text = self._data_re.sub(" ", text)
        for pattern in self.patterns:
            text = pattern.sub(" ", text)
        return text

    def same_in_both(self, text: str) -> bool:
        """True when the node may read the same in French and in Dutch."""
        rest = self.strip_data(text).casefold()
        for phrase in self.phrases:
            rest = rest.replace(phrase, " ")
        words = re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*°?", rest)
        return all(w in self.words or len(w) == 1 for w in words)

    def dutch_words(self, text: str) -> list[str]:
        rest = self.strip_data(text)
        return [w for w in re.findall(r"[^\W\d_]+", rest) if w.casefold() in DUTCH_WORDS]


# --------------------------------------------------------------------------- text nodes


def text_nodes(html: str) -> set[str]:
    """The visible text of a page or fragment, one normalised string per node."""
    nodes: set[str] = set()
    if not html.strip():
        return nodes
    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # noqa: BLE001 - a body lxml cannot parse has no text to compare
        return nodes

    def add(value: str | None) -> None:
        if value:
            norm = " ".join(value.split())
            if norm:
                nodes.add(norm)

    for el in root.iter():
        if not isinstance(el.tag, str):  # comments, processing instructions
            add(el.tail)
            continue
        if el.tag not in ("script", "style"):
            add(el.text)
        add(el.tail)
        for name in TEXT_ATTRIBUTES:
            add(el.get(name))
        if el.tag == "input" and el.get("type", "").lower() in ("submit", "button", "reset"):
            add(el.get("value"))
    return nodes


def links(html: str) -> list[tuple[str, bool]]:
    """Same-origin GET links: (url, asked by htmx)."""
    found: list[tuple[str, bool]] = []
    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # noqa: BLE001
        return found
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        href = el.get("href")
        if el.tag == "a" and href and href.startswith("/") and not href.startswith("//"):
            found.append((href.split("#")[0], False))
        hx = el.get("hx-get")
        if hx and hx.startswith("/"):
            found.append((hx, True))
    return found


# --------------------------------------------------------------------------- the crawl


@dataclass
class Page:
    url: str
    htmx: bool
    area: str
    status: int
    fr: set[str]
    nl: set[str] = field(default_factory=set)
    #: the answer is the whole layout (not a fragment)
    full: bool = True
    #: the URL answers a page or a fragment depending on ``HX-Request`` (``Vary``)
    varies: bool = False


@dataclass
class Crawl:
    actor: str
    pages: list[Page] = field(default_factory=list)

    def layout(self) -> set[str]:
        """The text of the layout (menu, header, footer): on every full page read."""
        full = [p.fr for p in self.pages if p.full and p.status == 200]
        return set.intersection(*full) if len(full) >= 3 else set()

    def offenders(self, allow: Allowlist, area: str) -> dict[str, list[str]]:
        found = {}
        layout = self.layout()
        for page in self.pages:
            if area == LAYOUT:
                if page is not self.pages[0]:
                    continue
                left = sorted(t for t in layout & page.nl if not allow.same_in_both(t))
                if left:
                    found[f"every page, e.g. {_label(page)}"] = left
                continue
            if page.area != area:
                continue
            left = sorted(t for t in (page.fr & page.nl) - layout if not allow.same_in_both(t))
            if left:
                found[_label(page)] = left
        return found

    def dutch_in_french(self, allow: Allowlist, area: str) -> dict[str, list[str]]:
        found = {}
        for page in self.pages:
            if page.area != area:
                continue
            left = sorted(t for t in page.fr if allow.dutch_words(t))
            if left:
                found[_label(page)] = left
        return found


def _label(page: Page) -> str:
    return f"{page.url}{' (htmx)' if page.htmx else ''} [{page.status}]"


def _area(app: Any, path: str, status: int) -> str:
    if status in (403, 404):
        return "errors"
    adapter = app.url_map.bind("intranet.test")
    try:
        endpoint = adapter.match(path, method="GET")[0]
    except HTTPException:
        return "errors"
    return endpoint.split(".")[0]


def _seeds(app: Any) -> list[str]:
    seeds = ["/"]
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and not SKIPPED.search(rule.rule):
            seeds.append(rule.rule)
    return seeds + [MISSING_PAGE]


def _get(client: CsrfClient, url: str, htmx: bool, headers: dict[str, str]) -> Any:
    sent = dict(headers)
    if htmx:
        sent["HX-Request"] = "true"
    return client.get(url, headers=sent)


def _set_locale(app: Any, user_id: int, locale: str) -> None:
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(locale=locale))
        db.session.commit()
        db.session.remove()


def crawl_actor(app: Any, actor: str) -> Crawl:
    """Read every reachable page as ``actor`` in French, then the same pages in Dutch."""
    client: CsrfClient = app.test_client()
    user_id = None
    fr_headers = {"Accept-Language": "fr"}
    nl_headers = {"Accept-Language": "nl"}
    if actor != ANONYMOUS:
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == actor))
            assert user is not None, f"demo user {actor} missing"
            user_id = user.id
            with client.session_transaction() as session:
                from cpas.timeutil import utcnow

                now = utcnow().timestamp()
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
                session["login_at"] = now
                session["seen"] = now
            db.session.remove()
        _set_locale(app, user_id, "fr")
    result = Crawl(actor)
    seen: set[tuple[str, bool]] = set()
    patterns: dict[tuple[str, bool], int] = {}
    queue: list[tuple[str, bool]] = [(url, False) for url in _seeds(app)]
    while queue and len(result.pages) < MAX_PAGES:
        url, htmx = queue.pop(0)
        path = urlsplit(url).path
        if (url, htmx) in seen or SKIPPED.search(path):
            continue
        seen.add((url, htmx))
        # one page per endpoint pattern: ids become N, a query keeps its keys, not values
        query = sorted(k.split("=")[0] for k in urlsplit(url).query.split("&") if k)
        pattern = (re.sub(r"\d+", "N", path) + "?" + "&".join(query), htmx)
        if patterns.get(pattern, 0) >= PER_PATTERN and url != MISSING_PAGE:
            continue
        patterns[pattern] = patterns.get(pattern, 0) + 1
        response = _get(client, url, htmx, fr_headers)
        if response.status_code in (301, 302, 303, 307, 308):
            target = response.headers.get("Location", "")
            target = urlsplit(target)._replace(scheme="", netloc="").geturl()
            if target.startswith("/"):
                queue.append((target, htmx))
            continue
        if "text/html" not in response.content_type:
            continue
        html = response.get_data(as_text=True)
        result.pages.append(
            Page(
                url,
                htmx,
                _area(app, path, response.status_code),
                response.status_code,
                text_nodes(html),
                full="<body" in html.lower(),
                varies="hx-request" in response.headers.get("Vary", "").lower(),
            )
        )
        queue.extend(link for link in links(html) if link not in seen)
    # The same pages in Dutch.
    if user_id is not None:
        _set_locale(app, user_id, "nl")
    try:
        for page in result.pages:
            response = _get(client, page.url, page.htmx, nl_headers)
            if "text/html" in response.content_type:
                page.nl = text_nodes(response.get_data(as_text=True))
    finally:
        if user_id is not None:
            _set_locale(app, user_id, "fr")
    return result


def demo_data(app: Any) -> list[str]:
    """Every text value of the demo database that is data (names, addresses, references…)."""
    values: set[str] = set()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            names = {c.name for c in table.columns}
            for column in table.columns:
                if not isinstance(column.type, String | Text):
                    continue
                base = re.sub(r"_(fr|nl)$", "", column.name)
                if base != column.name and {f"{base}_fr", f"{base}_nl"} & names:
                    continue
                if CODE_COLUMNS.search(column.name) or "password" in column.name:
                    continue
                if column.name.endswith("_hash") or column.name.endswith("token"):
                    continue
                for (value,) in db.session.execute(select(column).distinct()):
                    if isinstance(value, str) and 2 <= len(value.strip()) <= 300:
                        values.add(" ".join(value.split()))
        db.session.remove()
    return sorted(values)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory, template_database: str) -> Iterator[Any]:
    """One app on the demo data for the whole module (the crawls only read)."""
    from cpas.demo import seed_demo

    instance = tmp_path_factory.mktemp("i18n-crawl-instance")
    if USE_POSTGRES:
        url = template_database
    else:
        shutil.copy(template_database, instance / "cpas.sqlite")
        url = f"sqlite:///{instance / 'cpas.sqlite'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CPAS_INSTANCE_PATH", str(instance))
        application = create_app(base_config(url, instance))
        application.test_client_class = CsrfClient
        with application.app_context():
            seed_demo()
            db.session.remove()
        yield application
        if USE_POSTGRES:
            _truncate_all(application)
        else:
            with application.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture(scope="module")
def allow(demo_app: Any) -> Allowlist:
    return Allowlist.read(data=demo_data(demo_app))


@pytest.fixture(scope="module")
def crawls(demo_app: Any) -> Callable[[str], Crawl]:
    done: dict[str, Crawl] = {}

    def get(actor: str) -> Crawl:
        if actor not in done:
            done[actor] = crawl_actor(demo_app, actor)
            pages = done[actor].pages
            print(
                f"\n{actor}: {len(pages)} pages crawled in FR and NL "
                f"({sum(p.htmx for p in pages)} htmx fragments, "
                f"{sum(p.status == 403 for p in pages)} × 403, "
                f"{sum(p.status == 404 for p in pages)} × 404)"
            )
        return done[actor]

    return get


def _actor_id(actor: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", actor.removesuffix(".be"))


def _report(found: dict[str, list[str]]) -> str:
    lines = []
    for url, texts in found.items():
        lines.append(f"{url} →")
        lines.extend(f"    « {t} »" for t in texts)
    return "\n".join(lines)


# --------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("actor", ACTORS, ids=_actor_id)
def test_no_french_left_on_the_dutch_pages(crawls, allow, actor, area):
    found = crawls(actor).offenders(allow, area)
    assert not found, (
        f"{actor}, {area}: text nodes identical in FR and NL "
        f"(wrap and translate them, or add a same-in-both word to tests/i18n_allowlist.txt)\n"
        + _report(found)
    )


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("actor", ACTORS, ids=_actor_id)
def test_no_dutch_on_the_french_pages(crawls, allow, actor, area):
    found = crawls(actor).dutch_in_french(allow, area)
    assert not found, f"{actor}, {area}: Dutch words on French pages\n" + _report(found)


@pytest.mark.parametrize("actor", ACTORS, ids=_actor_id)
def test_the_crawl_reaches_the_pages_and_the_error_pages(crawls, actor):
    pages = crawls(actor).pages
    assert any(p.status == 404 for p in pages), "no 404 page rendered"
    assert all(p.nl for p in pages if p.fr), "a page answered in FR but not in NL"
    if actor == ANONYMOUS:
        assert any(p.url == "/connexion" for p in pages)
        return
    assert len([p for p in pages if p.status == 200]) >= 5, [p.url for p in pages]
    assert any(p.area == "main" and p.status == 200 for p in pages), "home page not read"
    asked = [p for p in pages if p.htmx and p.varies and p.status == 200]
    assert asked, "no htmx fragment read"
    assert not [p.url for p in asked if p.full], "htmx asked for a fragment, got the page"


def test_some_user_meets_a_403_page(crawls):
    assert any(p.status == 403 for p in crawls("agent@cile-demo.be").pages)


# --------------------------------------------------------------------------- the checker


def test_the_checker_flags_french_and_allows_data_and_patterns():
    allow = Allowlist.read(data=["DUPONT", "Marie", "CPAS de Demoville"])
    assert not allow.same_in_both("Enregistrer")
    assert not allow.same_in_both("Dossier de DUPONT Marie")
    assert not allow.same_in_both("Composition de ménage")
    assert not allow.same_in_both("N° 12")
    for same in (
        "DUPONT Marie",
        "12/03/2026",
        "1.000,00 €",
        "85.07.30-033.28",
        "FSE",
        "42",
        "CPAS de Demoville",
        "agent@cile-demo.be",
        "BE68 5390 0754 7034",
        "—",
    ):
        assert allow.same_in_both(same), same
    assert allow.dutch_words("Opslaan") == ["Opslaan"]
    assert allow.dutch_words("Aanvraag van het OCMW") == ["Aanvraag", "van", "het", "OCMW"]
    assert allow.dutch_words("Demande de CPAS de Demoville en cours") == []


def test_text_nodes_reads_text_attributes_and_not_scripts():
    html = (
        '<html><head><title>Titre</title><script>var x = "code";</script></head><body>'
        '<p>Un <b>mot</b> suivi</p><input type="submit" value="Envoyer">'
        '<input name="q" placeholder="Chercher"><button aria-label="Fermer" '
        'data-confirm="Sûr ?">×</button><img alt="Logo"><!-- note --></body></html>'
    )
    assert text_nodes(html) == {
        "Titre",
        "Un",
        "mot",
        "suivi",
        "Envoyer",
        "Chercher",
        "Fermer",
        "Sûr ?",
        "×",
        "Logo",
    }


# --------------------------------------------------------------------------- scripts


def _catalog_module() -> Any:
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "scripts" / "_catalog.py"
    spec = importlib.util.spec_from_file_location("_catalog", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_catalogue_check_refuses_french_text_in_the_scripts(tmp_path):
    catalog = _catalog_module()
    assert catalog.js_texts() == [], "static/js has text the catalogue cannot translate"
    script = tmp_path / "extra.js"
    script.write_text(
        "// a comment with « des mots » is not shown\n"
        'document.querySelector("#toasts .toast:not([data-fading])");\n'
        'el.addEventListener("htmx:confirm", f);\n'
        'if (!window.confirm("Voulez-vous vraiment supprimer ?")) return;\n'
        "toast.textContent = 'Échec';\n"
    )
    found = catalog.js_texts(tmp_path)
    assert len(found) == 2, found
    assert "extra.js:4" in found[0] and "Voulez-vous vraiment supprimer ?" in found[0]
    assert "extra.js:5" in found[1]
