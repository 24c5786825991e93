"""A year of believable history for the demo: 52 weekly cycles, each taken through the real
services (orders at the social tariff, close, partial confirmations, rounds, receptions,
settlement), so that the officials' charts and the statements have something to show.

Idempotent: cycles already present (by name) are skipped. Deterministic (seeded).
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from accounting.models import Envelope, Funder
from accounting.services import envelope_create
from accounting.settlement import cycle_settle
from core.errors import DomainError
from core.formats import format_date
from core.models import TaskRun, TaskState, User
from core.tasks import DATA_PREPARATION
from dashboards.snapshots import snapshots_refresh
from logistics.geography import distance_to_hub_km
from logistics.models import Hub, Vehicle
from logistics.planning import cycle_plan_rounds
from orders.households import household_enrol, household_renew
from orders.models import Grocery, Household, OrderLine, SocialService, TariffTier
from orders.services import RequestedLine, order_submit, reception_record
from producers.choices import Unit
from producers.models import Producer, Product
from producers.services import offer_create
from supply.models import OrderCycle, PurchaseList
from supply.services import (
    cycle_close,
    cycle_confirm,
    cycle_create,
    cycle_deliver,
    cycle_dispatch,
    cycle_open,
    purchase_list_confirm,
)

WEEKS = 52
HISTORY_HOUSEHOLDS = 36  # 12 per CCAS, enrolled a year ago and renewed once
PREFIX = "Historique"
FAR_KM = 60  # a cold producer this far from the hub is a day's drive on its own


def _moment(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


class Command(BaseCommand):
    help = "Génère un an d'historique de démonstration (52 cycles hebdomadaires réglés)."

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=int, default=WEEKS)
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--track",
            action="store_true",
            help="Suit l'avancement dans une tâche (TaskRun « demo_history ») que le tableau de "
            "bord affiche : `make run` génère l'historique pendant que le site est servi.",
        )

    def handle(self, *args, weeks: int, no_progress: bool, track: bool = False, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Les données de démonstration sont interdites avec ces réglages.")
        if not User.objects.filter(username="coordination").exists():
            raise CommandError("Chargez d'abord la démonstration : manage.py seed_demo.")
        self.random = random.Random(2026)
        self.coordinator = User.objects.get(username="coordination")
        self.volunteer = User.objects.get(username="benevole.fives")
        # Histories are quiet: no purchase order or confirmation is e-mailed for past cycles.
        settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
        today = timezone.localdate()
        last_thursday = today - timedelta(days=(today.weekday() - 3) % 7 or 7)
        first = last_thursday - timedelta(days=7 * (weeks - 1))
        self._envelopes(first, today)
        households = self._households(first, today)
        done = set(
            OrderCycle.objects.filter(name__startswith=PREFIX).values_list("name", flat=True)
        )
        cold = set(
            Product.objects.filter(category__in=settings.COLD_CATEGORIES).values_list(
                "producer_id", flat=True
            )
        )
        # The far ends of the cold chain (the Avesnois, the Côte d'Opale) are a day's drive
        # each for the one refrigerated van: one of them a week, in turn.
        hub = Hub.objects.order_by("id")[0]
        far = {
            producer.id
            for producer in Producer.objects.filter(id__in=cold)
            if (distance_to_hub_km(producer.latitude, producer.longitude, hub) or 0) > FAR_KM
        }
        self.cold_producers = sorted(cold - far)
        self.far_producers = sorted(far)
        self.other_producers = sorted(
            set(Product.objects.values_list("producer_id", flat=True)) - cold
        )
        days = [first + timedelta(days=7 * week) for week in range(weeks)]
        run = (
            TaskRun.objects.create(name=DATA_PREPARATION, state=TaskState.STARTED)
            if track
            else None
        )
        settled = 0
        for index, day in enumerate(
            tqdm(days, desc="Historique", unit="cycle", disable=no_progress), start=1
        ):
            name = f"{PREFIX} — livraison du {format_date(day)}"
            if name not in done:
                try:
                    self._cycle(name, day, households)
                    settled += 1
                except (DomainError, CommandError) as error:  # the week stays as far as it got
                    self.stderr.write(f"{name} : {getattr(error, 'message', error)}")
            if run is not None:
                TaskRun.objects.filter(pk=run.pk).update(
                    state=TaskState.PROGRESS, progress=min(99, 100 * index // len(days))
                )
                if index % 13 == 0:  # a quarter at a time, the dashboard fills in
                    snapshots_refresh(now=timezone.now())
        refreshed = snapshots_refresh(now=timezone.now())
        if run is not None:
            TaskRun.objects.filter(pk=run.pk).update(state=TaskState.SUCCESS, progress=100)
        self.stdout.write(
            f"Historique : {settled} cycles réglés ajoutés ({weeks - settled} déjà présents), "
            f"{refreshed['orders']} commandes dans les tableaux de bord."
        )

    def _envelopes(self, first: date, today: date) -> None:
        """Quarterly envelopes for every funder over the past year, where none exists."""
        for funder in Funder.objects.all():
            start = date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
            while start <= today:
                end = (start.replace(day=28) + timedelta(days=70)).replace(day=1) - timedelta(
                    days=1
                )
                overlapping = Envelope.objects.filter(
                    funder=funder, period_start__lte=end, period_end__gte=start
                ).exists()
                if not overlapping:
                    envelope_create(
                        funder=funder, period_start=start, period_end=end, amount=Decimal("15000")
                    )
                start = end + timedelta(days=1)

    def _households(self, first: date, today: date) -> list[Household]:
        existing = list(Household.objects.filter(eligibility_reason=PREFIX))
        if existing:
            return existing
        services = list(SocialService.objects.select_related("organisation").order_by("id"))
        staff = {
            service.id: User.objects.filter(membership__organisation=service.organisation).earliest(
                "id"
            )
            for service in services
        }
        funders = {
            service.id: Funder.objects.filter(social_service=service).earliest("id")
            for service in services
        }
        groceries_in = {
            service.id: list(
                Grocery.objects.filter(organisation__commune=service.commune).order_by("id")
            )
            for service in services
        }
        tiers = list(TariffTier.objects.order_by("code"))
        households = []
        for index in range(HISTORY_HOUSEHOLDS):
            service = services[index % len(services)]
            groceries = groceries_in[service.id]
            funder = funders[service.id]
            enrolled_at = _moment(first - timedelta(days=3), 10)
            household = household_enrol(
                social_service=service,
                user=staff[service.id],
                now=enrolled_at,
                adults=1 + index % 2,
                children=index % 4,
                valid_from=first - timedelta(days=3),
                valid_until=first - timedelta(days=3) + timedelta(days=180),
                tier=tiers[index % len(tiers)],
                pickup_grocery=groceries[index % len(groceries)],
                funder=funder,
                consent_at=enrolled_at,
                eligibility_reason=PREFIX,
            )
            renewed_at = household.valid_until - timedelta(days=10)
            household_renew(
                household=household,
                user=staff[service.id],
                valid_until=household.valid_until + timedelta(days=180),
                today=renewed_at,
                now=_moment(renewed_at, 10),
            )
            households.append(household)
        return households

    @transaction.atomic
    def _orders(self, cycle, households, offers) -> None:
        opens = cycle.opens_at + timedelta(hours=2)
        for household in households:
            if self.random.random() < 0.35:  # not every household orders every week
                continue
            chosen = self.random.sample(offers, k=min(len(offers), self.random.randint(2, 4)))
            lines = [
                RequestedLine(offer_id=offer.id, quantity=offer.product.pack_size)
                for offer in chosen
            ]
            try:
                order_submit(
                    user=self.volunteer,
                    cycle_id=cycle.id,
                    lines=lines,
                    now=opens,
                    household_id=household.id,
                )
            except DomainError:  # over the monthly cap: the volunteer orders less next week
                continue
        for grocery in Grocery.objects.all():
            chosen = self.random.sample(offers, k=min(len(offers), self.random.randint(5, 10)))
            lines = [
                RequestedLine(
                    offer_id=offer.id,
                    quantity=offer.product.pack_size * self.random.randint(2, 12),
                )
                for offer in chosen
            ]
            order_submit(
                user=self.volunteer, cycle_id=cycle.id, lines=lines, now=opens, grocery=grocery
            )

    def _cycle(self, name: str, day: date, households: list[Household]) -> None:
        hub = Hub.objects.order_by("id")[0]
        opens_at = _moment(day - timedelta(days=7), 8)
        cycle = cycle_create(
            name=name,
            opens_at=opens_at,
            closes_at=_moment(day - timedelta(days=3), 20),
            confirm_by=_moment(day - timedelta(days=2), 18),
            delivery_date=day,
            hub=hub,
        )
        season = 1 + 0.4 * abs(((day.timetuple().tm_yday / 365) * 2) - 1)  # more in summer
        # A week's producers: the cold chain, one of its far ends in turn, and five others.
        others, far = self.other_producers, self.far_producers
        week = (day - date(2020, 1, 2)).days // 7  # the same producers for a week on reruns
        producers = (
            set(self.cold_producers)
            | ({far[week % len(far)]} if far else set())
            | {others[(week * 5 + i) % len(others)] for i in range(5)}
        )
        products = list(
            Product.objects.filter(is_active=True, producer_id__in=producers).select_related(
                "producer"
            )
        )
        offers = []
        for product in self.random.sample(products, k=max(1, len(products) * 3 // 4)):
            offers.append(
                offer_create(
                    cycle=cycle,
                    product=product,
                    quantity_available=product.pack_size * int(self.random.randint(6, 30) * season),
                )
            )
        cycle_open(cycle_id=cycle.id, user=self.coordinator, now=opens_at + timedelta(minutes=1))
        self._orders(cycle, households, offers)
        cycle_close(cycle_id=cycle.id, user=None, now=cycle.closes_at)
        answered_at = cycle.closes_at + timedelta(hours=12)
        for purchase_list in PurchaseList.objects.filter(cycle=cycle).prefetch_related("lines"):
            confirmed = {}
            if self.random.random() < 0.2:  # one producer in five is short on one product
                line = self.random.choice(list(purchase_list.lines.all()))
                pack = line.offer.product.pack_size
                packs = int(line.allocated_quantity / pack)
                confirmed[line.offer_id] = pack * max(packs - self.random.randint(1, 3), 0)
            purchase_list_confirm(purchase_list=purchase_list, confirmed=confirmed, now=answered_at)
        cycle_confirm(cycle_id=cycle.id, user=None, now=cycle.confirm_by + timedelta(minutes=1))
        vans = list(Vehicle.objects.filter(is_active=True).values_list("id", flat=True))
        try:
            planned = cycle_plan_rounds(
                cycle_id=cycle.id, vehicle_ids=vans, time_limit_s=1, now=cycle.confirm_by
            )
        except DomainError as error:
            raise CommandError(f"{name} : tournées impossibles ({error.message})") from error
        for left in planned["unserved"]:
            self.stderr.write(
                f"{name} : {left['kind']} {left['place_id']} non desservi ({left['reason']})"
            )
        cycle_dispatch(cycle_id=cycle.id, user=self.coordinator, now=cycle.confirm_by)
        self._receptions(cycle, day)
        cycle_deliver(cycle_id=cycle.id, user=self.coordinator, now=_moment(day, 18))
        cycle_settle(
            cycle_id=cycle.id, user=self.coordinator, now=_moment(day + timedelta(days=3), 9)
        )

    def _receptions(self, cycle, day: date) -> None:
        """One grocery in four finds a line short on delivery."""
        for grocery in Grocery.objects.all():
            if self.random.random() >= 0.25:
                continue
            line = (
                OrderLine.objects.filter(order__cycle=cycle, order__grocery=grocery)
                .exclude(confirmed_quantity=0)
                .select_related("offer__product")
                .order_by("id")
                .first()
            )
            if line is None:
                continue
            served = (
                line.confirmed_quantity if line.confirmed_quantity is not None else line.quantity
            )
            # Pieces arrive whole: a fifth short, rounded down to the piece.
            places = Decimal("1") if line.offer.product.unit == Unit.PIECE else Decimal("0.001")
            received = (served * Decimal("0.8")).quantize(places, rounding=ROUND_DOWN)
            reception_record(
                grocery=grocery,
                cycle_id=cycle.id,
                user=self.volunteer,
                lines={line.id: received},
                now=_moment(day, 17),
            )
