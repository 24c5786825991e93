from decimal import Decimal

import pytest

from accounting.models import Envelope
from orders.models import Household, Order, OrderLine
from tests.helpers import client_for


def household_order(market, *lines):
    return {
        "cycle": market.cycle.id,
        "household": market.household.id,
        "lines": [{"offer": market.offers[index].id, "quantity": qty} for index, qty in lines],
    }


def grouped_order(market, world, *lines):
    return {
        "cycle": market.cycle.id,
        "grocery": world.grocery.id,
        "lines": [{"offer": market.offers[index].id, "quantity": qty} for index, qty in lines],
    }


def state(market):
    envelope = Envelope.objects.get(pk=market.envelope.pk)
    return (Order.objects.count(), OrderLine.objects.count(), envelope.committed)


def test_household_order_follows_the_tariff_split_to_the_cent(volunteer_client, market):
    response = volunteer_client.post(
        "/api/v1/orders/", household_order(market, (0, "3"), (1, "2")), format="json"
    )

    assert response.status_code == 201, response.json()
    order = response.json()
    assert order["household"] == market.household.reference
    assert order["grocery"] is None
    assert order["status"] == "submitted"
    first, second = order["lines"]
    # 3 kg × 2.00 € HT: 6.00 HT, 0.33 VAT, 6.33 TTC; T1 pays 10 %: 0.63, subsidy 5.70.
    assert (first["line_ht"], first["line_ttc"], first["beneficiary_share"], first["subsidy"]) == (
        "6.00",
        "6.33",
        "0.63",
        "5.70",
    )
    # 2 × 2.30 € HT: 4.60 HT, 0.253 → 0.25 VAT, 4.85 TTC; 0.485 → 0.49 (half-up), 4.36.
    assert (
        second["line_ht"],
        second["line_ttc"],
        second["beneficiary_share"],
        second["subsidy"],
    ) == ("4.60", "4.85", "0.49", "4.36")
    assert (
        order["total_ht"],
        order["total_ttc"],
        order["beneficiary_total"],
        order["subsidy_total"],
    ) == ("10.60", "11.18", "1.12", "10.06")
    assert Envelope.objects.get(pk=market.envelope.pk).committed == Decimal("10.06")


def test_grouped_order_pays_the_whole_price(volunteer_client, market, world):
    response = volunteer_client.post(
        "/api/v1/orders/", grouped_order(market, world, (2, "25")), format="json"
    )

    order = response.json()
    assert response.status_code == 201
    assert order["grocery"] == world.grocery.id and order["household"] is None
    # 25 kg × 1.10: 27.50 HT, 1.5125 → 1.51 VAT, 29.01 TTC; the grocery pays it all.
    assert (
        order["total_ht"],
        order["total_ttc"],
        order["beneficiary_total"],
        order["subsidy_total"],
    ) == ("27.50", "29.01", "0.00", "0.00")


