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


def screens(page, base: str) -> dict[str, list[str]]:
    """The paths each login opens, found from its home page where they hold ids."""

    def first(pattern: str, path: str = "/") -> str | None:
        page.goto(base + path)
        links = [link.get_attribute("href") for link in page.locator("a").all()]
        return next((link for link in links if link and re.search(pattern, link)), None)

    return {
        "coordination": ["/", "/coordination/cycles/", first(r"/coordination/cycles/\d+/")],
        "benevole.fives": [
            "/",
            first(r"/epicerie/cycles/\d+/commande/"),
            first(r"/epicerie/cycles/\d+/foyers/"),
            first(r"/epicerie/cycles/\d+/reception/"),
        ],
        "producteur.wavrin": [
            "/",
            "/producteur/catalogue/",
            first(r"/producteur/cycles/\d+/offres/"),
            "/producteur/bons/",
            first(r"/producteur/bons/\d+/"),
        ],
        "ccas.lille": [
            "/",
            "/ccas/foyers/",
            "/ccas/foyers/nouveau/",
            first(r"/ccas/foyers/\d+/", "/ccas/foyers/"),
            "/ccas/journal/",
            "/ccas/financement/",
        ],
        "elu.lille": ["/", "/tableau-de-bord/"],
    }


def main(base: str, folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        for username in (
            "coordination",
            "benevole.fives",
            "producteur.wavrin",
            "ccas.lille",
            "elu.lille",
        ):
            for size_name, size in SIZES.items():
                context = browser.new_context(viewport=size, locale="fr-FR")
                page = context.new_page()
                page.goto(base + "/connexion/")
                page.fill("#id_username", username)
                page.fill("#id_password", PASSWORD)
                page.click("button[type=submit]")
                for index, path in enumerate(screens(page, base)[username]):
                    if path is None:
                        continue
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    name = f"{username}-{index}-{size_name}.png"
                    page.screenshot(path=str(out / name), full_page=True)
                    print(name, path)
                context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
