"""A week of a cycle, walked with the clock at each deadline (DESIGN.md §11): exactly who is
told what, with which attachment, and a second beat run that tells nobody anything again."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounting.settlement import cycle_settle
from core.choices import Role
from logistics.planning import cycle_plan_rounds
from notifications.choices import Kind, Status
from notifications.models import Notification
from notifications.services import reminders_run
from orders import standing
from orders.models import Order
from producers.models import Offer
from supply import rhythm
from supply.models import OrderCycle
from supply.services import (
    cycle_deliver,
    cycle_dispatch,
    cycles_advance_due,
    purchase_list_confirm,
)
from tests import factories
from tests.helpers import client_for
from tests.supply.test_rhythm import THURSDAYS


class Told:
    """What the outbox wrote and sent since the last look: {(kind, username)}."""

    def __init__(self):
        self.seen_rows = 0
        self.seen_mails = 0

    def __call__(self) -> set[tuple[str, str]]:
        rows = list(Notification.objects.order_by("id").select_related("recipient"))[
            self.seen_rows :
        ]
        mails = mail.outbox[self.seen_mails :]
        self.seen_rows += len(rows)
        self.seen_mails += len(mails)
        assert {row.status for row in rows} <= {Status.SENT}, [
            (row.kind, row.status, row.error) for row in rows
        ]
        assert sorted(message.to[0] for message in mails) == sorted(
            row.recipient.email for row in rows
        )
        return {(row.kind, row.recipient.username) for row in rows}


def test_a_week_tells_each_person_what_to_do_once(world, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    factories.member(Role.PRODUCER, world.other_producer.organisation, username="ferme.autre")
    for user, name in [
        (world.volunteer, "benevole"),
        (world.other_volunteer, "benevole.autre"),
        (world.producer_user, "ferme"),
        (world.ccas_staff, "ccas"),
        (world.other_ccas_staff, "ccas.autre"),
        (world.official, "elu"),
    ]:
        user.username = name
        user.save()
    # The world's open cycle is not this week's: beat leaves it alone.
    OrderCycle.objects.filter(pk=world.open_offer.cycle_id).update(
        closes_at=timezone.now() + timedelta(days=900),
        confirm_by=timezone.now() + timedelta(days=901),
    )
    told = Told()

    with freeze_time("2027-04-16 08:30:00"), capture(execute=True):  # Friday 10:30, Lille
        earlier = factories.OrderCycleFactory(
            hub=world.hub, status="settled", delivery_date=date(2027, 4, 15)
        )
        for product in (world.product, world.other_product):
            Offer.objects.create(
                cycle=earlier,
                product=product,
                quantity_available=Decimal("30"),
                unit_price_ht=Decimal("2.00"),
                is_standing=True,
            )
        today = timezone.localdate()
        envelope = factories.EnvelopeFactory(
            funder=world.funder,
            period_start=today - timedelta(days=30),
            period_end=today + timedelta(days=60),
            amount=Decimal("20.00"),
        )
        household = factories.enrol(
            world,
            funder=world.funder,
            contact_name="Mme Secret",
            valid_from=date(2027, 1, 20),
            valid_until=date(2027, 4, 26),
        )
        standing.standing_order_create(
            user=world.volunteer,
            grocery=world.grocery,
            lines=[standing.ProductLine(world.product, Decimal("25"))],
            now=timezone.now(),
        )
        # Radishes are not offered this week: the other grocery's standing order is refused.
        radishes = factories.ProductFactory(producer=world.producer, name="Radis")
        standing.standing_order_create(
            user=world.other_volunteer,
            grocery=world.other_grocery,
            lines=[standing.ProductLine(radishes, Decimal("4"))],
            now=timezone.now(),
        )
        schedule = rhythm.schedule_create(hub=world.hub, **{**THURSDAYS, "weeks_ahead": 1})
        (cycle_id,) = rhythm.schedule_generate(schedule=schedule, now=timezone.now())["created"]
        assert cycles_advance_due(now=timezone.now())["opened"] == [cycle_id]
    cycle = OrderCycle.objects.get(pk=cycle_id)
    assert told() == {
        (Kind.CYCLE_OPENED, "benevole"),
        (Kind.CYCLE_OPENED, "benevole.autre"),
        (Kind.CYCLE_OPENED, "ferme"),
        (Kind.CYCLE_OPENED, "ferme.autre"),
        (Kind.STANDING_REFUSED, "benevole.autre"),
    }
    opened = next(
        m for m in mail.outbox if m.to == [world.volunteer.email] and "ouvertes" in m.subject
    )
    assert opened.subject == f"Appro Solidaire — Les commandes sont ouvertes : {cycle.name}"
    order_screen = reverse("grocery-order", kwargs={"cycle_id": cycle.id})
    assert f"{settings.SITE_URL}{order_screen}" in opened.body
    ((html, mimetype),) = opened.alternatives
    assert mimetype == "text/html" and f'href="{settings.SITE_URL}{order_screen}"' in html

    with freeze_time("2027-04-16 09:00:00"), capture(execute=True):
        answer = client_for(world.volunteer).post(
            "/api/v1/orders/",
            {
                "cycle": cycle.id,
                "household": household.id,
                "lines": [
                    {"offer": cycle.offers.get(product=world.product).id, "quantity": "7"},
                    {"offer": cycle.offers.get(product=world.other_product).id, "quantity": "2"},
                ],
            },
            format="json",
        )
        assert answer.status_code == 201, answer.json()
        reminders_run(now=timezone.now())
    envelope.refresh_from_db()
    assert envelope.committed * 100 / envelope.amount >= 80
    # 17.09 € committed of 20 € is over 80 %: the coordinator and the
    # funder's CCAS see it coming. The decision ends in 10 days: its CCAS only.
    assert told() == {
        (Kind.ENVELOPE_USED, "coordination"),
        (Kind.ENVELOPE_USED, "ccas"),
        (Kind.DECISION_ENDING, "ccas"),
    }

    with freeze_time("2027-04-19 10:30:00"), capture(execute=True):  # Monday, 23 h 30 before
        reminders_run(now=timezone.now())
        reminders_run(now=timezone.now() + timedelta(minutes=15))
    assert told() == {(Kind.CLOSING_SOON, "benevole.autre")}  # the grocery without an order

    with freeze_time("2027-04-20 10:01:00"), capture(execute=True):  # Tuesday 12:01: closed
        assert cycles_advance_due(now=timezone.now())["closed"] == [cycle_id]
    assert told() == {(Kind.PURCHASE_LIST, "ferme"), (Kind.PURCHASE_LIST, "ferme.autre")}
    for message in mail.outbox[-2:]:
        ((filename, content, mimetype),) = message.attachments
        assert (filename, mimetype) == (f"bon-de-commande-{cycle.id}.pdf", "application/pdf")
        assert content.startswith(b"%PDF")

    with freeze_time("2027-04-20 15:00:00"), capture(execute=True):
        purchase_list_confirm(
            purchase_list=cycle.purchase_lists.get(producer=world.producer),
            confirmed={},
            now=timezone.now(),
        )
    with freeze_time("2027-04-20 16:30:00"), capture(execute=True):  # 23 h 30 before confirm_by
        reminders_run(now=timezone.now())
        reminders_run(now=timezone.now() + timedelta(minutes=15))
    assert told() == {(Kind.CONFIRM_REMINDER, "ferme.autre")}  # the one that has not answered

    with freeze_time("2027-04-21 16:01:00"), capture(execute=True):  # Wednesday 18:01
        assert cycles_advance_due(now=timezone.now())["confirmed"] == [cycle_id]
    assert told() == {
        (Kind.DEADLINE_MISSED, "coordination"),
        (Kind.QUANTITIES_CONFIRMED, "benevole"),
    }
    missed = next(m for m in mail.outbox if "Délai de confirmation" in m.subject)
    assert world.other_producer.name in missed.body
    packing = mail.outbox[-1] if mail.outbox[-1].to == [world.volunteer.email] else mail.outbox[-2]
    ((filename, content, _mimetype),) = packing.attachments
    assert filename == f"colisage-{cycle.id}.pdf" and content.startswith(b"%PDF")

    with freeze_time("2027-04-22 05:00:00"), capture(execute=True):
        cycle_plan_rounds(
            cycle_id=cycle.id, vehicle_ids=[world.vehicle.id], time_limit_s=1, now=timezone.now()
        )
    # The van passes at the farm that supplies something and at the grocery that receives.
    assert told() == {(Kind.ROUNDS_PLANNED, "ferme"), (Kind.ROUNDS_PLANNED, "benevole")}

    with freeze_time("2027-04-22 06:00:00"), capture(execute=True):
        cycle_dispatch(cycle_id=cycle_id, user=world.coordinator, now=timezone.now())
        cycle_deliver(cycle_id=cycle_id, user=world.coordinator, now=timezone.now())
        cycle_settle(cycle_id=cycle_id, user=world.coordinator, now=timezone.now())
    assert told() == {
        (Kind.STATEMENT_READY, "ferme"),
        (Kind.STATEMENT_READY, "ferme.autre"),
        (Kind.STATEMENT_READY, "ccas"),
    }
    statement = next(m for m in mail.outbox[-3:] if m.to == [world.ccas_staff.email])
    assert statement.attachments[0][0] == f"releve-financeur-{cycle.id}.pdf"

    with freeze_time("2027-04-22 06:15:00"), capture(execute=True):
        reminders_run(now=timezone.now())
    assert told() == set()
    # Nobody but the household's CCAS ever reads its contact; here, nobody at all.
    for message in mail.outbox:
        assert "Secret" not in message.body
        assert all("Secret" not in str(body) for body, _type in message.alternatives)
    assert Order.objects.filter(cycle=cycle).count() == 2
