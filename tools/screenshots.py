"""Screenshots of every screen, as each role, at desktop and phone width.

Usage: .venv/bin/python tools/screenshots.py http://127.0.0.1:8000 /tmp/screens
Needs a running server with the demo loaded and Debian's Chromium at /usr/bin/chromium.
"""

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PASSWORD = "Solidaire-Demo-2026"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


# Each login's screens: a path, or (a pattern, the page to find a link matching it on).
# Also what tests/browser/test_every_screen.py opens.
SCREENS = {
    "coordination": [
        "/",
        "/coordination/cycles/",
        (r"/coordination/cycles/\d+/", "/coordination/cycles/"),
        "/coordination/calendrier/",
        "/contrats/",
        (r"/contrats/\d+/", "/contrats/"),
        "/tableau-de-bord/",
        "/coordination/envois/",
        "/coordination/personnes/",
        "/coordination/structures/",
        "/coordination/caisses/",
        (r"/coordination/caisses/\d+/", "/coordination/caisses/"),
        "/coordination/paiements/",
        "/coordination/banque/",
        "/nouveautes/",
    ],
    "benevole.fives": [
        "/",
        (r"/epicerie/cycles/\d+/commande/", "/"),
        (r"/epicerie/cycles/\d+/foyers/", "/"),
        (r"\?foyer=\d+", "FOLLOW"),  # the household order form, from the previous page
        (r"/epicerie/cycles/\d+/reception/", "/"),
        "/contrats/",
        (r"/contrats/\d+/", "/contrats/"),
        "/nouveautes/",
        "/compte/messages/",
        "/factures/",
    ],
    "producteur.wavrin": [
        "/",
        "/producteur/catalogue/",
        (r"/producteur/cycles/\d+/offres/", "/"),
        "/producteur/bons/",
        (r"/producteur/bons/\d+/", "/producteur/bons/"),
        "/contrats/",
        (r"/contrats/\d+/", "/contrats/"),
        "/factures/",
    ],
    "ccas.lille": [
        "/",
        "/ccas/foyers/",
        "/ccas/foyers/nouveau/",
        (r"/ccas/foyers/\d+/", "/ccas/foyers/"),
        "/ccas/journal/",
        "/ccas/financement/",
        "/ccas/caisses/",
        "/compte/messages/",
        "/factures/",
    ],
    "elu.lille": ["/", "/tableau-de-bord/"],
}


def resolve(page, base: str, screen, previous: str | None) -> str | None:
    """The path of one entry of SCREENS, found on its page when it is a pattern; None when
    the demo has nothing to open there."""
    if isinstance(screen, str):
        return screen
    pattern, where = screen
    if where == "FOLLOW":
        if previous is None:
            return None
        where = previous
        page.goto(base + where)
        options = page.locator("#foyer option").all()
        values = [option.get_attribute("value") for option in options]
        value = next((value for value in values if value), None)
        return f"{where}?foyer={value}" if value else None
    page.goto(base + where)
    links = [link.get_attribute("href") for link in page.locator("a").all()]
    return next((link for link in links if link and re.search(pattern, link)), None)


def main(base: str, folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        for username in SCREENS:
            for size_name, size in SIZES.items():
                context = browser.new_context(viewport=size, locale="fr-FR")
                page = context.new_page()
                page.goto(base + "/connexion/")
                page.fill("#id_username", username)
                page.fill("#id_password", PASSWORD)
                page.click("button[type=submit]")
                previous = None
                for index, screen in enumerate(SCREENS[username]):
                    path = resolve(page, base, screen, previous)
                    if path is None:
                        print(f"{username}: nothing to open for {screen}")
                        continue
                    previous = path
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    name = f"{username}-{index}-{size_name}.png"
                    page.screenshot(path=str(out / name), full_page=True)
                    print(name, path)
                context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
