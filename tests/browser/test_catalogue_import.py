"""The producer's catalogue import in a real browser: the CoopCircuits-like DFC document and
the catalogue's own Excel export, each read into an accessible dry-run table, then applied."""

import json

import pytest

from producers.models import Product

pytestmark = pytest.mark.browser

ENTERPRISE = "https://www.coopcircuits.fr/api/dfc/enterprises/4521"


def _document(tmp_path) -> str:
    def product(number, name, price, unit="dfc-m:Kilogram", currency="dfc-m:Euro"):
        supplied = f"{ENTERPRISE}/supplied_products/{number}"
        item = f"{ENTERPRISE}/catalog_items/{number}"
        offer = f"{ENTERPRISE}/offers/{number}"
        return [
            {
                "@id": supplied,
                "@type": "dfc-b:SuppliedProduct",
                "dfc-b:name": name,
                "dfc-b:hasType": "dfc-pt:vegetable",
                "dfc-b:hasQuantity": {"dfc-b:hasUnit": unit, "dfc-b:value": 1},
            },
            {
                "@id": item,
                "@type": "dfc-b:CatalogItem",
                "dfc-b:references": supplied,
                "dfc-b:offeredThrough": offer,
            },
            {
                "@id": offer,
                "@type": "dfc-b:Offer",
                "dfc-b:hasPrice": {
                    "dfc-b:value": price,
                    "dfc-b:VATrate": 5.5,
                    "dfc-b:hasUnit": currency,
                },
            },
        ]

    path = tmp_path / "coopcircuits.json"
    path.write_text(
        json.dumps(
            {
                "@context": "https://www.datafoodconsortium.org",
                "@graph": [
                    *product(1, "Poireaux", 2.40),
                    *product(2, "Céleri-rave", 2.10),
                    *product(3, "Miel", 9.50, currency="dfc-m:USDollar"),
                ],
            }
        )
    )
    return str(path)


def test_a_producer_imports_its_coopcircuits_catalogue(login, tmp_path):
    session = login("producteur.wavrin")
    page = session.open("/producteur/catalogue/")

    page.get_by_label("Fichier (Excel, CSV ou DFC JSON-LD)").set_input_files(_document(tmp_path))
    page.get_by_role("button", name="Lire l'import").click()
    page.wait_for_url("**/producteur/catalogue/import/*/")

    table = session.open(page.url.removeprefix(session.base_url))
    assert "1 nouveau produit" in table.content() and "1 produit modifié" in table.content()
    assert "au prix en USDollar" in table.content()
    assert not Product.objects.filter(name="Céleri-rave").exists()
    table.get_by_role("button", name="Appliquer l'import").click()
    table.wait_for_url("**/producteur/catalogue/")
    assert "produits ajoutés : 1, modifiés : 1" in table.content()
    leeks = Product.objects.get(name="Poireaux", producer__organisation__name__contains="Wavrin")
    assert leeks.dfc_id == f"{ENTERPRISE}/supplied_products/1"


def test_a_producer_reads_back_its_excel_export(login, tmp_path):
    session = login("producteur.wavrin")
    page = session.open("/producteur/catalogue/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter (Excel)").click()
    exported = tmp_path / "catalogue.xlsx"
    download.value.save_as(exported)

    page.get_by_label("Fichier (Excel, CSV ou DFC JSON-LD)").set_input_files(str(exported))
    page.get_by_role("button", name="Lire l'import").click()
    page.wait_for_url("**/producteur/catalogue/import/*/")

    content = session.open(page.url.removeprefix(session.base_url)).content()
    assert "0 nouveau produit" in content and "0 produit modifié" in content
    assert "0 ligne refusée" in content
