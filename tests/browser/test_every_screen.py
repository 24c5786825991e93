"""Every screen of the five roles, at desktop width with a French browser and at phone width
with an English one: accessible (axe-core, in Session.open), nothing wider than the screen,
in the site's frame and in French."""

import re

import pytest

from tools import screenshots

pytestmark = pytest.mark.browser

# Each login's screens, as tools/screenshots.py pictures them; and before logging in.
SCREENS = {
    **screenshots.SCREENS,
    None: ["/connexion/", "/mot-de-passe/oublie/", "/nulle-part/"],
}  # and a 404
# The demo has no cycle far enough on for these; test_whole_cycle.py checks them on its way.
OPENED_BY_THE_CYCLE_WALK = {
    (r"/epicerie/cycles/\d+/reception/", "/"),
    (r"/producteur/bons/\d+/", "/producteur/bons/"),
}
# Words of the English catalogue that the frame or the forms would show.
ENGLISH = re.compile(r"\b(Home|Log out|Skip to content|Households|Dashboard|Save|Cancel)\b")


@pytest.mark.parametrize("phone, locale", [(False, "fr-FR"), (True, "en-US")])
@pytest.mark.parametrize("username", list(SCREENS))
def test_every_screen_is_accessible_fits_and_speaks_french(login, username, phone, locale):
    session = login(username or "coordination", phone=phone, locale=locale)
    if username is None:
        session.open("/")  # logged in: log out through the page, as a person would
        session.page.get_by_role("button", name="Déconnexion").click()
    width = 390 if phone else 1366
    previous = None
    for screen in SCREENS[username]:
        path = screenshots.resolve(session.page, session.base_url, screen, previous)
        if path is None:
            assert screen in OPENED_BY_THE_CYCLE_WALK, f"nothing to open for {screen}"
            continue
        previous = path
        page = session.open(path)  # axe-core: no moderate, serious or critical violation

        html = page.content()
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{path}: {scroll_width} px wide on a {width} px screen"
        assert page.locator("main").count() == 1, path
        assert '<html lang="fr"' in html, path
        assert not ENGLISH.search(page.locator("body").inner_text()), (
            path,
            ENGLISH.search(page.locator("body").inner_text()),
        )


def test_the_api_documentation_renders_from_local_assets_only(login):
    """Swagger UI as a developer of an outside client opens it: every script, style and
    font from this server, the schema read and drawn."""
    session = login("coordination")
    page = session.page
    page.goto(session.base_url + "/api/v1/docs/")
    page.wait_for_load_state("networkidle")
    page.locator(".swagger-ui .info").first.wait_for()
    assert "Appro Solidaire API" in page.locator("body").inner_text()
    # Past 150 tags and operations Swagger UI draws only what is on screen: scroll it all
    # through and gather every operation it drew, to compare with the schema's.
    drawn: set[str] = set()
    for _ in range(200):
        drawn.update(page.locator(".opblock[id]").evaluate_all("els => els.map(e => e.id)"))
        if page.evaluate("innerHeight + scrollY >= document.body.scrollHeight"):
            break
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(50)
    schema = page.request.get(session.base_url + "/api/v1/schema/?format=json").json()
    operations = {
        operation["operationId"]
        for methods in schema["paths"].values()
        for operation in methods.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    assert len(operations) > 50
    assert {id.rsplit("-", 1)[-1] for id in drawn} == operations
    assert session.outside == [], session.outside
