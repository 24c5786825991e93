from decimal import Decimal

import numpy as np
import pytest

from logistics import geography
from logistics.models import GeocodeCache
from tests.fakes import fake_ban_server

LILLE = (50.6365, 3.0635)  # Grand-Place
PARIS = (48.8530, 2.3499)  # Notre-Dame


def test_great_circle_lille_paris():
    # 204 km as the crow flies between the two cathedrals' squares.
    distance = geography.great_circle_km(*LILLE, *PARIS)

    assert Decimal("203") < distance < Decimal("206")


def test_distance_matrix_is_symmetric_with_a_zero_diagonal():
    latitudes = [50.63, 50.57, 50.70, 50.47]
    longitudes = [3.06, 2.94, 3.09, 3.24]

    matrix = geography.great_circle_km_matrix(latitudes, longitudes)

    assert matrix.shape == (4, 4)
    assert np.allclose(matrix, matrix.T)
    assert np.allclose(np.diag(matrix), 0)
    assert matrix[0, 1] == pytest.approx(
        float(geography.great_circle_km(50.63, 3.06, 50.57, 2.94)), abs=0.01
    )


@pytest.mark.parametrize(
    ("latitude", "longitude", "expected"),
    [
        ("50.632500", "3.118000", "hellemmes-epine"),
        ("50.618500", "3.105000", "hellemmes-dombrowski"),
        ("50.625000", "3.120000", "hellemmes"),
        ("50.635000", "2.968000", "lomme-marais"),
        ("50.645600", "2.982300", "lomme"),
        ("50.638000", "3.030000", "lille"),
        ("50.573500", "2.935600", None),  # Wavrin, outside the three communes
    ],
)
def test_zone_for_point_prefers_the_qpv(zones, latitude, longitude, expected):
    zone = geography.zone_for_point(Decimal(latitude), Decimal(longitude))

    assert (zone.code if zone else None) == expected


def test_geocoder_asks_the_ban_once_then_uses_the_cache(db, settings):
    address = "2 place de l'Épine 59260 Hellemmes"
    with fake_ban_server({address: (50.6325, 3.118)}) as (domain, received):
        settings.GEOCODER_DOMAIN = domain

        first = geography.geocode(address)
        second = geography.geocode("  2 place de l'Épine,  59260 HELLEMMES ")

    assert first.latitude == Decimal("50.632500")
    assert first.longitude == Decimal("3.118000")
    assert second == first
    assert received == [address]
    assert GeocodeCache.objects.get().found is True


def test_unknown_address_is_cached_as_not_found(db, settings):
    with fake_ban_server({}) as (domain, received):
        settings.GEOCODER_DOMAIN = domain

        assert geography.geocode("rue qui n'existe pas") is None
        assert geography.geocode("rue qui n'existe pas") is None

    assert len(received) == 1
    assert GeocodeCache.objects.get().found is False


def test_unreachable_geocoder_is_not_cached(db, settings):
    settings.GEOCODER_DOMAIN = "127.0.0.1:9"  # nothing listens on the discard port

    assert geography.geocode("1 rue de Lille") is None
    assert not GeocodeCache.objects.exists()


def test_grocery_without_coordinates_is_geocoded_and_zoned(
    coordinator_client, world, zones, settings
):
    address = "17 rue Dombrowski 59260 Hellemmes"
    with fake_ban_server({address: (50.6185, 3.105)}) as (domain, _received):
        settings.GEOCODER_DOMAIN = domain
        response = coordinator_client.post(
            "/api/v1/groceries/",
            {
                "name": "Dombrowski Solidaire",
                "commune": "Hellemmes",
                "address": address,
                "opens_at_time": "13:00",
                "closes_at_time": "19:00",
            },
            format="json",
        )

    assert response.status_code == 201, response.json()
    assert response.json()["latitude"] == "50.618500"
    assert response.json()["zone"] == "hellemmes-dombrowski"


def test_address_not_found_without_coordinates_is_refused(coordinator_client, world, settings):
    with fake_ban_server({}) as (domain, _received):
        settings.GEOCODER_DOMAIN = domain
        response = coordinator_client.post(
            "/api/v1/producers/",
            {"name": "Ferme fantôme", "commune": "Nulle-part", "address": "lieu-dit inconnu"},
            format="json",
        )

    assert response.status_code == 400
    assert response.json()["code"] == "address_not_found"
    assert "address" in response.json()["fields"]


def test_producer_distance_and_locality(coordinator_client, world, settings):
    settings.LOCAL_RADIUS_KM = Decimal("80")

    near = coordinator_client.post(
        "/api/v1/producers/",
        {
            "name": "Ferme de Bouvines",
            "commune": "Bouvines",
            "latitude": "50.5794",
            "longitude": "3.1886",
        },
        format="json",
    ).json()
    far = coordinator_client.post(
        "/api/v1/producers/",
        {
            "name": "Pêcheurs de Boulogne",
            "commune": "Boulogne-sur-Mer",
            "latitude": "50.7264",
            "longitude": "1.6147",
        },
        format="json",
    ).json()

    assert near["distance_to_hub_km"] == "16.31"
    assert near["is_local"] is True
    assert far["distance_to_hub_km"] == "96.76"
    assert far["is_local"] is False


def test_moving_the_hub_recomputes_distances(coordinator_client, world):
    coordinator_client.patch(
        f"/api/v1/hubs/{world.hub.id}/",
        {"latitude": "50.5735", "longitude": "2.9356"},  # onto the producer's farm in Wavrin
        format="json",
    )

    world.producer.refresh_from_db()
    assert world.producer.distance_to_hub_km == Decimal("0.00")
