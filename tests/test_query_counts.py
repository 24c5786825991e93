"""List endpoints run a fixed number of queries, whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories


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
