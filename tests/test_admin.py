"""The coordinator's French admin: every model listed, searchable, filterable."""

import pytest
from django.contrib import admin
from django.urls import reverse


@pytest.fixture
def admin_client_fr(client, django_user_model, platform):
    user = django_user_model.objects.create_superuser("admin", "admin@example.invalid", "x")
    client.force_login(user)
    return client


def test_every_model_changelist_opens_with_a_search(admin_client_fr, market):
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

        response = admin_client_fr.get(url, {"q": "a"}, HTTP_ACCEPT_LANGUAGE="fr")

        assert response.status_code == 200, url


def test_admin_speaks_french(admin_client_fr):
    response = admin_client_fr.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="fr")

    assert "Coordination de la plateforme" in response.content.decode()
    assert "Producteurs et catalogue" in response.content.decode()


def test_admin_never_shows_household_contact_fields(admin_client_fr, market):
    url = reverse("admin:orders_household_change", args=[market.household.id])
    market.household.contact_name = "Mme Confidentielle"
    market.household.save()

    response = admin_client_fr.get(url)

    assert response.status_code == 200
    assert "Mme Confidentielle" not in response.content.decode()
