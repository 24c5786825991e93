"""Which quantity of a line counts, in its three forms (orders.quantities): the ORM
expressions, the SQL fragments of the snapshots and the Python functions give the same
numbers on the same lines."""

from decimal import Decimal

from django.db import connection

from orders import quantities
from orders.models import Order, OrderLine
from tests import factories

D = Decimal


def lines_in_every_state(world, market) -> dict[str, OrderLine]:
    """One line per state a line can be in, each on its own order."""
    cycle, offer = market.cycle, market.offers[0]
    states = {
        "asked": {},
        "allocated": {"allocated_quantity": D("4")},
        "served_in_full": {},  # closed, allocation left null
        "confirmed": {"allocated_quantity": D("4"), "confirmed_quantity": D("3")},
        "received": {"confirmed_quantity": D("5"), "received_quantity": D("2.5")},
        "received_nothing": {"received_quantity": D("0")},
        "cancelled": {},
    }
    status = {"asked": "submitted", "cancelled": "cancelled", "served_in_full": "allocated"}
    lines = {}
    for name, quantities_of in states.items():
        grocery = factories.GroceryFactory()
        order = factories.order_row(cycle=cycle, user=world.volunteer, grocery=grocery)
        Order.objects.filter(pk=order.pk).update(status=status.get(name, "confirmed"))
        lines[name] = OrderLine.objects.create(
            order=order,
            offer=offer,
            quantity=D("6"),
            unit_price_ht=D("2.00"),
            vat_rate=D("0.055"),
            line_ht=D("12.00"),
            line_vat=D("0.66"),
            line_ttc=D("12.66"),
            **quantities_of,
        )
    return lines


def test_the_three_forms_agree(world, market):
    lines = lines_in_every_state(world, market)
    ids = [line.id for line in lines.values()]

    orm = {
        row["id"]: (row["served"], row["delivered"])
        for row in OrderLine.objects.filter(id__in=ids)
        .annotate(served=quantities.served_quantity(), delivered=quantities.delivered_quantity())
        .values("id", "served", "delivered")
    }
    orm_live = set(OrderLine.objects.live().filter(id__in=ids).values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT l.id, {quantities.served_sql('l')}, {quantities.delivered_sql('l')}, "
            f"{quantities.live_order_sql('o')} "
            f"FROM {OrderLine._meta.db_table} l JOIN {Order._meta.db_table} o "
            f"ON o.id = l.order_id WHERE l.id IN ({', '.join(['%s'] * len(ids))})",
            ids,
        )
        sql = {row[0]: (D(str(row[1])), D(str(row[2])), bool(row[3])) for row in cursor}
    python = {
        line.id: (
            quantities.served(line),
            quantities.delivered(line),
            quantities.is_live(line.order),
        )
        for line in OrderLine.objects.filter(id__in=ids).select_related("order")
    }

    expected = {
        "asked": (D("6"), D("6"), True),
        "allocated": (D("4"), D("4"), True),
        "served_in_full": (D("6"), D("6"), True),
        "confirmed": (D("3"), D("3"), True),
        "received": (D("5"), D("2.5"), True),
        "received_nothing": (D("6"), D("0"), True),
        "cancelled": (D("6"), D("6"), False),
    }
    for name, line in lines.items():
        assert (*orm[line.id], line.id in orm_live) == expected[name], name
        assert sql[line.id] == expected[name], name
        assert python[line.id] == expected[name], name


def test_allocated_as_the_api_shows_it(world, market):
    lines = lines_in_every_state(world, market)

    shown = {
        name: quantities.allocated(OrderLine.objects.select_related("order").get(pk=line.pk))
        for name, line in lines.items()
    }

    assert shown == {
        "asked": None,  # before close
        "allocated": D("4"),
        "served_in_full": D("6"),  # stored null, shown whole
        "confirmed": D("4"),
        "received": D("6"),
        "received_nothing": D("6"),
        "cancelled": None,
    }
