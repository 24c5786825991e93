"""Quantities and prices typed in the screens: the French comma and the point both mean a
decimal, nothing is read as something else, and phones get a decimal keyboard (#19, item 1).
An <input type="number"> let Chromium drop the comma: "1,5" arrived as "15"."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from producers.models import Offer
from tests import factories


@pytest.fixture
def producer_browser(world):
    browser = Client()
    browser.force_login(world.producer_user)
    return browser


@pytest.mark.parametrize(
    ("typed", "stored"), [("1,5", "1.5"), ("1.5", "1.5"), ("12", "12"), ("1 500,25", "1500.25")]
)
def test_a_comma_and_a_point_are_the_same_decimal(world, producer_browser, typed, stored):
    cycle = factories.OrderCycleFactory(hub=world.hub)

    producer_browser.post(
        f"/producteur/cycles/{cycle.id}/offres/", {f"q-{world.product.id}": typed}
    )

    assert Offer.objects.get(cycle=cycle, product=world.product).quantity_available == Decimal(
        stored
    )


def test_quantity_inputs_are_text_with_a_decimal_keyboard_and_read_back_in_french(
    world, producer_browser
):
    cycle = factories.OrderCycleFactory(hub=world.hub)
    factories.OfferFactory(cycle=cycle, product=world.product, quantity_available=Decimal("2.5"))

    page = producer_browser.get(f"/producteur/cycles/{cycle.id}/offres/").content.decode()

    quantity = re.search(rf'<input[^>]*id="q-{world.product.id}"[^>]*>', page).group(0)
    assert 'type="text"' in quantity and 'inputmode="decimal"' in quantity
    assert 'value="2,5"' in quantity
    assert 'type="number"' not in page
