"""The coordinator's bulk import of groceries and producers (DESIGN.md §13): the same dry run
as a catalogue's, each row through the services the screens use (their refusals refuse the
row alone), nothing kept by a dry run, and a place already here found by its name."""

import io
from datetime import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from core.models import DataImport
from orders.models import Grocery
from producers.models import Producer

GROCERIES = (
    "Nom;Commune;Adresse;Téléphone;Latitude;Longitude;Ouverture;Fermeture\n"
    "Épicerie des Bois-Blancs;Lille;12 rue de la Digue;03 20 00 00 01;50,6347;3,0341;9:00;17h30\n"
    "Épicerie du Marais;lomme;;;50.6450;2.9870;09h;12h\n"
    "Épicerie à l'envers;Lille;;;50.63;3.06;18:00;9:00\n"
    "Épicerie de Roubaix;Roubaix;;;50.69;3.17;9:00;17:00\n"
    "Épicerie de Nice;Lille;;;43.70;7.26;9:00;17:00\n"
    "Épicerie sans heure;Hellemmes;;;50.62;3.10;matin;17:00\n"
)


def send(client, kind: str, content: bytes, name="lieux.csv", **fields):
    return client.post(
        f"/api/v1/{kind}/import/",
        {"file": SimpleUploadedFile(name, content), **fields},
        format="multipart",
    )


def test_groceries_are_shown_then_applied_row_by_row(world, coordinator_client):
    world.grocery.organisation.name = "Épicerie du Marais"
    world.grocery.organisation.save()
    count = Grocery.objects.count()

    dry = send(coordinator_client, "groceries", GROCERIES.encode()).json()

    assert dry["applied"] is False
    assert [row["name"] for row in dry["new"]] == ["Épicerie des Bois-Blancs"]
    assert dry["new"][0]["opens_at_time"] == "09:00"
    (changed,) = dry["changed"]
    assert changed["name"] == "Épicerie du Marais"
    assert changed["changes"]["commune"][1] == "Lomme"
    assert changed["changes"]["closes_at_time"][1] == "12:00"
    reasons = {row["id"]: row["reason"] for row in dry["refused"]}
    assert reasons["ligne 4"] == "L'épicerie doit ouvrir avant de fermer."
    assert "Lille, Lomme ou Hellemmes" in reasons["ligne 5"]
    assert "km" in reasons["ligne 6"]  # Nice is far from the hub
    assert "n'est pas une heure" in reasons["ligne 7"]
    assert Grocery.objects.count() == count  # a dry run keeps nothing

    applied = send(coordinator_client, "groceries", GROCERIES.encode(), dry_run="false").json()

    assert applied["applied"] is True and len(applied["refused"]) == 4
    assert Grocery.objects.count() == count + 1
    created = Grocery.objects.get(organisation__name="Épicerie des Bois-Blancs")
    assert (created.commune, created.opens_at_time, created.closes_at_time) == (
        "Lille",
        time(9, 0),
        time(17, 30),
    )
    world.grocery.refresh_from_db()
    assert (world.grocery.commune, world.grocery.closes_at_time) == ("Lomme", time(12, 0))
    again = send(coordinator_client, "groceries", GROCERIES.encode()).json()
    assert (again["new"], again["changed"], again["unchanged"]) == ([], [], 2)


def test_producers_come_from_a_spreadsheet(world, coordinator_client, volunteer_client):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Nom", "Commune", "SIRET", "Latitude", "Longitude", "Bio", "Disponible dès"])
    sheet.append(["Ferme du Mélantois", "Péronne-en-Mélantois", "12345678901234", 50.56, 3.17,
                  "oui", time(7, 0)])  # fmt: skip
    sheet.append(["Ferme au SIRET court", "Wavrin", "123", 50.57, 2.93, "non", None])
    sheet.append(["Ferme calculée", "Wavrin", "", "=50+0.5", 2.93, "non", None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = send(
        coordinator_client, "producers", buffer.getvalue(), "fermes.xlsx", dry_run="false"
    ).json()

    assert [row["name"] for row in result["new"]] == ["Ferme du Mélantois"]
    reasons = {row["id"]: row["reason"] for row in result["refused"]}
    assert reasons["ligne 3"] == "SIRET : Un SIRET compte 14 chiffres."
    assert "formule" in reasons["ligne 4"]
    farm = Producer.objects.get(organisation__name="Ferme du Mélantois")
    assert farm.is_organic and farm.available_from_time == time(7, 0)
    assert send(volunteer_client, "producers", buffer.getvalue(), "f.xlsx").status_code == 403


def test_the_coordinator_imports_from_its_screen(world):
    screen = Client()
    screen.force_login(world.coordinator)

    read = screen.post(
        "/coordination/structures/",
        {"kind": "groceries", "file": SimpleUploadedFile("lieux.csv", GROCERIES.encode())},
        follow=True,
    )

    page = read.content.decode()
    assert "Épicerie des Bois-Blancs" in page and "Lignes refusées" not in page
    assert "4 lignes refusées" in page and "Appliquer l'import" in page
    prepared = DataImport.objects.get(kind="groceries")
    assert not Grocery.objects.filter(organisation__name="Épicerie des Bois-Blancs").exists()

    applied = screen.post(
        f"/coordination/structures/import/{prepared.id}/", {"confirm": "1"}, follow=True
    )

    assert "Import appliqué — lieux ajoutés : 2, modifiés : 0." in applied.content.decode()
    assert Grocery.objects.filter(organisation__name="Épicerie des Bois-Blancs").exists()
    volunteer = Client()
    volunteer.force_login(world.volunteer)
    assert volunteer.get("/coordination/structures/").status_code in (302, 403)
