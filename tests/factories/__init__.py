from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounting.models import Envelope, Funder
from core.choices import OrganisationKind, Role
from core.models import Membership, Organisation, User
from logistics.models import Hub, Round, Vehicle
from orders.models import Grocery, SocialService
from producers.models import Offer, Producer, Product
from supply.models import OrderCycle

TEST_PASSWORD = "Un-mot-de-passe-solide-42"

# Real places around the demo hub (Lomme wholesale market).
HUB_LATITUDE, HUB_LONGITUDE = Decimal("50.645600"), Decimal("2.982300")


def platform_organisation() -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        kind=OrganisationKind.PLATFORM, defaults={"name": "Appro Solidaire", "commune": "Lille"}
    )
    return organisation


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.CITY
    name = factory.Sequence(lambda n: f"Organisation {n}")
    commune = "Lille"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.invalid")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def saved(self, create, extracted, **kwargs):
        if create:
            self.save()


def member(role: str, organisation: Organisation, **fields) -> User:
    user = UserFactory(**fields)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


class HubFactory(DjangoModelFactory):
    class Meta:
        model = Hub

    organisation = factory.LazyFunction(platform_organisation)
    name = "Chambre froide du MIN de Lomme"
    address = "Marché d'intérêt national, 59160 Lomme"
    latitude = HUB_LATITUDE
    longitude = HUB_LONGITUDE


class VehicleFactory(DjangoModelFactory):
    class Meta:
        model = Vehicle

    organisation = factory.LazyFunction(platform_organisation)
    name = factory.Sequence(lambda n: f"Fourgon {n}")
    capacity_kg = Decimal("1000")
    cost_per_km = Decimal("0.40")


class RoundFactory(DjangoModelFactory):
    """A planned round with its figures set by hand (the solver's own are tested apart)."""

    class Meta:
        model = Round

    kind = "delivery"
    vehicle = factory.SubFactory(VehicleFactory)
    distance_km = Decimal("40")
    duration_min = 120
    load_kg = Decimal("100")
    cost_eur = Decimal("40.00")
    starts_at = factory.LazyFunction(timezone.now)
    ends_at = factory.LazyAttribute(lambda round_: round_.starts_at + timedelta(hours=2))
    planned_at = factory.LazyFunction(timezone.now)


class ProducerFactory(DjangoModelFactory):
    class Meta:
        model = Producer

    class Params:  # the organisation's, where they are kept
        name = factory.Sequence(lambda n: f"Ferme {n}")
        commune = "Wavrin"

    organisation = factory.SubFactory(
        OrganisationFactory,
        kind=OrganisationKind.PRODUCER,
        name=factory.SelfAttribute("..name"),
        commune=factory.SelfAttribute("..commune"),
    )
    latitude = Decimal("50.573500")
    longitude = Decimal("2.935600")
    distance_to_hub_km = Decimal("8.67")


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    producer = factory.SubFactory(ProducerFactory)
    name = factory.Sequence(lambda n: f"Produit {n}")
    category = "legumes"
    unit = "kg"
    unit_weight_kg = Decimal("1")
    pack_size = Decimal("1")
    unit_price_ht = Decimal("2.00")
    vat_rate = Decimal("0.055")


class GroceryFactory(DjangoModelFactory):
    class Meta:
        model = Grocery

    class Params:
        name = factory.Sequence(lambda n: f"Épicerie {n}")
        commune = "Lille"

    organisation = factory.SubFactory(
        OrganisationFactory,
        kind=OrganisationKind.GROCERY,
        name=factory.SelfAttribute("..name"),
        commune=factory.SelfAttribute("..commune"),
    )
    address = "1 rue de Lille, 59000 Lille"
    latitude = Decimal("50.632000")
    longitude = Decimal("3.087000")
    opens_at_time = "09:00"
    closes_at_time = "17:00"


class SocialServiceFactory(DjangoModelFactory):
    class Meta:
        model = SocialService

    class Params:
        name = factory.Sequence(lambda n: f"CCAS {n}")
        commune = "Hellemmes"

    organisation = factory.SubFactory(
        OrganisationFactory,
        kind=OrganisationKind.CCAS,
        name=factory.SelfAttribute("..name"),
        commune=factory.SelfAttribute("..commune"),
    )


