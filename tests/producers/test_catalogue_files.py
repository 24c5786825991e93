"""Catalogue files (DESIGN.md §13): the producer's export read back as an import, with the same
dry run as DFC (new, changed, unchanged, refused per row), French columns and numbers typed
with a comma or a point, formulas refused, and nothing applied before it is confirmed."""

import io
from decimal import Decimal as D

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from core.models import DataImport
from producers.models import Product
from tests.factories import ProductFactory

HEADER = (
    "Référence;Nom;Catégorie;Unité;Poids unitaire (kg);Colisage;Prix unitaire HT (€);TVA (%);"
    "Bio;Actif"
)


def send(client, producer, content: bytes, name="catalogue.csv", **fields):
    return client.post(
        f"/api/v1/producers/{producer.id}/catalogue-import/",
        {"file": SimpleUploadedFile(name, content), **fields},
        format="multipart",
    )


def exported(client, producer, file_format="csv") -> bytes:
    answer = client.get(
        f"/api/v1/producers/{producer.id}/catalogue-export/", {"format": file_format}
    )
    assert answer.status_code == 200
    return answer.content


def test_the_export_reads_back_unchanged(world, market, producer_client):
    count = world.producer.products.count()

    for file_format in ("csv", "xlsx"):
        content = exported(producer_client, world.producer, file_format)
        result = send(producer_client, world.producer, content, f"c.{file_format}").json()

        assert result == {
            "new": [],
            "changed": [],
            "unchanged": count,
            "refused": [],
            "applied": False,
        }


def test_a_file_typed_in_a_spreadsheet_is_shown_then_applied(world, market, producer_client):
    carrots = market.offers[0].product
    lines = [
        HEADER,
        f"{carrots.id};{carrots.name};Légumes;kilogramme;1;1;2,35;5,5;non;oui",
        ";Chou rouge;legumes;pièce;1,2;1;1.80;5.5;oui;",
        ";Miel;Épicerie;pièce;0,5;1;1 234,50;5,5;;",
        ";Jus;boissons;litre;1;1;=2*3;5,5;;",
        ";Tomates;Légumes;tonneau;1;1;3;5,5;;",
        "",
        ";Navets;Légumes;kg;1;1;abc;5,5;;",
    ]
    content = "\n".join(lines).encode("utf-8")
    before = list(Product.objects.values_list("id", "name", "unit_price_ht").order_by("id"))

    dry = send(producer_client, world.producer, content).json()

    assert dry["applied"] is False
    assert [(c["product"], c["changes"]) for c in dry["changed"]] == [
        (carrots.id, {"unit_price_ht": ["2.00", "2.35"]})
    ]
    assert [(n["name"], n["unit_price_ht"], n["is_organic"]) for n in dry["new"]] == [
        ("Chou rouge", "1.80", True),
        ("Miel", "1234.50", False),
    ]
    assert dry["refused"] == [
        {
            "id": "ligne 5",
            "reason": "Prix unitaire HT (€) : une formule n'est pas importée (« =2*3 ») ; "
            "tapez sa valeur.",
        },
        {
            "id": "ligne 6",
            "reason": "Unité : « tonneau » n'est pas connu (kilogramme, pièce, litre).",
        },
        {"id": "ligne 8", "reason": "Prix unitaire HT (€) : « abc » n'est pas un nombre."},
    ]
    assert list(Product.objects.values_list("id", "name", "unit_price_ht").order_by("id")) == (
        before
    )

    applied = send(producer_client, world.producer, content, dry_run="false").json()

    assert applied["applied"] is True
    carrots.refresh_from_db()
    assert carrots.unit_price_ht == D("2.35")
    cabbage = world.producer.products.get(name="Chou rouge")
    assert (cabbage.unit, cabbage.unit_weight_kg, cabbage.is_organic) == ("piece", D("1.2"), True)
    assert not world.producer.products.filter(name__in=["Jus", "Tomates", "Navets"]).exists()


def test_a_spreadsheet_formula_is_refused_on_its_row(world, market, producer_client):
    workbook = load_workbook(io.BytesIO(exported(producer_client, world.producer, "xlsx")))
    sheet = workbook.active
    sheet["G2"] = "=B2*2"  # the first product's price as a formula
    sheet["G3"] = 9.99  # a number, typed as a number
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = send(producer_client, world.producer, buffer.getvalue(), "c.xlsx").json()

    assert [refusal["id"] for refusal in result["refused"]] == ["ligne 2"]
    assert "formule" in result["refused"][0]["reason"]
    assert [change["changes"]["unit_price_ht"][1] for change in result["changed"]] == ["9.99"]


def test_wrong_headers_refuse_the_whole_file(world, producer_client):
    content = b"Produit;Prix\nCarottes;2\n"

    answer = send(producer_client, world.producer, content, dry_run="false")

    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid_headers"
    assert "colonnes inconnues : Produit, Prix" in body["message"]
    assert "colonnes manquantes : Nom, Catégorie, Unité, Prix unitaire HT (€)" in body["message"]


