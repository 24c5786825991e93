from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounting.models import Funder
from accounting.services import envelope_create
from core import demo_data
from core.choices import OrganisationKind
from core.models import Organisation, User
from core.services import organisation_create, user_create
from logistics.services import hub_create, vehicle_create, zones_load
from orders.services import grocery_create, social_service_create
from producers.services import producer_create, product_create


class Command(BaseCommand):
    help = "Charge le jeu de démonstration Lille–Lomme–Hellemmes (fictif) et affiche les comptes."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Les données de démonstration sont interdites avec ces réglages.")
        if User.objects.filter(username="coordination").exists():
            self.stdout.write("Les données de démonstration sont déjà chargées.")
        else:
            self._load()
        self._print_logins()

    @transaction.atomic
    def _load(self) -> None:
        platform = Organisation.objects.get(kind=OrganisationKind.PLATFORM)
        zones = zones_load(path=settings.ZONES_GEOJSON)
        hub_create(organisation=platform, **demo_data.HUB)
        for vehicle in demo_data.VEHICLES:
            vehicle_create(organisation=platform, **vehicle)

        social_services = {
            service["name"]: social_service_create(**service)
            for service in demo_data.SOCIAL_SERVICES
        }
        for name, kind, service_name, envelopes in demo_data.FUNDERS:
            funder = Funder.objects.create(
                name=name, kind=kind, social_service=social_services.get(service_name)
            )
            for start, end, amount in envelopes:
                envelope_create(
                    funder=funder,
                    period_start=date.fromisoformat(start),
                    period_end=date.fromisoformat(end),
                    amount=amount,
                )

        groceries = {}
        for name, commune, address, latitude, longitude, opens, closes in demo_data.GROCERIES:
            groceries[name] = grocery_create(
                name=name,
                commune=commune,
                address=address,
                latitude=Decimal(latitude),
                longitude=Decimal(longitude),
                opens_at_time=demo_data.hour(opens),
                closes_at_time=demo_data.hour(closes),
            )

        producers = {}
        product_count = 0
        for entry in demo_data.PRODUCERS:
            producer = producer_create(
                name=entry["name"],
                commune=entry["commune"],
                address=entry["commune"],
                siret=entry["siret"],
                latitude=Decimal(entry["latitude"]),
                longitude=Decimal(entry["longitude"]),
                is_organic=entry["is_organic"],
            )
            producers[producer.name] = producer
            for name, category, unit, weight, pack, price, organic in entry["products"]:
                product_create(
                    producer=producer,
                    name=name,
                    category=category,
                    unit=unit,
                    unit_weight_kg=Decimal(weight),
                    pack_size=Decimal(pack),
                    unit_price_ht=Decimal(price),
                    vat_rate=settings.DEFAULT_VAT_RATE,
                    is_organic=organic,
                )
                product_count += 1

        city = organisation_create(kind=OrganisationKind.CITY, **demo_data.CITY)
        organisations = {
            **{name: grocery.organisation for name, grocery in groceries.items()},
            **{name: producer.organisation for name, producer in producers.items()},
            **{name: service.organisation for name, service in social_services.items()},
            city.name: city,
            None: platform,
        }
        for username, role, organisation_name in demo_data.LOGINS:
            user_create(
                username=username,
                password=demo_data.DEMO_PASSWORD,
                email=f"{username}@demo.appro-solidaire.invalid",
                role=role,
                organisation=organisations[organisation_name],
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Démo chargée : {zones} zones, 1 hub, {len(demo_data.VEHICLES)} véhicules, "
                f"{len(social_services)} CCAS, {len(demo_data.FUNDERS)} financeurs, "
                f"{len(groceries)} épiceries, {len(producers)} producteurs, "
                f"{product_count} produits."
            )
        )

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write("Comptes de démonstration (mot de passe commun, jamais en production) :")
        for username, role, organisation_name in demo_data.LOGINS:
            where = organisation_name or "Appro Solidaire (plateforme)"
            self.stdout.write(f"  {username:<20} {demo_data.DEMO_PASSWORD}   {role:<18} {where}")