def test_second_grouped_order_for_the_grocery_is_refused(volunteer_client, market, world):
    body = grouped_order(market, world, (0, "1"))
    volunteer_client.post("/api/v1/orders/", body, format="json")
    before = state(market)

    response = volunteer_client.post("/api/v1/orders/", body, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "order_exists"
    assert state(market) == before


def test_same_idempotency_key_gives_one_order_and_the_same_body(volunteer_client, market):
    body = household_order(market, (0, "1"))

    first = volunteer_client.post(
        "/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="commande-42"
    )
    second = volunteer_client.post(
        "/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="commande-42"
    )

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Order.objects.filter(household=market.household).count() == 1
    assert Envelope.objects.get(pk=market.envelope.pk).committed == Decimal("1.90")


def test_cap_exceeded_is_refused_and_changes_nothing(volunteer_client, market):
    before = state(market)

    # 15 kg × 2.00 = 30.00 HT → 31.65 TTC, above the 30 € cap of a two-person household.
    response = volunteer_client.post(
        "/api/v1/orders/", household_order(market, (0, "15")), format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "cap_exceeded"
    assert "plafond 30,00 €" in response.json()["message"]
    assert state(market) == before


def test_exhausted_envelope_is_refused(volunteer_client, market):
    Envelope.objects.filter(pk=market.envelope.pk).update(amount=Decimal("5.00"))
    before = state(market)

    response = volunteer_client.post(
        "/api/v1/orders/", household_order(market, (0, "3")), format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "envelope_exhausted"
    assert state(market) == before


@pytest.mark.parametrize("change", ["expired", "suspended", "not_yet_valid"])
def test_inactive_household_is_refused(volunteer_client, market, change):
    from django.utils import timezone

    delivery = market.cycle.delivery_date
    updates = {
        "expired": {"valid_until": delivery - timezone.timedelta(days=1)},
        "suspended": {"suspended_at": timezone.now()},
        "not_yet_valid": {
            "valid_from": delivery + timezone.timedelta(days=1),
            "valid_until": delivery + timezone.timedelta(days=100),
        },
    }[change]
    Household.objects.filter(pk=market.household.pk).update(**updates)
    before = state(market)

    response = volunteer_client.post(
        "/api/v1/orders/", household_order(market, (0, "1")), format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "household_inactive"
    assert state(market) == before


def test_closed_cycle_refuses_orders(volunteer_client, market):
    market.cycle.status = "closed"
    market.cycle.save()
    before = state(market)

    response = volunteer_client.post(
        "/api/v1/orders/", household_order(market, (0, "1")), format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "cycle_not_open"
    assert state(market) == before


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([(2, "3")], "lines.0.quantity"),  # potatoes come by 2.5 kg
        ([(0, "-1")], "lines.0.quantity"),
        ([(0, "0")], "lines.0.quantity"),
        ([(0, "abc")], "lines.0.quantity"),
        ([], "lines"),
        ([(0, "1"), (0, "2")], "lines"),
    ],
)
def test_bad_lines_are_refused(volunteer_client, market, lines, field):
    before = state(market)

    response = volunteer_client.post(
        "/api/v1/orders/", household_order(market, *lines), format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["fields"], response.json()
    assert state(market) == before


def test_offer_of_another_cycle_is_refused(volunteer_client, market, world):
    from tests import factories

    stranger = factories.OfferFactory(product=world.product)
    before = state(market)

    response = volunteer_client.post(
        "/api/v1/orders/",
        {
            "cycle": market.cycle.id,
            "household": market.household.id,
            "lines": [{"offer": stranger.id, "quantity": "1"}],
        },
        format="json",
    )

    assert response.status_code == 400
    assert "lines.0.offer" in response.json()["fields"]
    assert state(market) == before


def test_household_of_another_grocery_is_unknown(world, market):
    client = client_for(world.other_volunteer)
    before = state(market)

    response = client.post("/api/v1/orders/", household_order(market, (0, "1")), format="json")

    assert response.status_code == 400
    assert "household" in response.json()["fields"]
    assert state(market) == before


def test_both_or_neither_grocery_and_household_is_refused(volunteer_client, market, world):
    neither = volunteer_client.post(
        "/api/v1/orders/",
        {"cycle": market.cycle.id, "lines": [{"offer": market.offers[0].id, "quantity": "1"}]},
        format="json",
    )
    both = volunteer_client.post(
        "/api/v1/orders/",
        {**household_order(market, (0, "1")), "grocery": world.grocery.id},
        format="json",
    )

    assert neither.status_code == both.status_code == 400
    assert not Order.objects.exists()


def test_editing_lines_moves_the_commitment(volunteer_client, market):
    order = volunteer_client.post(
        "/api/v1/orders/", household_order(market, (0, "3")), format="json"
    ).json()

    response = volunteer_client.patch(
        f"/api/v1/orders/{order['id']}/",
        {"lines": [{"offer": market.offers[1].id, "quantity": "2"}]},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["subsidy_total"] == "4.36"
    assert [line["offer"] for line in response.json()["lines"]] == [market.offers[1].id]
    assert Envelope.objects.get(pk=market.envelope.pk).committed == Decimal("4.36")


def test_edit_passing_the_cap_changes_nothing(volunteer_client, market):
    order = volunteer_client.post(
        "/api/v1/orders/", household_order(market, (0, "3")), format="json"
    ).json()
    before = state(market)

    response = volunteer_client.patch(
        f"/api/v1/orders/{order['id']}/",
        {"lines": [{"offer": market.offers[0].id, "quantity": "20"}]},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "cap_exceeded"
    assert state(market) == before
    assert volunteer_client.get(f"/api/v1/orders/{order['id']}/").json() == {
        key: value for key, value in order.items() if key != "warnings"
    }


def test_cancelling_releases_the_commitment(volunteer_client, market):
    order = volunteer_client.post(
        "/api/v1/orders/", household_order(market, (0, "3")), format="json"
    ).json()

    response = volunteer_client.delete(f"/api/v1/orders/{order['id']}/")
    again = volunteer_client.post(
        "/api/v1/orders/", household_order(market, (0, "3")), format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert again.status_code == 201  # a cancelled order does not block a new one
    assert Envelope.objects.get(pk=market.envelope.pk).committed == Decimal("5.70")


def test_ordering_more_than_offered_is_allowed_but_warned(volunteer_client, market, world):
    response = volunteer_client.post(
        "/api/v1/orders/", grouped_order(market, world, (2, "150")), format="json"
    )
    offer = volunteer_client.get(f"/api/v1/offers/{market.offers[2].id}/").json()

    assert response.status_code == 201
    assert response.json()["warnings"][0]["code"] == "offer_short"
    assert offer["quantity_ordered"] == "150.000"
    assert offer["quantity_remaining"] == "0.000"


def test_volunteer_sees_own_orders_only(world, market, volunteer_client):
    volunteer_client.post("/api/v1/orders/", household_order(market, (0, "1")), format="json")
    order_id = Order.objects.get().id

    mine = volunteer_client.get("/api/v1/orders/").json()
    theirs = client_for(world.other_volunteer).get(f"/api/v1/orders/{order_id}/")

    assert mine["count"] == 1
    assert theirs.status_code == 404


def test_answers_to_writes_are_the_order_as_read_back(volunteer_client, market, world):
    # The write answers are made from the rows the services wrote, not read back.
    created = volunteer_client.post(
        "/api/v1/orders/", household_order(market, (0, "3"), (1, "2")), format="json"
    ).json()
    changed = volunteer_client.patch(
        f"/api/v1/orders/{created['id']}/",
        {"lines": [{"offer": market.offers[2].id, "quantity": "7.5"}]},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    changed = changed.json()
    grouped = volunteer_client.post(
        "/api/v1/orders/", grouped_order(market, world, (1, "4")), format="json"
    )
    assert grouped.status_code == 201, grouped.json()
    grouped = grouped.json()

    for answer in (changed, grouped):
        read = volunteer_client.get(f"/api/v1/orders/{answer['id']}/").json()
        assert {key: value for key, value in answer.items() if key != "warnings"} == read
    assert changed["household"] == market.household.reference
    assert [line["quantity"] for line in changed["lines"]] == ["7.500"]


def test_cancelled_orders_do_not_count_in_what_an_offer_has_left(volunteer_client, market):
    order = volunteer_client.post(
        "/api/v1/orders/", household_order(market, (0, "3")), format="json"
    ).json()
    before = volunteer_client.get(f"/api/v1/offers/{market.offers[0].id}/").json()

    volunteer_client.delete(f"/api/v1/orders/{order['id']}/")
    after = volunteer_client.get(f"/api/v1/offers/{market.offers[0].id}/").json()
    listed = volunteer_client.get(f"/api/v1/offers/?cycle={market.cycle.id}").json()["results"]

    assert before["quantity_ordered"] == "3.000"
    assert after["quantity_ordered"] == "0.000"
    assert {offer["quantity_ordered"] for offer in listed} == {"0.000"}
