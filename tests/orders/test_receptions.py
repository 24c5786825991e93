from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from orders.models import OrderLine, Reception
from tests.helpers import client_for


def test_a_grocery_records_what_arrived_beside_what_was_confirmed(
    volunteer_client,
    confirmed,
    ordered,
    world,
):
    _household, grouped = ordered
    carrots = OrderLine.objects.get(order_id=grouped["id"], offer=confirmed.offers[0])

    first = volunteer_client.post(
        f"/api/v1/groceries/{world.grocery.id}/receptions/",
        {
            "cycle": confirmed.cycle.id,
            "lines": [{"order_line": carrots.id, "received_quantity": "90"}],
        },
        format="json",
    )
    corrected = volunteer_client.post(
        f"/api/v1/groceries/{world.grocery.id}/receptions/",
        {
            "cycle": confirmed.cycle.id,
            "lines": [{"order_line": carrots.id, "received_quantity": "95"}],
        },
        format="json",
    )

    assert first.status_code == corrected.status_code == 201
    line = corrected.json()[0]
    assert (line["quantity"], line["allocated_quantity"], line["received_quantity"]) == (
        "120.000",
        "97.000",
        "95.000",
    )
    assert Reception.objects.count() == 2  # the first recording is kept
    carrots.refresh_from_db()
    assert carrots.received_quantity == Decimal("95")


def test_receptions_refuse_other_groceries_lines_and_open_cycles(
    volunteer_client,
    confirmed,
    ordered,
    world,
    market,
):
    _household, grouped = ordered
    line = OrderLine.objects.filter(order_id=grouped["id"]).first()
    other = client_for(world.other_volunteer)

    foreign = other.post(
        f"/api/v1/groceries/{world.other_grocery.id}/receptions/",
        {"cycle": confirmed.cycle.id, "lines": [{"order_line": line.id, "received_quantity": "1"}]},
        format="json",
    )
    not_mine = other.post(
        f"/api/v1/groceries/{world.grocery.id}/receptions/",
        {"cycle": confirmed.cycle.id, "lines": [{"order_line": line.id, "received_quantity": "1"}]},
        format="json",
    )
    negative = volunteer_client.post(
        f"/api/v1/groceries/{world.grocery.id}/receptions/",
        {
            "cycle": confirmed.cycle.id,
            "lines": [{"order_line": line.id, "received_quantity": "-1"}],
        },
        format="json",
    )

    assert foreign.status_code == 400 and "lines.0.order_line" in foreign.json()["fields"]
    assert not_mine.status_code == 404
    assert negative.status_code == 400
    assert not Reception.objects.exists()
    assert OrderLine.objects.filter(received_quantity__isnull=False).count() == 0


def test_the_database_refuses_to_delete_a_received_line(
    volunteer_client, confirmed, ordered, world
):
    _household, grouped = ordered
    carrots = OrderLine.objects.get(order_id=grouped["id"], offer=confirmed.offers[0])
    volunteer_client.post(
        f"/api/v1/groceries/{world.grocery.id}/receptions/",
        {
            "cycle": confirmed.cycle.id,
            "lines": [{"order_line": carrots.id, "received_quantity": "90"}],
        },
        format="json",
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.filter(pk=carrots.pk).delete()
        connection.check_constraints()  # as at commit (the key is checked deferred)

    assert OrderLine.objects.filter(pk=carrots.pk).exists()


def test_a_difference_keeps_its_reason(confirmed, world, volunteer_client):
    from django.test import Client

    from orders.models import ReceptionLine

    line = confirmed.cycle.orders.get(grocery=world.grocery).lines.get(offer=confirmed.offers[0])
    api = volunteer_client.post(
        f"/api/v1/groceries/{world.grocery.id}/receptions/",
        {
            "cycle": confirmed.cycle.id,
            "lines": [
                {"order_line": line.id, "received_quantity": "90", "reason": "Cagette abîmée"}
            ],
        },
        format="json",
    )
    screen = Client()
    screen.force_login(world.volunteer)
    screen.post(
        f"/epicerie/cycles/{confirmed.cycle.id}/reception/",
        {f"r-{line.id}": "88", f"why-{line.id}": "Deux kilos manquants"},
    )

    assert api.status_code == 201
    assert list(
        ReceptionLine.objects.filter(order_line=line)
        .order_by("id")
        .values_list("received_quantity", "reason")
    ) == [(Decimal("90.000"), "Cagette abîmée"), (Decimal("88.000"), "Deux kilos manquants")]
