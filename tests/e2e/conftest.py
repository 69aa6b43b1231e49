"""Browser tests: the real app on loopback, driven by Playwright in Debian's Chromium.

How to write one:
* request ``live_server`` (the base URL of the app, serving the test's own database, so the
  factories ``make_user``/``make_org`` and the ``smtp`` sink are shared) and ``page``;
* ``sign_in(page, live_server, email, password)`` signs in through the real login form;
* mark the module with ``pytestmark = pytest.mark.e2e``;
* find elements by role and label (``page.get_by_role("button", name="Sauver")``), the way
  a user reads the page.
The browser is never downloaded: ``/usr/bin/chromium`` comes from Debian (scripts/test
installs it).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    """Serve the test's app on a free loopback port in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base_url  # links in e-mails open in the browser
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base_url
    finally:
        server.shutdown()
        thread.join(10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test, which installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


class BrowserProblems(list):
    """Console errors, page errors and CSP violations seen during a test."""


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="fr-BE", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    problems = BrowserProblems()
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(str(e)))
    tab.problems = problems  # type: ignore[attr-defined]
    yield tab
    context.close()


def sign_in(page: Any, base_url: str, email: str, password: str) -> None:
    """Sign in through the login form and wait for the home page."""
    page.goto(f"{base_url}/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("domcontentloaded")


# Domain fixtures the browser tests reuse.
from tests.dossiers.conftest import people, world  # noqa: E402,F401
from tests.redi.conftest import redi  # noqa: E402,F401
