from core.models import Membership


def test_coordinator_creates_a_volunteer_who_can_log_in(coordinator_client, world):
    response = coordinator_client.post(
        "/api/v1/users/",
        {
            "username": "benevole.moulins",
            "password": "Un-mot-de-passe-solide-42",
            "email": "b@example.invalid",
            "role": "grocery_volunteer",
            "organisation_id": world.grocery.organisation_id,
        },
        format="json",
    )
    token = coordinator_client.post(
        "/api/v1/auth/token/",
        {"username": "benevole.moulins", "password": "Un-mot-de-passe-solide-42"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json() == {
        "id": response.json()["id"],
        "username": "benevole.moulins",
        "email": "b@example.invalid",
        "role": "grocery_volunteer",
        "organisation_id": world.grocery.organisation_id,
    }
    assert Membership.objects.get(user__username="benevole.moulins").organisation == (
        world.grocery.organisation
    )
    assert token.status_code == 200


def test_created_organisations_carry_their_organisation_id(coordinator_client, world):
    grocery = coordinator_client.post(
        "/api/v1/groceries/",
        {
            "name": "Épicerie du Bourg",
            "commune": "Lomme",
            "latitude": "50.644",
            "longitude": "2.99",
            "opens_at_time": "09:00",
            "closes_at_time": "12:00",
        },
        format="json",
    ).json()
    organisations = coordinator_client.get("/api/v1/organisations/?kind=grocery").json()

    assert grocery["organisation_id"] in [row["id"] for row in organisations["results"]]
    assert grocery["zone"] is None  # no zones loaded in this test


def test_pagination_follows_the_contract(coordinator_client, world):
    response = coordinator_client.get("/api/v1/organisations/?page_size=2")
    capped = coordinator_client.get("/api/v1/organisations/?page_size=100000")

    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert len(body["results"]) == 2
    assert "page=2" in body["next"]
    assert capped.status_code == 200
