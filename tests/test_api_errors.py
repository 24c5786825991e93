"""Every answer under /api/v1/ is the contract's body, whatever goes wrong: unknown paths and
methods, numbers too large for the database, digits of other scripts, bodies too large."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from orders.models import Order

HUGE = "99999999999999999999"  # past 2⁶³ − 1


def test_an_unknown_api_path_answers_json(coordinator_client):
    response = coordinator_client.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "code": "not_found",
        "message": "Cette page n'existe pas, ou ne vous est pas accessible.",
    }


def test_trace_answers_405_in_json(coordinator_client):
    response = coordinator_client.generic("TRACE", "/api/v1/me/")

    assert response.status_code == 405
    assert set(response.json()) == {"code", "message"}
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    "path",
    [f"/api/v1/orders/{HUGE}/", f"/api/v1/cycles/{HUGE}/routes/", f"/api/v1/rounds/{HUGE}/pdf/"],
)
def test_an_id_too_large_is_not_found(coordinator_client, path):
    response = coordinator_client.get(path)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_id_too_large_in_a_filter_is_refused(volunteer_client, market):
    response = volunteer_client.get(f"/api/v1/orders/?cycle={HUGE}")

    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "fields"}


def test_an_id_too_large_in_a_body_is_refused_and_nothing_stored(volunteer_client, market):
    response = volunteer_client.post(
        "/api/v1/orders/",
        {"cycle": market.cycle.id, "grocery": HUGE, "lines": [{"offer": HUGE, "quantity": "1"}]},
        format="json",
    )

    assert response.status_code == 400
    assert Order.objects.count() == 0


@pytest.mark.parametrize("quantity", ["２", "٣", "1,５"])
def test_digits_of_other_scripts_are_refused(volunteer_client, market, world, quantity):
    response = volunteer_client.post(
        "/api/v1/orders/",
        {
            "cycle": market.cycle.id,
            "grocery": world.grocery.id,
            "lines": [{"offer": market.offers[0].id, "quantity": quantity}],
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["lines.0.quantity"]
    assert Order.objects.count() == 0


def test_digits_of_other_scripts_are_refused_in_the_screens(world, market):
    browser = Client()
    browser.force_login(world.volunteer)

    page = browser.post(
        f"/epicerie/cycles/{market.cycle.id}/commande/", {f"q-{market.offers[0].id}": "２"}
    )

    assert page.status_code == 200
    assert "« ２ » n&#x27;est pas une quantité." in page.content.decode()
    assert Order.objects.count() == 0


def test_a_screen_that_does_not_exist_is_a_french_page_in_the_frame(world):
    browser = Client()
    browser.force_login(world.volunteer)

    page = browser.get("/nulle-part/")

    assert page.status_code == 404
    html = page.content.decode()
    assert "<h1>Page introuvable</h1>" in html
    assert 'class="brand"' in html  # the site's frame


def test_a_decision_starting_later_is_pending_and_cannot_order_yet(
    ccas_client, volunteer_client, market
):
    today = timezone.localdate()
    household = market.household
    household.valid_from, household.valid_until = (
        today + timedelta(days=30),
        today + timedelta(days=120),
    )
    household.save()

    answer = ccas_client.get(f"/api/v1/households/{household.id}/").json()
    order = volunteer_client.post(
        "/api/v1/orders/",
        {
            "cycle": market.cycle.id,
            "household": household.id,
            "lines": [{"offer": market.offers[0].id, "quantity": "1"}],
        },
        format="json",
    )

    assert answer["status"] == "pending"
    assert order.status_code == 409
    assert order.json()["code"] == "household_inactive"
    assert "(en attente)" in order.json()["message"]


def test_an_unknown_api_path_answers_json_even_with_debug_on(coordinator_client, settings):
    settings.DEBUG = True  # the embedded default (make run)

    response = coordinator_client.get("/api/v1/nothing-here/at-all/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
