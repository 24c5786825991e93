from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from core.choices import OrganisationKind, Role
from core.models import User
from logistics.services import zones_load
from supply.models import PurchaseList
from tests import factories
from tests.helpers import client_for, close


@pytest.fixture(autouse=True)
def _french_by_default(settings):
    settings.LANGUAGE_CODE = "fr"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle and lockout counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def platform(db):
    return factories.platform_organisation()


@pytest.fixture
def zones(db):
    zones_load(path=settings.ZONES_GEOJSON)


@dataclass
class World:
    """Two of everything a role can be scoped to, so that 'the other one' always exists."""

    coordinator: User
    hub: object
    vehicle: object
    grocery: object
    other_grocery: object
    volunteer: User
    other_volunteer: User
    producer: object
    other_producer: object
    producer_user: User
    product: object
    other_product: object
    social_service: object
    other_social_service: object
    ccas_staff: User
    other_ccas_staff: User
    funder: object
    other_funder: object
    envelope: object
    other_envelope: object
    city: object
    official: User
    draft_cycle: object
    open_offer: object
    purchase_list: object
    other_purchase_list: object

    def user(self, role: str | None) -> User | None:
        return {
            None: None,
            Role.COORDINATOR: self.coordinator,
            Role.GROCERY_VOLUNTEER: self.volunteer,
            Role.PRODUCER: self.producer_user,
            Role.CCAS_STAFF: self.ccas_staff,
            Role.OFFICIAL: self.official,
        }[role]


@pytest.fixture
def world(platform) -> World:
    grocery, other_grocery = factories.GroceryFactory(), factories.GroceryFactory()
    producer, other_producer = factories.ProducerFactory(), factories.ProducerFactory()
    social_service = factories.SocialServiceFactory()
    other_social_service = factories.SocialServiceFactory()
    funder = factories.FunderFactory(kind="ccas", social_service=social_service)
    other_funder = factories.FunderFactory(kind="ccas", social_service=other_social_service)
    city = factories.OrganisationFactory(kind=OrganisationKind.CITY, name="Ville de Lille")
    hub = factories.HubFactory()
    product = factories.ProductFactory(producer=producer)
    draft_cycle = factories.OrderCycleFactory(hub=hub)
    now = timezone.now()
    open_cycle = factories.OrderCycleFactory(
        hub=hub,
        status="open",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
        confirm_by=now + timedelta(days=2),
    )
    return World(
        coordinator=factories.member(Role.COORDINATOR, platform, username="coordination"),
        hub=hub,
        vehicle=factories.VehicleFactory(),
        grocery=grocery,
        other_grocery=other_grocery,
        volunteer=factories.member(Role.GROCERY_VOLUNTEER, grocery.organisation),
        other_volunteer=factories.member(Role.GROCERY_VOLUNTEER, other_grocery.organisation),
        producer=producer,
        other_producer=other_producer,
        producer_user=factories.member(Role.PRODUCER, producer.organisation),
        product=product,
        other_product=factories.ProductFactory(producer=other_producer),
        social_service=social_service,
        other_social_service=other_social_service,
        ccas_staff=factories.member(Role.CCAS_STAFF, social_service.organisation),
        other_ccas_staff=factories.member(Role.CCAS_STAFF, other_social_service.organisation),
        funder=funder,
        other_funder=other_funder,
        envelope=factories.EnvelopeFactory(funder=funder),
        other_envelope=factories.EnvelopeFactory(funder=other_funder),
        city=city,
        official=factories.member(Role.OFFICIAL, city),
        draft_cycle=draft_cycle,
        open_offer=factories.OfferFactory(cycle=open_cycle, product=product),
        # Lists of an open cycle: readable, but not yet to confirm (409 for its producer).
        purchase_list=PurchaseList.objects.create(
            cycle=open_cycle, producer=producer, created_at=now
        ),
        other_purchase_list=PurchaseList.objects.create(
            cycle=open_cycle, producer=other_producer, created_at=now
        ),
    )


@pytest.fixture
def coordinator_client(world):
    return client_for(world.coordinator)


@pytest.fixture
def volunteer_client(world):
    return client_for(world.volunteer)


@pytest.fixture
def producer_client(world):
    return client_for(world.producer_user)


@pytest.fixture
def ccas_client(world):
    return client_for(world.ccas_staff)


@pytest.fixture
def official_client(world):
    return client_for(world.official)


@pytest.fixture
def anonymous_client():
    return APIClient()


@dataclass
class Market:
    """An open cycle with offers, an enrolled household and a funded envelope."""

    cycle: object
    offers: list
    household: object
    funder: object
    envelope: object


@pytest.fixture
def market(world) -> Market:
    from decimal import Decimal

    from supply.choices import CycleStatus

    now = timezone.now()
    today = timezone.localdate()
    cycle = factories.OrderCycleFactory(
        status=CycleStatus.OPEN,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=2),
        confirm_by=now + timedelta(days=3),
        delivery_date=today + timedelta(days=5),
        hub=world.hub,
    )
    products = [
        world.product,  # carrots-like: kg, pack 1, 2.00 € HT
        factories.ProductFactory(
            producer=world.producer,
            name="Œufs (boîte de 6)",
            unit="piece",
            unit_weight_kg=Decimal("0.38"),
            pack_size=Decimal("1"),
            unit_price_ht=Decimal("2.30"),
            category="oeufs",
        ),
        factories.ProductFactory(
            producer=world.other_producer,
            name="Pommes de terre",
            pack_size=Decimal("2.5"),
            unit_price_ht=Decimal("1.10"),
        ),
    ]
    offers = [
        factories.OfferFactory(
            cycle=cycle,
            product=product,
            quantity_available=Decimal("100"),
            unit_price_ht=product.unit_price_ht,
        )
        for product in products
    ]
    funder = factories.FunderFactory(kind="ccas", social_service=world.social_service)
    envelope = factories.EnvelopeFactory(
        funder=funder,
        period_start=today - timedelta(days=60),
        period_end=today + timedelta(days=120),
        amount=Decimal("1000.00"),
    )
    household = factories.enrol(world, funder=funder)
    return Market(cycle=cycle, offers=offers, household=household, funder=funder, envelope=envelope)


@pytest.fixture
def ordered(market, world, volunteer_client):
    """A household order and a grouped order; carrots (offer 0) end up short: 123 for 100."""
    household = volunteer_client.post(
        "/api/v1/orders/",
        {
            "cycle": market.cycle.id,
            "household": market.household.id,
            "lines": [
                {"offer": market.offers[0].id, "quantity": "3"},
                {"offer": market.offers[2].id, "quantity": "5"},
            ],
        },
        format="json",
    ).json()
    grouped = volunteer_client.post(
        "/api/v1/orders/",
        {
            "cycle": market.cycle.id,
            "grocery": world.grocery.id,
            "lines": [
                {"offer": market.offers[0].id, "quantity": "120"},
                {"offer": market.offers[2].id, "quantity": "50"},
            ],
        },
        format="json",
    ).json()
    return household, grouped


@pytest.fixture
def confirmed(coordinator_client, market, ordered, django_capture_on_commit_callbacks):
    close(coordinator_client, market.cycle, django_capture_on_commit_callbacks)
    market.cycle.refresh_from_db()
    for purchase_list in market.cycle.purchase_lists.all():
        purchase_list.status = "confirmed"
        purchase_list.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(f"/api/v1/cycles/{market.cycle.id}/confirm/")
    assert response.status_code == 202
    market.cycle.refresh_from_db()
    return market