def test_a_name_twice_and_another_producer_s_reference(world, producer_client):
    other = world.other_product
    content = "\n".join(
        [
            HEADER,
            ";Poireaux;Légumes;kg;1;1;2;5,5;;",
            ";poireaux ;Légumes;kg;1;1;3;5,5;;",
            f"{other.id};Pris ailleurs;Légumes;kg;1;1;3;5,5;;",
        ]
    ).encode("cp1252")  # as Excel writes a CSV on Windows

    result = send(producer_client, world.producer, content, dry_run="false").json()

    assert [item["name"] for item in result["new"]] == ["Poireaux"]
    reasons = {refusal["id"]: refusal["reason"] for refusal in result["refused"]}
    assert reasons["ligne 3"] == "Ce produit apparaît deux fois dans l'import."
    # Not its product: a new one would be added under that name, never the other's changed.
    other.refresh_from_db()
    assert other.name != "Pris ailleurs"
    assert "ligne 4" in reasons


def test_only_the_producer_itself_and_the_coordinator_import_files(
    world, volunteer_client, producer_client, coordinator_client
):
    ProductFactory(producer=world.other_producer, name="Oignons")
    content = f"{HEADER}\n;Oignons;Légumes;kg;1;1;2;5,5;;\n".encode()

    assert send(volunteer_client, world.producer, content).status_code == 403
    assert send(producer_client, world.other_producer, content).status_code == 404
    answer = send(coordinator_client, world.other_producer, content)
    assert answer.status_code == 200 and answer.json()["unchanged"] == 1


def test_the_producer_imports_a_file_from_its_screen(world, market):
    screen = Client()
    screen.force_login(world.producer_user)
    content = f"{HEADER}\n;Chou rouge;Légumes;pièce;1,2;1;1,80;5,5;oui;\n;Jus;x;litre;1;1;2;5,5;;\n"

    read = screen.post(
        "/producteur/catalogue/",
        {"import": "1", "file": SimpleUploadedFile("catalogue.csv", content.encode())},
        follow=True,
    )

    page = read.content.decode()
    assert "Nouveaux produits" in page and "Chou rouge" in page and "1,80 €" in page
    assert "Catégorie : « x » n&#x27;est pas connu" in page
    assert "Appliquer l'import" in page
    assert not world.producer.products.filter(name="Chou rouge").exists()
    prepared = DataImport.objects.get(organisation=world.producer.organisation)

    applied = screen.post(
        f"/producteur/catalogue/import/{prepared.id}/", {"confirm": "1"}, follow=True
    )

    assert "Import appliqué — produits ajoutés : 1, modifiés : 0." in applied.content.decode()
    assert world.producer.products.filter(name="Chou rouge", unit="piece").count() == 1
    again = screen.post(
        f"/producteur/catalogue/import/{prepared.id}/", {"confirm": "1"}, follow=True
    )
    assert "Cet import a déjà été appliqué." in again.content.decode()
    assert world.producer.products.filter(name="Chou rouge").count() == 1


def test_a_file_that_cannot_be_read_keeps_nothing_and_another_s_import_is_hidden(world):
    screen = Client()
    screen.force_login(world.producer_user)

    read = screen.post(
        "/producteur/catalogue/",
        {"import": "1", "file": SimpleUploadedFile("c.csv", b"Produit;Prix\nA;1\n")},
        follow=True,
    )

    assert "Les en-têtes du fichier ne sont pas ceux attendus" in read.content.decode()
    assert not DataImport.objects.exists()
    theirs = DataImport.objects.create(
        organisation=world.other_producer.organisation,
        kind="catalogue_file",
        name="x.csv",
        preview={},
    )
    assert screen.get(f"/producteur/catalogue/import/{theirs.id}/").status_code == 404
    dropped = DataImport.objects.create(
        organisation=world.producer.organisation,
        kind="catalogue_file",
        name="y.csv",
        preview=None,
    )
    screen.post(f"/producteur/catalogue/import/{dropped.id}/", {"cancel": "1"})
    assert not DataImport.objects.filter(pk=dropped.pk).exists()


def test_the_offers_file_fills_the_offers_screen_and_nothing_is_saved_before(
    world, market, producer_client
):
    carrots = market.offers[0]
    answer = producer_client.get(
        f"/api/v1/producers/{world.producer.id}/offers-export/",
        {"cycle": market.cycle.id, "format": "csv"},
    )
    header, *rows = answer.content.decode("utf-8-sig").splitlines()
    assert header == ("Référence;Nom;Unité;Colisage;Quantité disponible;Prix unitaire HT (€)")
    line = next(row for row in rows if row.startswith(f"{carrots.product_id};"))
    assert line.split(";")[4:] == ["100,000", "2,00"]
    changed = [row.replace(";100,000;2,00", ";80;2,10") if row == line else row for row in rows]
    content = "\n".join([header, *changed, ";Inconnu;kg;1;5;1"]).encode()
    screen = Client()
    screen.force_login(world.producer_user)

    page = screen.post(
        f"/producteur/cycles/{market.cycle.id}/offres/",
        {"import": "1", "file": SimpleUploadedFile("offres.csv", content)},
    ).content.decode()

    assert f'name="q-{carrots.product_id}" value="80"' in page
    # The cycle is open: its prices are fixed, the file's price is not typed in.
    assert f'name="p-{carrots.product_id}" placeholder="2,00" value="2,00" disabled' in page
    assert "ligne 4 : Pas de tel produit dans votre catalogue." in page
    assert "2 offres lues dans le fichier" in page
    carrots.refresh_from_db()
    assert (carrots.quantity_available, carrots.unit_price_ht) == (D("100"), D("2.00"))
    assert (
        producer_client.get(
            f"/api/v1/producers/{world.other_producer.id}/offers-export/",
            {"cycle": market.cycle.id},
        ).status_code
        == 404
    )
