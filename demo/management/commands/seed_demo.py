from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounting.choices import PaymentMethod
from accounting.models import Funder
from accounting.services import envelope_create
from core.choices import OrganisationKind
from core.formats import format_date
from core.models import Organisation, User
from core.services import organisation_create, user_create
from demo import demo_data
from logistics.models import Hub
from logistics.services import hub_create, vehicle_create, zones_load
from orders.households import household_enrol
from orders.models import Household, TariffTier
from orders.services import grocery_create, social_service_create
from producers.services import offer_create, producer_create, product_create
from ssa import services as ssa_services
from ssa.choices import SubjectKind
from supply.contracts import LineInput, contract_create, contract_sign
from supply.services import cycle_create, cycle_open


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
                name=name,
                kind=kind,
                social_service=social_services[service_name] if service_name else None,
            )
            for start, end, amount in envelopes:
                envelope_create(
                    funder=funder,
                    period_start=date.fromisoformat(start),
                    period_end=date.fromisoformat(end),
                    amount=amount,
                )

        groceries = {}
        for index, grocery in enumerate(demo_data.GROCERIES):
            name, commune, address, latitude, longitude, opens, closes = grocery
            groceries[name] = grocery_create(
                name=name,
                commune=commune,
                address=address,
                phone=demo_data.phone(10 + index),
                latitude=Decimal(latitude),
                longitude=Decimal(longitude),
                opens_at_time=demo_data.hour(opens),
                closes_at_time=demo_data.hour(closes),
            )

        producers = {}
        product_count = 0
        for index, entry in enumerate(demo_data.PRODUCERS):
            producer = producer_create(
                name=entry["name"],
                commune=entry["commune"],
                address=entry["commune"],
                phone=demo_data.phone(50 + index),
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
        organisations: dict[str | None, Organisation] = {
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
                email=f"{username}@{demo_data.DEMO_EMAIL_DOMAIN}",
                role=role,
                organisation=organisations[organisation_name],
            )
        self._load_cycles_and_households(producers, groceries, social_services)
        self._load_caisse(producers, social_services)
        self.stdout.write(
            self.style.SUCCESS(
                f"Démo chargée : {zones} zones, 1 hub, {len(demo_data.VEHICLES)} véhicules, "
                f"{len(social_services)} CCAS, {len(demo_data.FUNDERS)} financeurs, "
                f"{len(groceries)} épiceries, {len(producers)} producteurs, "
                f"{product_count} produits, 2 cycles (un ouvert, un en préparation), "
                f"{len(demo_data.HOUSEHOLDS)} foyers, 1 caisse alimentaire commune."
            )
        )

    def _load_cycles_and_households(self, producers, groceries, social_services) -> None:
        """An open cycle with every product on offer, next week's cycle in draft, and a few
        households per CCAS picking up at the groceries of their commune."""
        now = timezone.now()
        today = timezone.localdate()
        hub = Hub.objects.order_by("id")[0]
        open_cycle = cycle_create(
            name=f"Livraison du {format_date(today + timedelta(days=4))}",
            opens_at=now - timedelta(days=2),
            closes_at=now + timedelta(days=1),
            confirm_by=now + timedelta(days=2),
            delivery_date=today + timedelta(days=4),
            hub=hub,
        )
        cycle_open(cycle_id=open_cycle.id, user=None, now=now)
        next_cycle = cycle_create(
            name=f"Livraison du {format_date(today + timedelta(days=11))}",
            opens_at=now + timedelta(days=5),
            closes_at=now + timedelta(days=8),
            confirm_by=now + timedelta(days=9),
            delivery_date=today + timedelta(days=11),
            hub=hub,
        )
        for producer in producers.values():
            for product in producer.products.all():
                for cycle in (open_cycle, next_cycle):
                    offer_create(
                        cycle=cycle,
                        product=product,
                        quantity_available=(product.pack_size * 40).quantize(Decimal("1")),
                    )
        self._load_contract(producers, groceries, first_delivery=next_cycle.delivery_date)
        tiers = {tier.code: tier for tier in TariffTier.objects.all()}
        for index, (service_name, grocery_name, adults, children, tier) in enumerate(
            demo_data.HOUSEHOLDS
        ):
            service = social_services[service_name]
            household_enrol(
                social_service=service,
                user=User.objects.filter(membership__organisation=service.organisation).earliest(
                    "id"
                ),
                now=now,
                adults=adults,
                children=children,
                valid_from=today - timedelta(days=20 + index),
                valid_until=today - timedelta(days=20 + index) + timedelta(days=150),
                tier=tiers[tier],
                pickup_grocery=groceries[grocery_name],
                funder=service.funders.first(),
                consent_at=now - timedelta(days=20 + index),
            )

    def _load_contract(self, producers, groceries, *, first_delivery: date) -> None:
        """A season contract signed by both sides: the first vegetables of the Wavrin farm for
        the two groceries with volunteers, every week for twelve weeks from next week's
        cycle, 30 % paid in advance (DESIGN.md §10)."""
        producer = producers["Ferme du Marais de Wavrin"]
        product = producer.products.order_by("id").first()
        coordinator = User.objects.get(username="coordination")
        now = timezone.now()
        contract = contract_create(
            user=coordinator,
            producer=producer,
            name=f"{product.name} — saison d'hiver",
            unit_price_ht=product.unit_price_ht,
            first_delivery=first_delivery,
            last_delivery=first_delivery + timedelta(weeks=11),
            prepayment_rate=Decimal("0.30"),
            lines=[
                LineInput(product, groceries[name], product.pack_size * 10)
                for name in ("Fives Solidaire", "Épicerie de l'Épine")
            ],
            now=now,
        )
        contract_sign(contract=contract, user=coordinator, role="coordinator", now=now)
        producer_user = User.objects.get(username="producteur.wavrin")
        contract_sign(contract=contract, user=producer_user, role="producer", now=now)

    def _load_caisse(self, producers, social_services) -> None:
        """The Lille households are members of the caisse, credited this month; four paid
        their contribution; the committee approved two producers and a product."""
        spec = demo_data.CAISSE
        now = timezone.now()
        today = timezone.localdate()
        caisse = ssa_services.caisse_save(
            caisse=None,
            data={
                **{key: spec[key] for key in ("name", "contribution_min", "contribution_max")},
                "allocation_per_member": spec["allocation_per_member"],
                "quorum": spec["quorum"],
                "funders": list(Funder.objects.filter(name__in=spec["funders"])),
                "social_services": [social_services[name] for name in spec["social_services"]],
                "committee": spec["committee"],
            },
        )
        staff = User.objects.get(username="ccas.lille")
        coordinator = User.objects.get(username="coordination")
        households = Household.objects.filter(
            social_service=social_services[spec["social_services"][0]]
        ).order_by("id")
        for household, contribution in zip(households, spec["contributions"], strict=True):
            member = ssa_services.member_join(
                caisse=caisse,
                household=household,
                monthly_contribution=contribution,
                joined_on=today.replace(day=1),
                user=staff,
                now=now,
            )
            if contribution >= 15:  # the others have not paid yet this month
                ssa_services.contribution_record(
                    member=member,
                    month=today,
                    amount=contribution,
                    paid_on=today,
                    method=PaymentMethod.CASH,
                    user=coordinator,
                    now=now,
                )
        ssa_services.month_credit(caisse=caisse, month=today, now=now)
        subjects = [
            (SubjectKind.PRODUCER, producers[name].id, text)
            for name, text in spec["approved_producers"]
        ]
        name, text = spec["approved_product"]
        subjects.append((SubjectKind.PRODUCT, producers[name].products.earliest("id").id, text))
        committee = spec["committee"]
        for kind, subject, text in subjects:
            proposal = ssa_services.proposal_open(
                caisse=caisse,
                subject_kind=kind,
                subject=subject,
                text=text,
                opened_on=today - timedelta(days=10),
                closes_on=today - timedelta(days=3),
            )
            for voter, choice in zip(committee, ("for", "for", "abstain", "for"), strict=True):
                ssa_services.vote_record(proposal=proposal, voter=voter, choice=choice)
            ssa_services.proposal_decide(proposal=proposal, today=today - timedelta(days=3))
        name, text = spec["open_producer"]
        proposal = ssa_services.proposal_open(
            caisse=caisse,
            subject_kind=SubjectKind.PRODUCER,
            subject=producers[name].id,
            text=text,
            opened_on=today,
            closes_on=today + timedelta(days=21),
        )
        for voter in committee[:2]:
            ssa_services.vote_record(proposal=proposal, voter=voter, choice="for")

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write("Comptes de démonstration (mot de passe commun, jamais en production) :")
        for username, role, organisation_name in demo_data.LOGINS:
            where = organisation_name or "Appro Solidaire (plateforme)"
            self.stdout.write(f"  {username:<24} {demo_data.DEMO_PASSWORD}   {role:<18} {where}")
