from datetime import timedelta

from django.utils import timezone

from core.models import IdempotencyRecord
from producers.models import Producer

PRODUCER = {
    "name": "Ferme de Bouvines",
    "commune": "Bouvines",
    "latitude": "50.5794",
    "longitude": "3.1886",
}


def test_same_key_twice_creates_one_and_replays_the_body(coordinator_client, world):
    count = Producer.objects.count()

    first = coordinator_client.post(
        "/api/v1/producers/", PRODUCER, format="json", HTTP_IDEMPOTENCY_KEY="abc-1"
    )
    second = coordinator_client.post(
        "/api/v1/producers/", PRODUCER, format="json", HTTP_IDEMPOTENCY_KEY="abc-1"
    )

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Producer.objects.count() == count + 1


def test_without_key_each_post_creates(coordinator_client, world):
    count = Producer.objects.count()

    coordinator_client.post("/api/v1/producers/", PRODUCER, format="json")
    coordinator_client.post("/api/v1/producers/", PRODUCER, format="json")

    assert Producer.objects.count() == count + 2


def test_same_key_with_another_body_is_refused(coordinator_client, world):
    coordinator_client.post(
        "/api/v1/producers/", PRODUCER, format="json", HTTP_IDEMPOTENCY_KEY="abc-2"
    )
    count = Producer.objects.count()

    response = coordinator_client.post(
        "/api/v1/producers/",
        {**PRODUCER, "name": "Autre ferme"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="abc-2",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Producer.objects.count() == count


def test_keys_belong_to_their_user(coordinator_client, producer_client, world):
    product = {
        "name": "Navets",
        "category": "legumes",
        "unit": "kg",
        "unit_weight_kg": "1",
        "unit_price_ht": "1.50",
        "producer": world.producer.id,
    }

    by_coordinator = coordinator_client.post(
        "/api/v1/products/", product, format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    by_producer = producer_client.post(
        "/api/v1/products/", product, format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )

    assert by_coordinator.status_code == by_producer.status_code == 201
    assert by_coordinator.json()["id"] != by_producer.json()["id"]


def test_refused_request_is_not_kept_so_it_can_be_corrected(coordinator_client, world):
    refused = coordinator_client.post(
        "/api/v1/producers/",
        {**PRODUCER, "siret": "12"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="fix-me",
    )
    corrected = coordinator_client.post(
        "/api/v1/producers/",
        {**PRODUCER, "siret": "12"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="fix-me",
    )

    assert refused.status_code == corrected.status_code == 400
    assert not IdempotencyRecord.objects.filter(key="fix-me").exists()


def test_key_expires_after_24_hours(coordinator_client, world):
    coordinator_client.post(
        "/api/v1/producers/", PRODUCER, format="json", HTTP_IDEMPOTENCY_KEY="old"
    )
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    count = Producer.objects.count()

    response = coordinator_client.post(
        "/api/v1/producers/", PRODUCER, format="json", HTTP_IDEMPOTENCY_KEY="old"
    )

    assert response.status_code == 201
    assert Producer.objects.count() == count + 1
    assert IdempotencyRecord.objects.filter(key="old").count() == 1


def test_user_creation_is_idempotent(coordinator_client, world):
    body = {
        "username": "elu.lomme",
        "password": "Un-mot-de-passe-solide-42",
        "role": "official",
        "organisation_id": world.city.id,
    }

    first = coordinator_client.post(
        "/api/v1/users/", body, format="json", HTTP_IDEMPOTENCY_KEY="u-1"
    )
    second = coordinator_client.post(
        "/api/v1/users/", body, format="json", HTTP_IDEMPOTENCY_KEY="u-1"
    )

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert "password" not in first.json()
