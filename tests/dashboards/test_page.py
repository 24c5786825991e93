import io

from pypdf import PdfReader

from tests.helpers import client_for


def _client(user):
    client = client_for(None)
    client.force_login(user)
    return client


def test_the_page_shows_the_figures_to_an_official(world, facts):
    response = _client(world.official).get(
        "/tableau-de-bord/", {"from": "2026-11-01", "to": "2026-11-30"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Foyers servis" in page
    assert "260 €" in page  # market value of the month
    assert "< 5" in page  # Hellemmes' two households, and Lille hidden beside it
    assert "vendor/chartjs/chart.umd.min.js" in page
    assert "https://" not in page.split("<main")[1]  # nothing fetched from elsewhere


def test_the_printable_page_is_a_pdf(world, facts):
    response = _client(world.coordinator).get(
        "/tableau-de-bord/pdf/", {"from": "2026-11-01", "to": "2026-11-30"}
    )

    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "ce que la plateforme fait pour la ville" in text
    assert "Foyers servis" in text


def test_other_roles_are_refused_and_strangers_sent_to_log_in(world):
    volunteer = _client(world.volunteer).get("/tableau-de-bord/")
    stranger = client_for(None).get("/tableau-de-bord/")

    assert volunteer.status_code == 403
    assert stranger.status_code == 302
    assert stranger["Location"].startswith("/connexion/")


def test_bad_filters_fall_back_to_the_default_period_with_a_message(world):
    response = _client(world.official).get("/tableau-de-bord/", {"from": "demain"})

    assert response.status_code == 200
    assert "Filtres non valides" in response.content.decode()
