"""List endpoints run a fixed number of queries, whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.helpers import client_for


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/producers/",
        "/api/v1/products/",
        "/api/v1/groceries/",
        "/api/v1/social-services/",
        "/api/v1/funders/",
        "/api/v1/envelopes/",
        "/api/v1/hubs/",
        "/api/v1/vehicles/",
        "/api/v1/organisations/",
        "/api/v1/zones/",
    ],
)
def test_list_queries_do_not_grow_with_rows(coordinator_client, world, zones, path):
    with CaptureQueriesContext(connection) as few:
        coordinator_client.get(path)
    for _ in range(5):
        producer = factories.ProducerFactory()
        factories.ProductFactory(producer=producer)
        factories.GroceryFactory()
        factories.EnvelopeFactory(funder=factories.FunderFactory())
        factories.VehicleFactory()
        factories.SocialServiceFactory()

    with CaptureQueriesContext(connection) as many:
        response = coordinator_client.get(path)

    assert response.status_code == 200
    assert len(many) == len(few) <= 4, [query["sql"] for query in many]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/dashboards/kpis/?from=2026-01-01&to=2026-12-31",
        "/api/v1/dashboards/kpis/?from=2026-01-01&to=2026-12-31&commune=Lille",
        "/api/v1/dashboards/timeseries/?metric=subsidy_total&from=2026-01-01&to=2026-12-31",
        "/api/v1/dashboards/export/?from=2026-01-01&to=2026-12-31",
    ],
)
def test_dashboard_queries_do_not_grow_with_orders(world, path):
    from datetime import date, timedelta

    client = client_for(world.official)
    cycle = factories.OrderCycleFactory(hub=world.hub, status="settled")

    def add_orders(count: int) -> None:
        days = [date(2026, 3, 2) + timedelta(days=7 * (index % 20)) for index in range(count)]
        factories.order_facts(world, cycle, days, communes=("Lille", "Lomme", "Hellemmes"))

    add_orders(6)
    with CaptureQueriesContext(connection) as few:
        client.get(path)
    add_orders(60)
    with CaptureQueriesContext(connection) as many:
        response = client.get(path)

    assert response.status_code == 200
    assert len(many) == len(few) <= 9, [query["sql"] for query in many]
