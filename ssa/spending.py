"""Orders paid from a member's credit (DESIGN.md §14): only on what the committee approved,
never past the credit. orders.services calls these under the member's lock, which
serializes a member's orders as the household's lock serializes its cap."""

from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import InvalidInput, StateConflict
from core.formats import format_date, format_euros
from orders.models import Household, Order, OrderLine

from . import selectors
from .choices import MovementKind
from .models import CreditMovement, Member


def member_locked(*, household: Household, on: date, caisse_id: int | None = None) -> Member:
    """The household's membership open on `on` (of `caisse_id` when named), locked."""
    members = (
        Member.objects.select_for_update(of=("self",))
        .select_related("caisse")
        .filter(household=household, joined_on__lte=on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=on))
        .order_by("id")
    )
    if caisse_id is not None:
        members = members.filter(caisse_id=caisse_id)
    found = list(members[:2])
    if not found:
        raise StateConflict(
            _("Household %(reference)s is not a member of a caisse alimentaire on %(date)s.")
            % {"reference": household.reference, "date": format_date(on)},
            code="not_a_member",
        )
    if len(found) > 1:
        message = _("The household is a member of several caisses: name the one that pays.")
        raise InvalidInput(message, fields={"caisse": [message]})
    found[0].household = household
    return found[0]


def spending_check(*, member: Member, lines: list[OrderLine], order_id: int | None = None) -> None:
    """Refuse lines the committee did not approve, then an order the credit cannot pay (the
    order's own spending, when it is changed, is given back first)."""
    approved = selectors.approved(member.caisse)
    refused = [line.offer.product.name for line in lines if not approved.covers(line.offer.product)]
    if refused:
        raise StateConflict(
            _(
                "Not approved by the committee of « %(caisse)s » (not conventionné): "
                "%(products)s. Order these at the social tariff, or leave them out."
            )
            % {"caisse": member.caisse.name, "products": ", ".join(sorted(refused))},
            code="not_conventionne",
        )
    total = sum((line.line_ttc for line in lines), Decimal("0.00"))
    credit = selectors.member_credit(member, excluding_order_id=order_id)
    if total > credit:
        raise StateConflict(
            _(
                "The credit of %(reference)s at « %(caisse)s » is %(credit)s: "
                "it cannot pay this order (%(total)s)."
            )
            % {
                "reference": member.household.reference,
                "caisse": member.caisse.name,
                "credit": format_euros(credit),
                "total": format_euros(total),
            },
            code="ssa_credit_exhausted",
        )


def spending_record(*, member: Member, order: Order, amount: Decimal, month: date) -> None:
    """What the order takes from the credit now: its total, or nothing once cancelled."""
    CreditMovement.objects.update_or_create(
        order=order,
        defaults={
            "member": member,
            "month": month.replace(day=1),
            "kind": MovementKind.SPENDING,
            "amount": -amount,
        },
    )


def spending_settle(*, totals: dict[int, Decimal]) -> None:
    """At settlement, each order's spending becomes what was delivered (what a shortage
    or a reception took off goes back to the credit)."""
    movements = list(CreditMovement.objects.filter(order_id__in=list(totals)))
    for movement in movements:
        assert movement.order_id is not None  # a spending's
        movement.amount = -totals[movement.order_id]
    CreditMovement.objects.bulk_update(movements, ["amount"])
