"""The rhythm's screens as their people use them: a schedule made and its weeks listed, a
contract created and signed by both sides, the same order as last time, a standing order."""

from datetime import timedelta
from decimal import Decimal

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from freezegun import freeze_time

from orders.models import Order, StandingOrder
from supply.models import CycleSchedule, OrderCycle, SeasonContract
from tests import factories


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@freeze_time("2027-04-20 08:00:00")
def test_a_schedule_is_made_on_its_screen_and_its_weeks_listed(world):
    client = browser_for(world.coordinator)
    fields = {
        "create": "1",
        "name": "Livraison du jeudi",
        "hub": world.hub.id,
        "delivery_weekday": "3",
        "opens_days_before": "6",
        "opens_at_time": "09:00",
        "closes_days_before": "2",
        "closes_at_time": "12:00",
        "confirm_days_before": "1",
        "confirm_at_time": "18:00",
        "weeks_ahead": "3",
        "excluded_dates": "29/04/2027",
    }
    refused = client.post("/coordination/calendrier/", {**fields, "closes_days_before": "8"})
    assert "Les commandes doivent ouvrir avant de fermer." in refused.content.decode()
    assert not CycleSchedule.objects.exists()

    client.post("/coordination/calendrier/", fields)
    schedule = CycleSchedule.objects.get()
    page = client.post("/coordination/calendrier/", {"generate": schedule.id}, follow=True)

    html = page.content.decode()
    assert "1 cycles préparés" in html
    assert "Livraison chaque jeudi" in html
    assert "Jour férié : Ascension" in html and "Exclue par la coordination" in html
    (cycle,) = OrderCycle.objects.filter(schedule=schedule)
    assert f'href="/coordination/cycles/{cycle.id}/"' in html


def test_a_contract_is_created_on_its_screen_and_signed_by_both_sides(world):
    coordinator = browser_for(world.coordinator)
    first = timezone.localdate() + timedelta(days=7)
    fields = {
        "name": "Carottes d'hiver",
        "product": world.product.id,
        "unit_price_ht": "1,40",
        "first_delivery": first.isoformat(),
        "last_delivery": (first + timedelta(weeks=3)).isoformat(),
        "prepayment_percent": "20",
        "programme": "",
        "programme_percent": "0",
        f"g-{world.grocery.id}": "5",
    }

    answer = coordinator.post("/contrats/", fields, follow=True)

    contract = SeasonContract.objects.get()
    assert answer.redirect_chain[-1][0] == f"/contrats/{contract.id}/"
    assert contract.unit_price_ht == Decimal("1.40")
    assert [line.quantity_per_delivery for line in contract.lines.all()] == [Decimal("5")]
    coordinator.post(f"/contrats/{contract.id}/")
    page = browser_for(world.producer_user).get("/contrats/").content.decode()
    assert f'href="/contrats/{contract.id}/"' in page
    browser_for(world.producer_user).post(f"/contrats/{contract.id}/")
    contract.refresh_from_db()
    assert contract.status == "signed"
    # The volunteer of the grocery reads it; another grocery's gets 404.
    assert browser_for(world.volunteer).get(f"/contrats/{contract.id}/").status_code == 200
    assert browser_for(world.other_volunteer).get(f"/contrats/{contract.id}/").status_code == 404
    # A season that ends before it starts is refused in words, and nothing is stored.
    wrong = coordinator.post(
        "/contrats/",
        {**fields, "name": "Autre", "last_delivery": (first - timedelta(days=1)).isoformat()},
    )
    assert SeasonContract.objects.count() == 1
    assert "La dernière livraison vient après la première." in wrong.content.decode()


def test_the_same_order_as_last_time_and_a_standing_order_from_the_order_screen(world, market):
    carrots = market.offers[0]
    earlier = factories.OrderCycleFactory(
        hub=world.hub, status="open", delivery_date=market.cycle.delivery_date - timedelta(days=7)
    )
    old = factories.OfferFactory(cycle=earlier, product=carrots.product)
    client = browser_for(world.volunteer)
    client.post(f"/epicerie/cycles/{earlier.id}/commande/", {f"q-{old.id}": "6", "save": "1"})
    page = client.get(f"/epicerie/cycles/{market.cycle.id}/commande/").content.decode()
    assert "Même commande que la dernière fois" in page

    client.post(f"/epicerie/cycles/{market.cycle.id}/commande/", {"repeat": "1"})
    client.post(f"/epicerie/cycles/{market.cycle.id}/commande/", {"standing": "1"})

    order = Order.objects.get(cycle=market.cycle, grocery=world.grocery)
    assert [(line.offer_id, line.quantity) for line in order.lines.all()] == [
        (carrots.id, Decimal("6"))
    ]
    standing = StandingOrder.objects.get(grocery=world.grocery)
    assert [(line.product_id, line.quantity) for line in standing.lines.all()] == [
        (carrots.product_id, Decimal("6"))
    ]


def test_no_screen_shares_its_url_name_with_an_api_route():
    """A screen named like a route of the API's router (contract-detail…) makes {% url %}
    lead people to JSON."""

    def names(patterns, under_api):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from names(pattern.url_patterns, under_api or "api" in str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield pattern.name, under_api

    found = list(names(get_resolver().url_patterns, False))
    api = {name for name, under_api in found if under_api}
    screens = {name for name, under_api in found if not under_api}
    assert screens & api == set()


def test_the_volunteer_home_says_which_standing_order_could_not_be_placed(world, market):
    from orders import standing
    from supply.services import cycle_open

    standing.standing_order_create(
        user=world.volunteer,
        grocery=world.grocery,
        lines=[standing.ProductLine(world.other_product, Decimal("3"))],
        now=timezone.now(),
    )
    cycle = factories.OrderCycleFactory(hub=world.hub, delivery_date=market.cycle.delivery_date)
    cycle_open(cycle_id=cycle.id, user=world.coordinator, now=timezone.now())

    home = browser_for(world.volunteer).get("/").content.decode()

    assert (
        f"Commande permanente non passée : pas proposé dans ce cycle : {world.other_product.name}."
        in home
    )
    assert not Order.objects.filter(cycle=cycle).exists()


def test_a_household_order_becomes_its_standing_order_from_the_household_screen(world, market):
    carrots = market.offers[0]
    client = browser_for(world.volunteer)
    path = f"/epicerie/cycles/{market.cycle.id}/foyers/"
    client.post(path, {"household": market.household.id, f"q-{carrots.id}": "2", "save": "1"})

    page = client.get(path, {"foyer": market.household.id}).content.decode()
    assert "Passer cette commande chaque semaine" in page
    client.post(path, {"household": market.household.id, "standing": "1"})

    standing = StandingOrder.objects.get(household=market.household)
    assert standing.grocery == market.household.pickup_grocery
    assert [(line.product_id, line.quantity) for line in standing.lines.all()] == [
        (carrots.product_id, Decimal("2"))
    ]
    # Another grocery's volunteer cannot reach the household.
    other = browser_for(world.other_volunteer)
    other.post(path, {"household": market.household.id, "standing": "1"})
    assert StandingOrder.objects.count() == 1