class FunderFactory(DjangoModelFactory):
    class Meta:
        model = Funder

    name = factory.Sequence(lambda n: f"Financeur {n}")
    kind = "city"


class EnvelopeFactory(DjangoModelFactory):
    class Meta:
        model = Envelope

    funder = factory.SubFactory(FunderFactory)
    period_start = date(2026, 10, 1)
    period_end = date(2026, 12, 31)
    amount = Decimal("1000.00")


__all__ = ["Role"]


class OrderCycleFactory(DjangoModelFactory):
    class Meta:
        model = OrderCycle

    name = factory.Sequence(lambda n: f"Cycle {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    confirm_by = factory.LazyFunction(lambda: timezone.now() + timedelta(days=4))
    delivery_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=6))
    hub = factory.SubFactory(HubFactory)


class OfferFactory(DjangoModelFactory):
    class Meta:
        model = Offer

    cycle = factory.SubFactory(OrderCycleFactory)
    product = factory.SubFactory(ProductFactory)
    quantity_available = Decimal("100")
    unit_price_ht = Decimal("2.00")


def household_row(world, *, persons: int, cap: Decimal, grocery=None):
    """A household as the database holds it, without the enrolment service's checks."""
    from orders.models import Household, TariffTier

    today = timezone.localdate()
    return Household.objects.create(
        social_service=world.social_service,
        reference=f"TST-{Household.objects.count() + 1:05d}",
        adults=1,
        children=persons - 1,
        valid_from=today,
        valid_until=today + timedelta(days=120),
        tier=TariffTier.objects.get(code="T1"),
        monthly_cap=cap,
        pickup_grocery=grocery or world.grocery,
        funder=world.funder,
        consent_at=timezone.now(),
    )


def order_row(*, cycle, user, grocery=None, household=None):
    """An order row with no lines (snapshot tests build their figures by hand)."""
    from orders.models import Order

    now = timezone.now()
    return Order.objects.create(
        cycle=cycle,
        grocery=grocery,
        household=household,
        placed_by=user,
        submitted_at=now,
        updated_at=now,
    )


def delivered_on(day: date) -> dict:
    """A snapshot row's dates: the delivery day, its Monday and its first of the month."""
    return {
        "delivery_date": day,
        "week_start": day - timedelta(days=day.weekday()),
        "month_start": day.replace(day=1),
    }


def order_facts(world, cycle, days: list[date], *, communes=("Lille",)) -> None:
    """One household's order of 10 € (9 € subsidised) per day, in the world's grocery,
    spread over the communes in turn: a dashboard snapshot without running a cycle."""
    from dashboards.models import OrderFact

    facts = []
    for index, day in enumerate(days):
        household = household_row(world, persons=2, cap=Decimal("30"))
        facts.append(
            OrderFact(
                cycle=cycle,
                order=order_row(cycle=cycle, user=world.volunteer, household=household),
                **delivered_on(day),
                grocery=world.grocery,
                commune=communes[index % len(communes)],
                household=household,
                funder=world.funder,
                persons=2,
                monthly_cap=Decimal("30"),
                value_ttc=Decimal("10"),
                subsidy=Decimal("9"),
            )
        )
    OrderFact.objects.bulk_create(facts)


def enrol(world, *, funder, grocery=None, tier: str = "T1", adults=1, children=1, **fields):
    """A household enrolled by the world's CCAS through the service, valid around today."""
    from orders.households import household_enrol
    from orders.models import TariffTier

    now = timezone.now()
    today = timezone.localdate()
    if "monthly_cap" in fields:  # a cap of the test's choosing departs from the CCAS's rules
        fields.setdefault("eligibility_reason", "Plafond choisi par le test")
    return household_enrol(
        social_service=world.social_service,
        user=world.ccas_staff,
        now=now,
        adults=adults,
        children=children,
        tier=TariffTier.objects.get(code=tier),
        pickup_grocery=grocery or world.grocery,
        funder=funder,
        **{
            "valid_from": today - timedelta(days=10),
            "valid_until": today + timedelta(days=100),
            "consent_at": now - timedelta(days=10),
            **fields,
        },
    )
