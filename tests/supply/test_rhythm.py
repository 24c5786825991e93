"""The weekly rhythm (DESIGN.md §10): schedules, copies, standing offers and orders, repeats."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from freezegun import freeze_time

from orders import standing
from orders.models import Order, StandingOrder, StandingOrderRun
from producers.models import Offer
from supply import rhythm
from supply.models import CycleSchedule, OrderCycle
from supply.services import cycles_advance_due
from tests import factories
from tests.helpers import client_for

# A Tuesday, nine days before the Ascension of 2027 (Thursday 6 May).
BEFORE_ASCENSION = "2027-04-20 08:00:00"  # UTC: 10:00 in Lille

THURSDAYS = {
    "name": "Livraison du jeudi",
    "delivery_weekday": 3,
    "opens_days_before": 6,  # Friday 9:00
    "opens_at_time": time(9),
    "closes_days_before": 2,  # Tuesday 12:00
    "closes_at_time": time(12),
    "confirm_days_before": 1,  # Wednesday 18:00
    "confirm_at_time": time(18),
    "weeks_ahead": 8,
}


def schedule_body(world, **changes):
    return {**THURSDAYS, "hub": world.hub.id, **changes}


@freeze_time(BEFORE_ASCENSION)
def test_a_schedule_makes_eight_weeks_of_cycles_but_ascension_and_nothing_twice(
    coordinator_client, world
):
    created = coordinator_client.post(
        "/api/v1/cycle-schedules/", schedule_body(world), format="json"
    )
    assert created.status_code == 201, created.json()
    schedule_id = created.json()["id"]

    answer = coordinator_client.post(f"/api/v1/cycle-schedules/{schedule_id}/generate/")

    assert answer.status_code == 200
    result = answer.json()
    assert result["skipped"] == [{"date": "2027-05-06", "reason": "Jour férié : Ascension"}]
    cycles = OrderCycle.objects.filter(schedule_id=schedule_id).order_by("delivery_date")
    assert sorted(result["created"]) == sorted(cycle.id for cycle in cycles)
    assert [cycle.delivery_date for cycle in cycles] == [
        date(2027, 4, 22),
        date(2027, 4, 29),
        date(2027, 5, 13),
        date(2027, 5, 20),
        date(2027, 5, 27),
        date(2027, 6, 3),
        date(2027, 6, 10),
    ]
    first = cycles[0]
    # Opening a week before in the operating zone, on Friday the 16th: already past, so the
    # scheduler opens it at its next pass; closing Tuesday 20 at 12:00, Paris time.
    assert timezone.localtime(first.opens_at).isoformat() == "2027-04-16T09:00:00+02:00"
    assert timezone.localtime(first.closes_at).isoformat() == "2027-04-20T12:00:00+02:00"
    assert timezone.localtime(first.confirm_by).isoformat() == "2027-04-21T18:00:00+02:00"
    assert {cycle.status for cycle in cycles} == {"draft"}

    again = coordinator_client.post(f"/api/v1/cycle-schedules/{schedule_id}/generate/").json()
    assert again["created"] == []
    assert OrderCycle.objects.filter(schedule_id=schedule_id).count() == 7


@freeze_time(BEFORE_ASCENSION)
def test_excluded_and_cancelled_weeks_are_not_made_again(coordinator_client, world):
    schedule = rhythm.schedule_create(
        hub=world.hub, **{**THURSDAYS, "weeks_ahead": 3, "excluded_dates": ["2027-04-29"]}
    )
    rhythm.schedule_generate(schedule=schedule, now=timezone.now())
    (cycle,) = OrderCycle.objects.filter(schedule=schedule)
    assert cycle.delivery_date == date(2027, 4, 22)

    cancelled = coordinator_client.post(f"/api/v1/cycles/{cycle.id}/cancel/")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    result = rhythm.schedule_generate(schedule=schedule, now=timezone.now())

    assert result["created"] == []
    assert {row["reason"] for row in result["skipped"]} == {
        "Exclue par la coordination",
        "Jour férié : Ascension",
    }
    # A cancelled cycle cannot be opened, and only a draft is cancelled.
    assert coordinator_client.post(f"/api/v1/cycles/{cycle.id}/open/").status_code == 409
    other = factories.OrderCycleFactory(hub=world.hub, status="open")
    refused = coordinator_client.post(f"/api/v1/cycles/{other.id}/cancel/")
    assert refused.status_code == 409
    assert refused.json()["code"] == "cycle_not_draft"


@freeze_time(BEFORE_ASCENSION)
def test_a_generated_cycle_is_edited_as_any_draft(coordinator_client, world):
    schedule = rhythm.schedule_create(hub=world.hub, **{**THURSDAYS, "weeks_ahead": 2})
    created = rhythm.schedule_generate(schedule=schedule, now=timezone.now())["created"]
    cycle_id = created[-1]

    answer = coordinator_client.patch(
        f"/api/v1/cycles/{cycle_id}/", {"name": "Jeudi exceptionnel"}, format="json"
    )

    assert answer.status_code == 200
    assert OrderCycle.objects.get(pk=cycle_id).name == "Jeudi exceptionnel"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"closes_days_before": 7}, "closes_days_before"),  # closes before it opens
        ({"confirm_days_before": 3}, "confirm_days_before"),  # confirms before closing
        ({"delivery_weekday": 7}, "delivery_weekday"),
        ({"weeks_ahead": 0}, "weeks_ahead"),
        ({"excluded_dates": ["le 14 juillet"]}, "excluded_dates"),
    ],
)
def test_a_schedule_that_makes_no_sense_is_refused(coordinator_client, world, changes, field):
    answer = coordinator_client.post(
        "/api/v1/cycle-schedules/", schedule_body(world, **changes), format="json"
    )

    assert answer.status_code == 400
    assert any(name.split(".")[0] == field for name in answer.json()["fields"]), answer.json()
    assert CycleSchedule.objects.count() == 0


def test_two_schedules_for_one_hub_and_weekday_are_refused(coordinator_client, world):
    assert (
        coordinator_client.post(
            "/api/v1/cycle-schedules/", schedule_body(world), format="json"
        ).status_code
        == 201
    )

    answer = coordinator_client.post(
        "/api/v1/cycle-schedules/", schedule_body(world, name="Doublon"), format="json"
    )

    assert answer.status_code == 400
    assert "Livraison du jeudi" in answer.json()["fields"]["delivery_weekday"][0]
    assert CycleSchedule.objects.count() == 1
    # Another weekday from the same hub is fine.
    other_day = schedule_body(world, name="Mardi", delivery_weekday=1)
    assert (
        coordinator_client.post("/api/v1/cycle-schedules/", other_day, format="json").status_code
        == 201
    )


def test_only_the_coordinator_reads_schedules(world):
    rhythm.schedule_create(hub=world.hub, **THURSDAYS)
    for user in (world.volunteer, world.producer_user, world.ccas_staff, world.official):
        assert client_for(user).get("/api/v1/cycle-schedules/").status_code == 403


# --- Standing offers ---------------------------------------------------------------------


@freeze_time(BEFORE_ASCENSION)
def test_standing_offers_come_back_in_each_new_cycle_at_the_current_price(world):
    earlier = factories.OrderCycleFactory(
        hub=world.hub, status="settled", delivery_date=date(2027, 4, 15)
    )
    standing_product = world.product
    plain_product = factories.ProductFactory(producer=world.producer, name="Navets")
    retired = factories.ProductFactory(producer=world.producer, name="Blettes")
    Offer.objects.create(
        cycle=earlier,
        product=standing_product,
        quantity_available=Decimal("40"),
        unit_price_ht=Decimal("1.80"),
        is_standing=True,
    )
    for product in (plain_product, retired):
        Offer.objects.create(
            cycle=earlier,
            product=product,
            quantity_available=Decimal("10"),
            unit_price_ht=Decimal("1.00"),
            is_standing=product == retired,
        )
    retired.is_active = False
    retired.save()
    standing_product.unit_price_ht = Decimal("2.10")  # the catalogue price moved since
    standing_product.save()
    schedule = rhythm.schedule_create(hub=world.hub, **{**THURSDAYS, "weeks_ahead": 3})

    rhythm.schedule_generate(schedule=schedule, now=timezone.now())

    offers = Offer.objects.filter(cycle__schedule=schedule).order_by("cycle__delivery_date")
    assert [
        (offer.cycle.delivery_date, offer.product_id, offer.quantity_available, offer.unit_price_ht)
        for offer in offers
    ] == [
        (date(2027, 4, 22), standing_product.id, Decimal("40"), Decimal("2.10")),
        (date(2027, 4, 29), standing_product.id, Decimal("40"), Decimal("2.10")),
    ]
    assert all(offer.is_standing for offer in offers)


def test_a_producer_marks_an_offer_standing_through_the_api(producer_client, world):
    answer = producer_client.patch(
        f"/api/v1/offers/{world.open_offer.id}/", {"is_standing": True}, format="json"
    )

    assert answer.status_code == 200
    assert answer.json()["is_standing"] is True


# --- Copy ----------------------------------------------------------------------------------


def test_a_cycle_is_copied_with_its_offers_to_a_new_date(coordinator_client, world):
    source = world.open_offer.cycle
    factories.OfferFactory(cycle=source, product=world.other_product, quantity_available=7)
    now = timezone.now()
    body = {
        "delivery_date": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "opens_at": (now + timedelta(days=10)).isoformat(),
        "closes_at": (now + timedelta(days=14)).isoformat(),
        "confirm_by": (now + timedelta(days=15)).isoformat(),
    }

    answer = coordinator_client.post(
        f"/api/v1/cycles/{source.id}/copy/", body, format="json", HTTP_IDEMPOTENCY_KEY="copie-1"
    )
    again = coordinator_client.post(
        f"/api/v1/cycles/{source.id}/copy/", body, format="json", HTTP_IDEMPOTENCY_KEY="copie-1"
    )

    assert answer.status_code == 201, answer.json()
    assert again.json() == answer.json()
    copy = OrderCycle.objects.get(pk=answer.json()["id"])
    assert copy.status == "draft"
    assert sorted(copy.offers.values_list("product_id", "quantity_available")) == sorted(
        source.offers.values_list("product_id", "quantity_available")
    )
    wrong = {**body, "closes_at": body["opens_at"]}
    refused = coordinator_client.post(f"/api/v1/cycles/{source.id}/copy/", wrong, format="json")
    assert refused.status_code == 400
    assert OrderCycle.objects.count() == 3  # the world's two and the one copy


# --- Standing orders and repeats ---------------------------------------------------------


def test_standing_orders_are_placed_whole_when_the_cycle_opens_and_only_once(
    world, volunteer_client, market
):
    carrots, eggs, _potatoes = market.offers
    retired = factories.ProductFactory(producer=world.producer, name="Panais")
    grouped = volunteer_client.post(
        "/api/v1/standing-orders/",
        {"lines": [{"product": carrots.product_id, "quantity": "20"}]},
        format="json",
    )
    assert grouped.status_code == 201, grouped.json()
    for_household = volunteer_client.post(
        "/api/v1/standing-orders/",
        {
            "household": market.household.id,
            "lines": [
                {"product": eggs.product_id, "quantity": "2"},
                {"product": retired.id, "quantity": "1"},
            ],
        },
        format="json",
    )
    assert for_household.status_code == 201, for_household.json()
    now = timezone.now()
    cycle = factories.OrderCycleFactory(
        hub=world.hub,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=2),
        confirm_by=now + timedelta(days=3),
        delivery_date=market.cycle.delivery_date,
    )
    for offer in (carrots, eggs):
        factories.OfferFactory(cycle=cycle, product=offer.product)

    first = cycles_advance_due(now=now)
    second = cycles_advance_due(now=now + timedelta(minutes=1))

    assert first["opened"] == [cycle.id] and second["opened"] == []
    placed = Order.objects.get(cycle=cycle, grocery=world.grocery)
    assert [(line.offer.product_id, line.quantity) for line in placed.lines.all()] == [
        (carrots.product_id, Decimal("20.000"))
    ]
    # The household's had a product no longer on offer: nothing of it is placed.
    assert not Order.objects.filter(cycle=cycle, household=market.household).exists()
    run = StandingOrderRun.objects.get(standing_order_id=for_household.json()["id"])
    assert run.outcome == "refused"
    assert "Panais" in run.message
    assert StandingOrderRun.objects.filter(cycle=cycle).count() == 2
    listed = volunteer_client.get("/api/v1/standing-orders/").json()["results"]
    assert {row["runs"][0]["outcome"] for row in listed} == {"placed", "refused"}


def test_a_standing_order_refused_by_the_cap_is_reported_and_changes_nothing(
    world, volunteer_client, market
):
    carrots = market.offers[0]
    standing = volunteer_client.post(
        "/api/v1/standing-orders/",
        {
            "household": market.household.id,
            "lines": [{"product": carrots.product_id, "quantity": "90"}],  # 189.90 € > cap
        },
        format="json",
    ).json()
    cycle = factories.OrderCycleFactory(hub=world.hub, delivery_date=market.cycle.delivery_date)
    factories.OfferFactory(cycle=cycle, product=carrots.product)
    committed = market.envelope.committed

    from supply.services import cycle_open

    cycle_open(cycle_id=cycle.id, user=world.coordinator, now=timezone.now())

    run = StandingOrderRun.objects.get(standing_order_id=standing["id"], cycle=cycle)
    assert run.outcome == "refused"
    assert "plafond" in run.message
    assert not Order.objects.filter(cycle=cycle).exists()
    market.envelope.refresh_from_db()
    assert market.envelope.committed == committed


def test_a_standing_order_for_a_product_no_longer_offered_is_refused(volunteer_client, world):
    world.other_product.is_active = False
    world.other_product.save()

    answer = volunteer_client.post(
        "/api/v1/standing-orders/",
        {"lines": [{"product": world.other_product.id, "quantity": "1"}]},
        format="json",
    )

    assert answer.status_code == 400
    assert answer.json()["fields"]["lines.0.product"] == ["Ce produit n'est plus proposé."]
    assert StandingOrder.objects.count() == 0


def test_the_same_order_as_last_time_is_placed_in_the_open_cycle(world, volunteer_client, market):
    carrots, _eggs, _potatoes = market.offers
    earlier = factories.OrderCycleFactory(
        hub=world.hub, status="open", delivery_date=market.cycle.delivery_date - timedelta(days=7)
    )
    old_carrots = factories.OfferFactory(cycle=earlier, product=carrots.product)
    gone = factories.OfferFactory(
        cycle=earlier, product=factories.ProductFactory(producer=world.producer, name="Radis")
    )
    old = volunteer_client.post(
        "/api/v1/orders/",
        {
            "cycle": earlier.id,
            "grocery": world.grocery.id,
            "lines": [
                {"offer": old_carrots.id, "quantity": "12"},
                {"offer": gone.id, "quantity": "3"},
            ],
        },
        format="json",
    ).json()

    answer = volunteer_client.post(
        f"/api/v1/orders/{old['id']}/repeat/", {"cycle": market.cycle.id}, format="json"
    )

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["cycle"] == market.cycle.id
    assert [(line["offer"], line["quantity"]) for line in body["lines"]] == [(carrots.id, "12.000")]
    assert [warning["code"] for warning in body["warnings"]] == ["not_on_offer"]
    assert "Radis" in body["warnings"][0]["message"]
    # Repeating into a cycle that is not open is refused, and nothing moves.
    draft = volunteer_client.post(
        f"/api/v1/orders/{old['id']}/repeat/", {"cycle": world.draft_cycle.id}, format="json"
    )
    assert draft.status_code == 409
    assert draft.json()["code"] == "cycle_not_open"
    other = client_for(world.other_volunteer).post(
        f"/api/v1/orders/{old['id']}/repeat/", {"cycle": market.cycle.id}, format="json"
    )
    assert other.status_code == 404


def test_a_cycle_made_by_a_schedule_runs_by_beat_to_a_balanced_settlement(
    world, django_capture_on_commit_callbacks
):
    """DESIGN §3–§5 hold for a cycle the schedule made and beat moved: the standing offer
    and the standing order come by themselves, the household order is split to the cent,
    the silent producer counts as zero at the deadline, and the books balance."""
    from django.core.management import call_command

    from accounting.ledger import trial_balance
    from accounting.settlement import cycle_settle
    from supply.services import cycle_deliver, cycle_dispatch, purchase_list_confirm

    capture = django_capture_on_commit_callbacks
    with freeze_time("2027-04-16 08:30:00"):  # Friday 10:30 in Lille, ordering is open
        earlier = factories.OrderCycleFactory(
            hub=world.hub, status="settled", delivery_date=date(2027, 4, 15)
        )
        Offer.objects.create(
            cycle=earlier,
            product=world.product,
            quantity_available=Decimal("30"),
            unit_price_ht=Decimal("2.00"),
            is_standing=True,
        )
        Offer.objects.create(
            cycle=earlier,
            product=world.other_product,
            quantity_available=Decimal("10"),
            unit_price_ht=Decimal("2.00"),
            is_standing=True,
        )
        today = timezone.localdate()
        factories.EnvelopeFactory(
            funder=world.funder,
            period_start=today - timedelta(days=30),
            period_end=today + timedelta(days=60),
            amount=Decimal("100.00"),
        )
        household = factories.enrol(world, funder=world.funder)
        standing.standing_order_create(
            user=world.volunteer,
            grocery=world.grocery,
            lines=[standing.ProductLine(world.product, Decimal("25"))],
            now=timezone.now(),
        )
        schedule = rhythm.schedule_create(hub=world.hub, **{**THURSDAYS, "weeks_ahead": 1})
        (cycle_id,) = rhythm.schedule_generate(schedule=schedule, now=timezone.now())["created"]
        assert cycles_advance_due(now=timezone.now())["opened"] == [cycle_id]
        cycle = OrderCycle.objects.get(pk=cycle_id)
        carrots = cycle.offers.get(product=world.product)
        leeks = cycle.offers.get(product=world.other_product)
        grouped = Order.objects.get(cycle=cycle, grocery=world.grocery)
        answer = client_for(world.volunteer).post(
            "/api/v1/orders/",
            {
                "cycle": cycle.id,
                "household": household.id,
                "lines": [
                    {"offer": carrots.id, "quantity": "7"},
                    {"offer": leeks.id, "quantity": "2"},
                ],
            },
            format="json",
        )
        assert answer.status_code == 201, answer.json()
    with freeze_time("2027-04-20 10:01:00"), capture(execute=True):  # Tuesday 12:01: closed
        assert cycles_advance_due(now=timezone.now())["closed"] == [cycle_id]
    # 32 kg of carrots asked of 30: the household's 7 first, the grocery 23 of its 25.
    line = grouped.lines.get()
    assert line.allocated_quantity == Decimal("23")
    with freeze_time("2027-04-21 10:00:00"):
        purchase_list_confirm(
            purchase_list=cycle.purchase_lists.get(producer=world.producer),
            confirmed={},
            now=timezone.now(),
        )
    with freeze_time("2027-04-21 16:01:00"), capture(execute=True):  # Wednesday 18:01
        assert cycles_advance_due(now=timezone.now())["confirmed"] == [cycle_id]
    # The other producer never answered: its leeks count as zero.
    household_order = Order.objects.get(pk=answer.json()["id"])
    assert household_order.lines.get(offer=leeks).confirmed_quantity == 0
    # 7 kg × 2.00 = 14.00 + 0.77 VAT = 14.77; T1 pays 10 % = 1.48, subsidy 13.29.
    assert (household_order.total_ttc, household_order.beneficiary_total) == (
        Decimal("14.77"),
        Decimal("1.48"),
    )
    with freeze_time("2027-04-22 06:00:00"):
        factories.RoundFactory(cycle=cycle, vehicle=world.vehicle, cost_eur=Decimal("20.00"))
        cycle_dispatch(cycle_id=cycle_id, user=world.coordinator, now=timezone.now())
        cycle_deliver(cycle_id=cycle_id, user=world.coordinator, now=timezone.now())
        result = cycle_settle(cycle_id=cycle_id, user=world.coordinator, now=timezone.now())

    assert result["status"] == "settled"
    balance = trial_balance()
    assert balance["total_debit"] == balance["total_credit"] > 0
    call_command("ledger_check")


@freeze_time(BEFORE_ASCENSION)
def test_an_offer_marked_standing_reaches_the_cycles_already_prepared(producer_client, world):
    schedule = rhythm.schedule_create(hub=world.hub, **{**THURSDAYS, "weeks_ahead": 3})
    first, second = rhythm.schedule_generate(schedule=schedule, now=timezone.now())["created"]
    offer = factories.OfferFactory(
        cycle_id=first, product=world.product, quantity_available=Decimal("12")
    )
    factories.OfferFactory(
        cycle_id=second, product=world.other_product, quantity_available=Decimal("3")
    )

    answer = producer_client.patch(
        f"/api/v1/offers/{offer.id}/", {"is_standing": True}, format="json"
    )

    assert answer.status_code == 200
    spread = Offer.objects.get(cycle_id=second, product=world.product)
    assert (spread.quantity_available, spread.unit_price_ht, spread.is_standing) == (
        Decimal("12"),
        world.product.unit_price_ht,
        True,
    )
    # Marking it again adds nothing twice.
    producer_client.patch(f"/api/v1/offers/{offer.id}/", {"is_standing": True}, format="json")
    assert Offer.objects.filter(cycle_id=second, product=world.product).count() == 1


@freeze_time(BEFORE_ASCENSION)
def test_deleting_a_schedule_that_made_cycles_pauses_it(coordinator_client, world):
    unused = rhythm.schedule_create(hub=world.hub, **{**THURSDAYS, "delivery_weekday": 1})
    used = rhythm.schedule_create(hub=world.hub, **{**THURSDAYS, "weeks_ahead": 2})
    rhythm.schedule_generate(schedule=used, now=timezone.now())

    assert coordinator_client.delete(f"/api/v1/cycle-schedules/{unused.id}/").status_code == 204
    assert coordinator_client.delete(f"/api/v1/cycle-schedules/{used.id}/").status_code == 204

    assert not CycleSchedule.objects.filter(pk=unused.id).exists()
    used.refresh_from_db()
    assert used.is_active is False
    assert used.cycles.count() == 2
    # Paused, it makes nothing; its weekday is free for another schedule.
    assert rhythm.schedules_generate_due(now=timezone.now()) == {"created": []}
    assert (
        coordinator_client.post(
            "/api/v1/cycle-schedules/", schedule_body(world, name="Nouveau jeudi"), format="json"
        ).status_code
        == 201
    )
