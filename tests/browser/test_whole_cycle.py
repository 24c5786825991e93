"""One whole cycle through the screens only, as the people who run it would: a producer
offers, two volunteers order (a household order refused for its cap, then accepted), the
coordinator closes, the producer confirms partly, the coordinator plans and settles, and the
official sees the figures change."""

import os
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounting.models import JournalEntry
from orders.models import Household, Order
from producers.models import Offer
from supply.choices import CycleStatus, PurchaseListStatus
from supply.models import OrderCycle, PurchaseList
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def _card(page, text: str):
    return page.locator(".card", has_text=text)


def _shot(page, name: str) -> None:
    """Check the step's page with axe-core; with SCREENSHOTS_DIR set, keep a picture of it
    (to look at, not to compare)."""
    assert_accessible(page)
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"cycle-{name}.png"), full_page=True)


def _figure(page, key: str) -> str:
    return page.locator(f"#kpi-{key} .value").inner_text().strip()


def test_a_whole_cycle_through_the_screens(login):
    # Given the demo: next week's cycle in draft, every product on offer
    cycle = OrderCycle.objects.get(status=CycleStatus.DRAFT)
    carrots = Offer.objects.get(
        cycle=cycle,
        product__name="Carottes",
        product__producer__organisation__name="Ferme du Marais de Wavrin",
    )
    household = Household.objects.filter(
        pickup_grocery__organisation__name="Fives Solidaire", adults=1, children=0
    ).get()  # T1, alone: a cap of 20 €
    period = (
        f"?from={cycle.delivery_date - timedelta(days=1):%Y-%m-%d}"
        f"&to={cycle.delivery_date + timedelta(days=1):%Y-%m-%d}"
    )
    official = login("elu.lille")
    page = official.open(f"/tableau-de-bord/{period}")
    assert _figure(page, "orders") == "0"
    assert _figure(page, "kg_distributed") == "0 kg"

    # The producer offers 10,5 kg of carrots for that cycle, typed the French way
    producer = login("producteur.wavrin")
    page = producer.page
    _card(page, cycle.name).get_by_role("link", name="Mes offres").click()
    page.locator(f"#q-{carrots.product_id}").fill("10,5")
    page.get_by_role("button", name="Enregistrer mes offres").click()
    expect(page.locator(".message.success")).to_contain_text("offres enregistrées")
    expect(page.locator(f"#q-{carrots.product_id}")).to_have_value("10,5")  # read back
    _shot(page, "producer-offers")
    carrots.refresh_from_db()
    assert carrots.quantity_available == Decimal("10.500")  # neither 105 nor 10

    # The coordinator opens the cycle by hand
    coordinator = login("coordination")
    page = coordinator.page
    _card(page, cycle.name).get_by_role("link", name="Ouvrir le pilotage").click()
    page.get_by_role("button", name="Ouvrir les commandes maintenant").click()
    expect(page.locator(".steps li.current")).to_have_text("Ouvert")

    # A volunteer places the grocery's grouped order: 8 kg of carrots
    volunteer = login("benevole.fives")
    page = volunteer.page
    _card(page, cycle.name).get_by_role("link", name="Commande groupée").click()
    page.locator(f"#q-{carrots.id}").fill("8")
    expect(page.locator("[data-total]")).to_have_text(re.compile(r"10,97\s€"))
    _shot(page, "grouped-order")
    page.get_by_role("button", name="Enregistrer la commande").click()
    expect(page.locator(".message.success")).to_contain_text("10,97 €")

    # Another volunteer (on a phone) orders for a household: 20 kg pass its 20 € cap
    other = login("benevole.fives", phone=True)
    page = other.open(f"/epicerie/cycles/{cycle.id}/foyers/")
    # Nothing passes the phone's width (a long household <select> did by 7 px).
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert page.locator("#foyer").evaluate("e => getComputedStyle(e).maxWidth") == "100%"
    page.get_by_label("Foyer", exact=True).select_option(str(household.id))
    page.get_by_role("button", name="Choisir").click()
    page.locator(f"#q-{carrots.id}").fill("20")
    # The screen warns before saving...
    expect(page.locator("[data-cap-warning]")).to_be_visible()
    page.get_by_role("button", name="Enregistrer la commande").click()
    expect(page.locator(".message.error")).to_contain_text("dépasserait le plafond mensuel")
    _shot(page, "household-refused-phone")
    assert not Order.objects.filter(household=household, cycle=cycle).exists()
    # ... then 2 kg, accepted: 2.74 € of which the household pays 10 %
    page.locator(f"#q-{carrots.id}").fill("2")
    expect(page.locator("[data-share]")).to_have_text(re.compile(r"0,27\s€"))
    page.get_by_role("button", name="Enregistrer la commande").click()
    expect(page.locator(".message.success")).to_contain_text("dont 0,27 € payés par le foyer")
    _shot(page, "household-accepted-phone")

    # The coordinator closes: the purchase lists go out, the progress bar reaches its end
    page = coordinator.open(f"/coordination/cycles/{cycle.id}/")
    page.get_by_role("button", name="Clôturer les commandes et envoyer les bons").click()
    expect(page.locator("#task [data-state-label]")).to_have_text("Terminée", timeout=15_000)
    expect(page.locator(".steps li.current")).to_have_text("Clos")
    assert coordinator.dialogs[-1].startswith("Clôturer les commandes maintenant ?")
    _shot(page, "closed-panel")

    # The producer can supply 6 kg of the 10 allocated
    page = producer.open("/")
    _card(page, cycle.name).get_by_role("link", name="Confirmer").click()
    page.locator(f"#c-{carrots.id}").fill("6")
    _shot(page, "purchase-list-to-confirm")
    page.get_by_role("button", name="Envoyer ma confirmation").click()
    expect(page.locator(".message.success")).to_contain_text("Votre réponse est enregistrée")
    expect(page.locator(".badge").first).to_have_text("Confirmé en partie")
    _shot(page, "purchase-list-confirmed")
    assert (
        PurchaseList.objects.get(cycle=cycle, producer=carrots.product.producer).status
        == PurchaseListStatus.PARTIAL
    )

    # The coordinator confirms (households served first), plans the rounds and dispatches
    page = coordinator.open(f"/coordination/cycles/{cycle.id}/")
    page.get_by_role("button", name="Confirmer le cycle").click()
    expect(page.locator(".steps li.current")).to_have_text("Confirmé")
    household_order = Order.objects.get(household=household, cycle=cycle)
    assert household_order.lines.get().confirmed_quantity == Decimal("2.000")
    page.get_by_label("Temps de calcul (secondes)").fill("1")
    page.get_by_role("button", name="Planifier les tournées").click()
    expect(page.locator("#task [data-state-label]")).to_have_text("Terminée", timeout=15_000)
    expect(page.get_by_role("link", name="Feuille de route").first).to_be_visible()
    _shot(page, "rounds-planned")
    # The map of the rounds: over the communes of the Nord, labelled, and back to the cycle
    page.get_by_role("link", name="Carte des tournées").click()
    expect(page.locator(".commune-label", has_text="Hellemmes")).to_be_visible()
    expect(page.locator(".commune-label", has_text="Wavrin")).to_be_visible()  # a contour
    expect(page.locator(".place-label", has_text="Plateforme")).to_have_count(1)
    _shot(page, "rounds-map")
    page.get_by_role("link", name="← Le cycle").click()
    expect(page.locator(".steps li.current")).to_have_text("Confirmé")
    on_phone = login("coordination", phone=True).open(f"/carte/cycles/{cycle.id}/")
    expect(on_phone.locator(".commune-label", has_text="Wavrin")).to_be_visible()
    width = on_phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the phone
    _shot(on_phone, "rounds-map-phone")
    page.get_by_role("button", name="Expédier : les véhicules partent").click()
    expect(page.locator(".steps li.current")).to_have_text("Expédié")

    # The volunteer records the reception: the 4 kg left for the grocery arrived
    page = volunteer.open("/")
    _card(page, cycle.name).get_by_role("link", name="Enregistrer la réception").click()
    # (the demo's season contract brings its own order, beside the grouped one)
    grouped_line = Order.objects.get(
        grocery__organisation__name="Fives Solidaire", cycle=cycle, contract__isnull=True
    ).lines.get()
    expect(page.locator(f"#r-{grouped_line.id}")).to_have_value("4")
    _shot(page, "reception")
    page.get_by_role("button", name="Enregistrer la réception").click()
    expect(page.locator(".message.success")).to_contain_text("Réception enregistrée")

    # The coordinator marks the cycle delivered and settles it
    page = coordinator.open(f"/coordination/cycles/{cycle.id}/")
    page.get_by_role("button", name="Marquer comme livré").click()
    expect(page.get_by_text("Règlement (aperçu)")).to_be_visible()
    page.get_by_role("button", name="Régler : passer les écritures").click()
    expect(page.locator(".steps li.current")).to_have_text("Soldé")
    expect(page.locator(".badge", has_text="Équilibré")).to_be_visible()
    _shot(page, "settled-panel")
    # The producer, the 2 orders, the 2 orders of the demo's season contract (25 kg of
    # potatoes for each of its two groceries, placed when the cycle opened), the rounds.
    assert JournalEntry.objects.filter(cycle=cycle).count() == 6

    # The official sees the cycle in the figures: 4 orders, 6 kg of carrots and 50 of potatoes
    page = official.open(f"/tableau-de-bord/{period}")
    assert _figure(page, "orders") == "4"
    assert _figure(page, "kg_distributed") == "56 kg"
    assert _figure(page, "households_served") == "< 5"
    _shot(page, "official-after")
