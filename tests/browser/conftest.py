"""Browser tests: Debian's Chromium driven by Playwright against Django's live server, with
the demo data loaded in the test database and the background tasks run in-process.

Every page a session opens, and every page a test pictures, is checked with axe-core
(installed from npm beside this file by `make install-dev`, injected from the disk: no CDN):
no violation of impact moderate, serious or critical."""

import io
import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "Solidaire-Demo-2026"
AXE = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"
IMPACTS_REFUSED = {"moderate", "serious", "critical"}


def accessibility_violations(page) -> list[str]:
    """axe-core's violations of the page as it is now, moderate or worse, one line each."""
    assert AXE.exists(), f"axe-core is missing ({AXE}): run `make install-dev`"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                          nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" "))}))"""
    )
    return [
        f"{page.url}: {v['impact']} {v['id']} ({v['help']}) at {', '.join(v['nodes'])}"
        for v in violations
        if v["impact"] in IMPACTS_REFUSED
    ]


def assert_accessible(page) -> None:
    violations = accessibility_violations(page)
    assert not violations, "\n".join(violations)


@pytest.fixture
def browser(monkeypatch):
    """Chromium for one test. Requested before the database fixtures, so it outlives them:
    Playwright's sync API keeps an event loop in the test's thread, and the database flush at
    the end of the test must run while Django is told that synchronous calls are safe there."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}: .ci/run installs it.")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db, django_db_serialized_rollback):
    call_command("seed_demo", stdout=io.StringIO())
    yield
    # Under Playwright the test's database connection is not the one pytest-django closes at
    # the end of the session: left open, it kept PostgreSQL from dropping the test database
    # ("being accessed by other users").
    connections.close_all()


class Session:
    """One person's browser tab, logged in."""

    def __init__(
        self, browser, base_url: str, username: str, phone: bool = False, locale: str = "fr-FR"
    ):
        size = {"width": 390, "height": 844} if phone else {"width": 1366, "height": 900}
        self.context = browser.new_context(viewport=size, locale=locale)
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        # Irreversible steps ask first (core/static/js/confirm.js): this person reads, agrees.
        self.dialogs: list[str] = []
        self.page.on("dialog", self._agree)
        self.base_url = base_url
        # Every request the pages make, to anywhere but this server (a CDN, a tile or font
        # server): none may be, nothing outside is reachable from the platform's networks.
        self.outside: list[str] = []
        self.context.on("request", self._note_outside)
        self.page.goto(f"{base_url}/connexion/")
        self.page.get_by_label("Identifiant").fill(username)
        self.page.get_by_label("Mot de passe").fill(PASSWORD)
        self.page.get_by_role("button", name="Connexion").click()
        self.page.wait_for_url(f"{base_url}/")

    def _note_outside(self, request) -> None:
        url = request.url
        if not url.startswith(self.base_url) and not url.startswith(("data:", "blob:", "about:")):
            self.outside.append(url)

    def _agree(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.accept()

    def open(self, path: str):
        self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("networkidle")
        assert self.outside == [], f"{path} asked outside hosts: {self.outside}"
        assert_accessible(self.page)
        return self.page

    def close(self):
        self.context.close()


@pytest.fixture
def login(browser, live_server, demo):
    sessions = []

    def open_session(username: str, phone: bool = False, locale: str = "fr-FR") -> Session:
        session = Session(browser, live_server.url, username, phone=phone, locale=locale)
        sessions.append(session)
        return session

    yield open_session
    for session in sessions:
        outside = session.outside
        session.close()
        assert outside == [], f"pages asked outside hosts: {outside}"
