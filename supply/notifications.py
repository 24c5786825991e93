"""What a cycle tells people at each step (DESIGN.md §11), through the outbox: written in the
step's transaction, sent once it commits, never twice (notifications.services.notify).

A mail server that is down does not fail or undo the step: the outbox retries on its own.
"""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.access import actor_of
from core.choices import OrganisationKind
from core.formats import format_date, format_datetime
from core.models import User
from notifications import registry
from notifications.choices import Kind
from notifications.services import coordinators, notify, organisation_users
from orders.models import Order
from producers.templatetags.units import units

from . import documents, selectors
from .choices import CycleStatus, PurchaseListStatus
from .models import OrderCycle, PurchaseList


def _cycle_grocery_organisations(cycle: OrderCycle) -> set[int]:
    """The groceries with goods in this cycle: their grouped orders and the households'
    orders picked up there."""
    rows = (
        Order.objects.live()
        .filter(cycle=cycle)
        .values_list("grocery__organisation_id", "household__pickup_grocery__organisation_id")
    )
    return {own or pickup for own, pickup in rows if own or pickup}


def cycle_opened(*, cycle: OrderCycle) -> int:
    """Volunteers order, producers may still add offers."""
    people = User.objects.filter(
        membership__organisation__kind__in=[OrganisationKind.GROCERY, OrganisationKind.PRODUCER],
        is_active=True,
    ).select_related("membership__organisation")
    producers = [
        user for user in people if user.membership.organisation.kind == OrganisationKind.PRODUCER
    ]
    volunteers = [user for user in people if user not in producers]
    dates = {
        "name": cycle.name,
        "delivery": format_date(cycle.delivery_date),
        "closes": format_datetime(cycle.closes_at),
    }
    with translation.override("fr"):
        subject = _("Orders are open: %(name)s") % dates
        sent = notify(
            kind=Kind.CYCLE_OPENED,
            object_key=f"cycle:{cycle.id}",
            recipients=volunteers,
            subject=subject,
            paragraphs=[
                _(
                    "The cycle %(name)s is open: delivery on %(delivery)s, orders close on "
                    "%(closes)s."
                )
                % dates,
            ],
            url=reverse("grocery-order", kwargs={"cycle_id": cycle.id}),
            action=_("Place the grouped order"),
        )
        sent += notify(
            kind=Kind.CYCLE_OPENED,
            object_key=f"cycle:{cycle.id}",
            recipients=producers,
            subject=subject,
            paragraphs=[
                _(
                    "The cycle %(name)s is open: delivery on %(delivery)s, orders close on "
                    "%(closes)s. You may still add offers until then."
                )
                % dates,
            ],
            url=reverse("producer-offers", kwargs={"cycle_id": cycle.id}),
            action=_("See my offers"),
        )
    return sent


@registry.reminder
def closing_soon(now: datetime) -> int:
    """24 h before closing, the groceries that have no grouped order yet."""
    sent = 0
    cycles = OrderCycle.objects.filter(
        status=CycleStatus.OPEN, closes_at__gt=now, closes_at__lte=now + timedelta(hours=24)
    )
    for cycle in cycles:
        ordered = Order.objects.live().filter(
            cycle=cycle, grocery__isnull=False, household__isnull=True, contract__isnull=True
        )
        people = User.objects.filter(
            membership__organisation__kind=OrganisationKind.GROCERY, is_active=True
        ).exclude(membership__organisation__grocery__in=ordered.values("grocery_id"))
        dates = {"name": cycle.name, "closes": format_datetime(cycle.closes_at)}
        with translation.override("fr"):
            sent += notify(
                kind=Kind.CLOSING_SOON,
                object_key=f"cycle:{cycle.id}",
                recipients=people,
                subject=_("Orders close soon: %(name)s") % dates,
                paragraphs=[
                    _(
                        "Orders for %(name)s close on %(closes)s and your grocery has no grouped "
                        "order yet."
                    )
                    % dates
                ],
                url=reverse("grocery-order", kwargs={"cycle_id": cycle.id}),
                action=_("Place the grouped order"),
            )
    return sent


def _purchase_list_table(purchase_list: PurchaseList) -> dict:
    return {
        "head": [_("Product"), _("Quantity to supply")],
        "rows": [
            [line.product_name, units(line.allocated_quantity, line.offer.product.unit)]
            for line in purchase_list.lines.select_related("offer__product").order_by(
                "product_name", "id"
            )
        ],
    }


def purchase_lists_sent(*, cycle: OrderCycle) -> int:
    """At close: each producer receives its purchase list to confirm, the PDF attached."""
    sent = 0
    lists = cycle.purchase_lists.select_related("producer").order_by("id")
    with translation.override("fr"):
        for purchase_list in lists:
            dates = {
                "name": cycle.name,
                "delivery": format_date(cycle.delivery_date),
                "confirm_by": format_datetime(cycle.confirm_by),
            }
            sent += notify(
                kind=Kind.PURCHASE_LIST,
                object_key=f"purchase_list:{purchase_list.id}",
                recipients=organisation_users([purchase_list.producer.organisation_id]),
                subject=_("Purchase order to confirm: %(name)s") % dates,
                paragraphs=[
                    _(
                        "Here is your purchase order for the delivery of %(delivery)s. Confirm "
                        "the quantities before %(confirm_by)s: without an answer, it counts as "
                        "nothing supplied."
                    )
                    % dates,
                ],
                table=_purchase_list_table(purchase_list),
                url=reverse(
                    "producer-purchase-list", kwargs={"purchase_list_id": purchase_list.id}
                ),
                action=_("Confirm my purchase order"),
                attachments=[("supply.purchase_order", str(purchase_list.id))],
            )
    return sent


