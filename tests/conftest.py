from dataclasses import dataclass

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from core.choices import OrganisationKind, Role
from core.models import User
from logistics.services import zones_load
from tests import factories


@pytest.fixture(autouse=True)
def _french_by_default(settings):
    settings.LANGUAGE_CODE = "fr"


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
    return World(
        coordinator=factories.member(Role.COORDINATOR, platform, username="coordination"),
        hub=factories.HubFactory(),
        vehicle=factories.VehicleFactory(),
        grocery=grocery,
        other_grocery=other_grocery,
        volunteer=factories.member(Role.GROCERY_VOLUNTEER, grocery.organisation),
        other_volunteer=factories.member(Role.GROCERY_VOLUNTEER, other_grocery.organisation),
        producer=producer,
        other_producer=other_producer,
        producer_user=factories.member(Role.PRODUCER, producer.organisation),
        product=factories.ProductFactory(producer=producer),
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
    )


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


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
