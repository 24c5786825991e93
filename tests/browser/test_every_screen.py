"""Every screen of the five roles, at desktop width with a French browser and at phone width
with an English one: accessible (axe-core, in Session.open), nothing wider than the screen,
in the site's frame and in French."""

import re

import pytest

pytestmark = pytest.mark.browser

# Each login's screens: a path, or (a pattern, the page to find a link matching it on).
SCREENS = {
    "coordination": [
        "/",
        "/coordination/cycles/",
        (r"/coordination/cycles/\d+/", "/coordination/cycles/"),
        "/tableau-de-bord/",
    ],
    "benevole.fives": [
        "/",
        (r"/epicerie/cycles/\d+/commande/", "/"),
        (r"/epicerie/cycles/\d+/foyers/", "/"),
    ],
    "producteur.wavrin": [
        "/",
        "/producteur/catalogue/",
        (r"/producteur/cycles/\d+/offres/", "/"),
        "/producteur/bons/",
    ],
    "ccas.lille": [
        "/",
        "/ccas/foyers/",
        "/ccas/foyers/nouveau/",
        (r"/ccas/foyers/\d+/", "/ccas/foyers/"),
        "/ccas/journal/",
        "/ccas/financement/",
    ],
    "elu.lille": ["/", "/tableau-de-bord/"],
    None: ["/connexion/", "/nulle-part/"],  # before logging in; a page that does not exist
}
# Words of the English catalogue that the frame or the forms would show.
ENGLISH = re.compile(r"\b(Home|Log out|Skip to content|Households|Dashboard|Save|Cancel)\b")


def _path(page, base: str, screen) -> str:
    if isinstance(screen, str):
        return screen
    pattern, where = screen
    page.goto(base + where)
    links = [link.get_attribute("href") or "" for link in page.locator("a").all()]
    found = next((link for link in links if re.search(pattern, link)), None)
    assert found, f"no link matching {pattern} on {where}"
    return found


@pytest.mark.parametrize("phone, locale", [(False, "fr-FR"), (True, "en-US")])
@pytest.mark.parametrize("username", list(SCREENS))
def test_every_screen_is_accessible_fits_and_speaks_french(login, username, phone, locale):
    session = login(username or "coordination", phone=phone, locale=locale)
    if username is None:
        session.open("/")  # logged in: log out through the page, as a person would
        session.page.get_by_role("button", name="Déconnexion").click()
    width = 390 if phone else 1366
    for screen in SCREENS[username]:
        path = _path(session.page, session.base_url, screen)
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