@registry.reminder
def confirmations_due(now: datetime) -> int:
    """24 h before `confirm_by`, the producers who have not answered (a list sent less than
    two hours ago was just announced: no reminder on top of it)."""
    sent = 0
    lists = PurchaseList.objects.filter(
        status=PurchaseListStatus.SENT,
        cycle__status=CycleStatus.CLOSED,
        cycle__confirm_by__gt=now,
        cycle__confirm_by__lte=now + timedelta(hours=24),
        created_at__lte=now - timedelta(hours=2),
    ).select_related("cycle", "producer")
    with translation.override("fr"):
        for purchase_list in lists:
            cycle = purchase_list.cycle
            dates = {"name": cycle.name, "confirm_by": format_datetime(cycle.confirm_by)}
            sent += notify(
                kind=Kind.CONFIRM_REMINDER,
                object_key=f"purchase_list:{purchase_list.id}",
                recipients=organisation_users([purchase_list.producer.organisation_id]),
                subject=_("Reminder: confirm your purchase order for %(name)s") % dates,
                paragraphs=[
                    _(
                        "Your purchase order for %(name)s is not confirmed yet. Without an answer "
                        "by %(confirm_by)s it counts as nothing supplied, and the groceries lose "
                        "these goods."
                    )
                    % dates
                ],
                url=reverse(
                    "producer-purchase-list", kwargs={"purchase_list_id": purchase_list.id}
                ),
                action=_("Confirm my purchase order"),
            )
    return sent


def deadline_missed(*, cycle: OrderCycle, missed: list[PurchaseList]) -> int:
    """At confirmation, the coordinator learns which producers did not answer."""
    if not missed:
        return 0
    names = sorted(item.producer.name for item in missed)
    with translation.override("fr"):
        return notify(
            kind=Kind.DEADLINE_MISSED,
            object_key=f"cycle:{cycle.id}",
            recipients=coordinators(),
            subject=_("Confirmation deadline missed: %(name)s") % {"name": cycle.name},
            paragraphs=[
                ngettext(
                    "%(count)s producer did not confirm before %(confirm_by)s; its purchase "
                    "order counts as nothing supplied: %(names)s.",
                    "%(count)s producers did not confirm before %(confirm_by)s; their purchase "
                    "orders count as nothing supplied: %(names)s.",
                    len(names),
                )
                % {
                    "count": len(names),
                    "confirm_by": format_datetime(cycle.confirm_by),
                    "names": ", ".join(names),
                }
            ],
            url=reverse("cycle-panel", kwargs={"cycle_id": cycle.id}),
            action=_("Open the cycle"),
        )


def quantities_confirmed(*, cycle: OrderCycle) -> int:
    """At confirmation, each grocery learns what it will receive, its packing list attached."""
    organisations = _cycle_grocery_organisations(cycle)
    dates = {"name": cycle.name, "delivery": format_date(cycle.delivery_date)}
    with translation.override("fr"):
        return notify(
            kind=Kind.QUANTITIES_CONFIRMED,
            object_key=f"cycle:{cycle.id}",
            recipients=organisation_users(organisations),
            subject=_("Quantities confirmed: %(name)s") % dates,
            paragraphs=[
                _(
                    "The producers have answered: the quantities your grocery will receive on "
                    "%(delivery)s are known. Your packing list is attached."
                )
                % dates
            ],
            url=reverse("grocery-reception", kwargs={"cycle_id": cycle.id}),
            action=_("See what will be delivered"),
            attachments=[("supply.packing_list", str(cycle.id))],
        )


@registry.attachment("supply.purchase_order")
def purchase_order_attachment(argument: str, recipient: User) -> tuple[str, bytes, str]:
    (purchase_list,) = selectors.with_line_totals(
        [selectors.purchase_lists_with_lines().get(id=int(argument))]
    )
    pdf = documents.purchase_order_pdf(purchase_list=purchase_list)
    return f"bon-de-commande-{purchase_list.cycle_id}.pdf", pdf, "application/pdf"


@registry.attachment("supply.packing_list")
def packing_list_attachment(argument: str, recipient: User) -> tuple[str, bytes, str]:
    """The recipient's own grocery's crates only (selectors.packing_rows scopes by actor)."""
    cycle = OrderCycle.objects.get(id=int(argument))
    actor = actor_of(recipient)
    rows = list(selectors.packing_rows(cycle_id=cycle.id, actor=actor)) if actor else []
    pdf = documents.packing_list_pdf(cycle=cycle, rows=rows)
    return f"colisage-{cycle.id}.pdf", pdf, "application/pdf"
