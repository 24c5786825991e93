"""Season contracts (DESIGN.md §10): signed by both sides, carried by each cycle of the season,
served before the shortage rule, shortfalls recorded, a statement of what is left."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.choices import Role
from orders.models import Order, OrderLine
from supply.contracts import contract_cover_warnings
from supply.models import ContractPrepayment, ContractShortfall, SeasonContract
from supply.services import cycle_close, cycle_confirm, cycle_open, purchase_list_confirm
from tests import factories
from tests.helpers import client_for


def contract_body(world, first, **changes):
    return {
        "name": "Carottes de la saison",
        "producer": world.producer.id,
        "unit_price_ht": "1.50",
        "first_delivery": first.isoformat(),
        "last_delivery": (first + timedelta(days=14)).isoformat(),  # three weekly deliveries
        "prepayment_rate": "0.300",
        "programme": world.funder.id,
        "programme_share": "0.700",
        "lines": [
            {
                "product": world.product.id,
                "grocery": world.grocery.id,
                "quantity_per_delivery": "4",
            },
            {
                "product": world.product.id,
                "grocery": world.other_grocery.id,
                "quantity_per_delivery": "3",
            },
        ],
        **changes,
    }


@pytest.fixture
def season(world, coordinator_client, producer_client):
    """A contract signed by both sides, and the first cycle of its season, still a draft,
    with 10 kg of carrots offered."""
    now = timezone.now()
    cycle = factories.OrderCycleFactory(
        hub=world.hub,
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(days=1),
        confirm_by=now + timedelta(days=2),
        delivery_date=timezone.localdate() + timedelta(days=3),
    )
    offer = factories.OfferFactory(
        cycle=cycle, product=world.product, quantity_available=Decimal("10")
    )
    created = coordinator_client.post(
        "/api/v1/contracts/", contract_body(world, cycle.delivery_date), format="json"
    )
    assert created.status_code == 201, created.json()
    contract_id = created.json()["id"]
    assert created.json()["groceries"] == sorted([world.grocery.id, world.other_grocery.id])
    signed_by_producer = producer_client.post(f"/api/v1/contracts/{contract_id}/sign/")
    assert signed_by_producer.json()["status"] == "draft"  # one signature of two
    signed = coordinator_client.post(f"/api/v1/contracts/{contract_id}/sign/").json()
    assert signed["status"] == "signed"
    assert signed["producer_signed_by"] == world.producer_user.username
    assert signed["coordinator_signed_by"] == world.coordinator.username
    return SeasonContract.objects.get(pk=contract_id), cycle, offer


def test_signing_records_the_prepayment_owed_by_the_programme_and_the_groceries(season, world):
    contract, _cycle, _offer = season

    # Season: grocery A 3 × 4 kg × 1.50 = 18.00 HT + 0.99 VAT = 18.99; grocery B 3 × 3 kg =
    # 13.50 + 0.74 = 14.24; 33.23 in all. 30 % = 9.97, the programme's 70 % of it = 6.98, the
    # groceries' 2.99 pro rata 18.99 : 14.24 = 1.7087 : 1.2813 → 1.71 and 1.28 to the cent.
    owed = {
        (row.funder_id, row.grocery_id): row.amount
        for row in ContractPrepayment.objects.filter(contract=contract)
    }
    assert owed == {
        (world.funder.id, None): Decimal("6.98"),
        (None, world.grocery.id): Decimal("1.71"),
        (None, world.other_grocery.id): Decimal("1.28"),
    }


def test_contract_lines_are_served_before_the_shortage_rule_and_shortfalls_recorded(
    season, world, market, django_capture_on_commit_callbacks
):
    contract, cycle, offer = season
    now = timezone.now()
    cycle_open(cycle_id=cycle.id, user=world.coordinator, now=now)
    contract_orders = {
        order.grocery_id: order for order in Order.objects.filter(cycle=cycle, contract=contract)
    }
    assert set(contract_orders) == {world.grocery.id, world.other_grocery.id}
    line_a = OrderLine.objects.get(order=contract_orders[world.grocery.id])
    # At the contract's price, not the offer's 2.00: 4 × 1.50 = 6.00 + 0.33 VAT.
    assert (line_a.quantity, line_a.unit_price_ht, line_a.line_ttc) == (
        Decimal("4"),
        Decimal("1.50"),
        Decimal("6.33"),
    )
    # A household asks 2 kg and a third grocery 6: 15 kg asked of 10 offered.
    third = factories.GroceryFactory()
    volunteer = factories.member(Role.GROCERY_VOLUNTEER, third.organisation)
    household = factories.enrol(world, funder=market.funder)
    answers = [
        client_for(world.volunteer).post(
            "/api/v1/orders/",
            {
                "cycle": cycle.id,
                "household": household.id,
                "lines": [{"offer": offer.id, "quantity": "2"}],
            },
            format="json",
        ),
        client_for(volunteer).post(
            "/api/v1/orders/",
            {
                "cycle": cycle.id,
                "grocery": third.id,
                "lines": [{"offer": offer.id, "quantity": "6"}],
            },
            format="json",
        ),
    ]
    assert [answer.status_code for answer in answers] == [201, 201], [a.json() for a in answers]
    # The volunteer cannot change the contract's order: it moves with the contract.
    patched = client_for(world.volunteer).patch(
        f"/api/v1/orders/{contract_orders[world.grocery.id].id}/",
        {"lines": [{"offer": offer.id, "quantity": "40"}]},
        format="json",
    )
    assert patched.status_code == 409
    assert patched.json()["code"] == "contract_order"

    with django_capture_on_commit_callbacks(execute=True):
        cycle_close(cycle_id=cycle.id, user=world.coordinator, now=now)

    def served(order_id):
        line = OrderLine.objects.get(order_id=order_id, offer=offer)
        return line.allocated_quantity if line.allocated_quantity is not None else line.quantity

    # Contracts first (4 + 3 = 7 in full), then the household (2), the grocery gets what is
    # left (1 of its 6).
    assert served(contract_orders[world.grocery.id].id) == 4
    assert served(contract_orders[world.other_grocery.id].id) == 3
    assert served(answers[0].json()["id"]) == 2
    assert served(answers[1].json()["id"]) == 1

    # The producer can supply only 5 kg: the contracts share them on what they asked
    # (4 : 3 → quotas 2.857 and 2.143 → 2 and 2, the remaining kilo to the largest
    # remainder: A), nothing is left for the household nor the grocery.
    purchase_list = cycle.purchase_lists.get(producer=world.producer)
    purchase_list_confirm(purchase_list=purchase_list, confirmed={offer.id: Decimal("5")}, now=now)
    with django_capture_on_commit_callbacks(execute=True):
        cycle_confirm(cycle_id=cycle.id, user=world.coordinator, now=now, missing_as_zero=True)

    confirmed = {
        line.order_id: line.confirmed_quantity for line in OrderLine.objects.filter(offer=offer)
    }
    assert confirmed == {
        contract_orders[world.grocery.id].id: Decimal("3"),
        contract_orders[world.other_grocery.id].id: Decimal("2"),
        answers[0].json()["id"]: Decimal("0"),
        answers[1].json()["id"]: Decimal("0"),
    }
    shortfalls = {
        (row.line.grocery_id, row.asked, row.delivered)
        for row in ContractShortfall.objects.filter(cycle=cycle).select_related("line")
    }
    assert shortfalls == {
        (world.grocery.id, Decimal("4"), Decimal("3")),
        (world.other_grocery.id, Decimal("3"), Decimal("2")),
    }

    statement = (
        client_for(world.coordinator).get(f"/api/v1/contracts/{contract.id}/statement/").json()
    )
    line = next(row for row in statement["lines"] if row["grocery"] == world.grocery.id)
    # 3 kg delivered: 4.50 + 0.25 VAT = 4.75; 1 kg short: 1.50 + 0.08 = 1.58; of the season's
    # 18.99, 18.99 − 4.75 − 1.58 = 12.66 is left to deliver.
    assert (line["asked"], line["delivered"], line["short"]) == ("4.000", "3.000", "1.000")
    assert (line["delivered_value"], line["short_value"], line["left_value"]) == (
        "4.75",
        "1.58",
        "12.66",
    )
    assert statement["deliveries"] == 3
    assert statement["prepaid"] == "9.97"
    # The volunteer of grocery A reads its own lines only; the third grocery's, none.
    own = client_for(world.volunteer).get(f"/api/v1/contracts/{contract.id}/statement/").json()
    assert [row["grocery"] for row in own["lines"]] == [world.grocery.id]
    assert own["prepaid"] == "1.71"
    assert client_for(volunteer).get(f"/api/v1/contracts/{contract.id}/").status_code == 404


def test_an_offer_below_the_contracts_is_warned_and_a_missing_one_is_made(season, world):
    contract, cycle, offer = season
    offer.quantity_available = Decimal("5")
    offer.save()

    (warning,) = contract_cover_warnings(cycle=cycle, producer=world.producer)

    assert warning["code"] == "contract_not_covered"
    assert "5" in warning["message"] and "7" in warning["message"]
    # A cycle of the season without the offer gets one, with what the contracts take.
    later = factories.OrderCycleFactory(
        hub=world.hub, delivery_date=cycle.delivery_date + timedelta(days=7)
    )
    cycle_open(cycle_id=later.id, user=world.coordinator, now=timezone.now())
    made = later.offers.get(product=world.product)
    assert made.quantity_available == 7
    assert Order.objects.filter(cycle=later, contract=contract).count() == 2
    # Another cycle of the same week (another hub's, or a Thursday beside a Monday) does
    # not carry the contract a second time: it delivers once a week.
    same_week = factories.OrderCycleFactory(hub=world.hub, delivery_date=later.delivery_date)
    cycle_open(cycle_id=same_week.id, user=world.coordinator, now=timezone.now())
    assert not Order.objects.filter(cycle=same_week, contract=contract).exists()
    assert contract_cover_warnings(cycle=same_week) == []
    # Opening again places nothing twice; a cycle after the season carries nothing.
    after = factories.OrderCycleFactory(
        hub=world.hub, delivery_date=contract.last_delivery + timedelta(days=7)
    )
    cycle_open(cycle_id=after.id, user=world.coordinator, now=timezone.now())
    assert not Order.objects.filter(cycle=after).exists()


def test_a_signed_contract_no_longer_changes(season, coordinator_client):
    contract, _cycle, _offer = season

    answer = coordinator_client.patch(
        f"/api/v1/contracts/{contract.id}/", {"unit_price_ht": "9.00"}, format="json"
    )

    assert answer.status_code == 409
    assert answer.json()["code"] == "contract_signed"
    contract.refresh_from_db()
    assert contract.unit_price_ht == Decimal("1.50")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ("other_producer", "lines.0.product"),
        ("past", "last_delivery"),
        ("backwards", "last_delivery"),
        ("half_piece", "lines.0.quantity_per_delivery"),
        ("share_without_programme", "programme"),
    ],
)
def test_a_contract_that_cannot_hold_is_refused_and_nothing_stored(
    coordinator_client, world, changes, field
):
    today = timezone.localdate()
    body = contract_body(world, today + timedelta(days=3))
    if changes == "other_producer":
        body["lines"][0]["product"] = world.other_product.id
    elif changes == "past":
        body["first_delivery"] = (today - timedelta(days=60)).isoformat()
        body["last_delivery"] = (today - timedelta(days=1)).isoformat()
    elif changes == "backwards":
        body["last_delivery"] = (today - timedelta(days=10)).isoformat()
    elif changes == "half_piece":
        eggs = factories.ProductFactory(producer=world.producer, unit="piece")
        body["lines"][0].update(product=eggs.id, quantity_per_delivery="1.5")
    else:
        body["programme"] = None

    answer = coordinator_client.post("/api/v1/contracts/", body, format="json")

    assert answer.status_code == 400
    assert field in answer.json()["fields"], answer.json()
    assert SeasonContract.objects.count() == 0


def test_a_season_that_ended_is_not_signed(season, coordinator_client, world):
    _contract, _cycle, _offer = season
    draft = SeasonContract.objects.create(
        producer=world.producer,
        name="Ancienne saison",
        unit_price_ht=Decimal("1"),
        first_delivery=timezone.localdate() - timedelta(days=30),
        last_delivery=timezone.localdate() - timedelta(days=2),
        created_by=world.coordinator,
        created_at=timezone.now(),
    )

    answer = coordinator_client.post(f"/api/v1/contracts/{draft.id}/sign/")

    assert answer.status_code == 409
    assert answer.json()["code"] == "contract_ended"
    draft.refresh_from_db()
    assert draft.coordinator_signed_at is None
