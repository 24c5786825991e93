"""The DFC export (DESIGN.md §13): a consenting producer's catalogue as JSON-LD at the paths of
OFN's DFC API, its context served from our static files, read back with rdflib (nothing
fetched) into the same products, in the terms of the DFC business ontology and taxonomies."""

import json
from datetime import timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from rdflib import RDF, Graph, Namespace, URIRef
from rest_framework.test import APIClient

from producers import dfc
from supply.models import OrderCycle
from tests.factories import TEST_PASSWORD

DFC_B = Namespace(
    "https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#"
)
DFC_M = "https://github.com/datafoodconsortium/taxonomies/releases/latest/download/measures.rdf#"
DFC_PT = (
    "https://github.com/datafoodconsortium/taxonomies/releases/latest/download/productTypes.rdf#"
)
SHARED = Path(settings.BASE_DIR).parent / "shared" / "data" / "dfc"
UNITS = {f"{DFC_M}Kilogram": "kg", f"{DFC_M}Piece": "piece", f"{DFC_M}Litre": "litre"}


def token_client(user) -> APIClient:
    username = user if isinstance(user, str) else user.username
    client = APIClient()
    answer = client.post(
        "/api/v1/auth/token/", {"username": username, "password": TEST_PASSWORD}, format="json"
    )
    client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    return client


def graph_of(document: dict) -> Graph:
    """The document as RDF, with the context it names: our own static file (no outside host),
    read from disk here so that rdflib never fetches anything."""
    assert document["@context"] == "http://testserver/static/dfc/context-1.8.json"
    served = finders.find("dfc/context-1.8.json")
    assert served and Path(served) == dfc.CONTEXT_FILE
    context = json.loads(Path(served).read_text())["@context"]
    return Graph().parse(data=json.dumps({**document, "@context": context}), format="json-ld")


def products_of(graph: Graph) -> dict[str, dict]:
    """Each SuppliedProduct read back as our product's fields, by name."""
    read = {}
    for supplied in graph.subjects(RDF.type, DFC_B.SuppliedProduct):
        quantity = graph.value(supplied, DFC_B.hasQuantity)
        item = graph.value(supplied, DFC_B.referencedBy)
        offer = graph.value(item, DFC_B.offeredThrough)
        price = graph.value(offer, DFC_B.hasPrice)
        pack = D(str(graph.value(quantity, DFC_B.value)))
        read[str(graph.value(supplied, DFC_B.name))] = {
            "type": str(graph.value(supplied, DFC_B.hasType)).removeprefix(DFC_PT),
            "unit": UNITS[str(graph.value(quantity, DFC_B.hasUnit))],
            "pack_size": pack,
            "unit_price_ht": (D(str(graph.value(price, DFC_B.value))) / pack).quantize(D("0.01")),
            "vat_rate": D(str(graph.value(price, DFC_B.VATrate))) / 100,
            "stock": graph.value(item, DFC_B.stockLimitation),
        }
    return read


@pytest.fixture
def shared(world, market):
    world.producer.dfc_shared = True
    world.producer.save()
    return world.producer


def test_the_catalogue_reads_back_into_the_same_products(world, market, shared, volunteer_client):
    carrots, eggs, _potatoes = market.offers
    # The stock is the open cycle's that closes first: the market's here.
    OrderCycle.objects.filter(pk=world.open_offer.cycle_id).update(
        closes_at=market.cycle.closes_at + timedelta(days=1),
        confirm_by=market.cycle.closes_at + timedelta(days=2),
    )
    # 4 kg of carrots ordered in the open cycle: 96 of 100 left.
    volunteer_client.post(
        "/api/v1/orders/",
        {
            "cycle": market.cycle.id,
            "grocery": world.grocery.id,
            "lines": [{"offer": carrots.id, "quantity": "4"}],
        },
        format="json",
    )
    client = token_client("coordination")

    answer = client.get(f"/api/dfc/enterprises/{shared.id}/catalog_items")

    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/ld+json")
    graph = graph_of(answer.json())
    products = {p.name: p for p in shared.products.filter(is_active=True)}
    read = products_of(graph)
    assert set(read) == set(products)
    for name, product in products.items():
        assert read[name]["type"] == dfc.PRODUCT_TYPES[product.category].removeprefix("dfc-pt:")
        assert read[name]["unit"] == product.unit
        assert read[name]["pack_size"] == product.pack_size
        assert read[name]["unit_price_ht"] == product.unit_price_ht
        assert read[name]["vat_rate"] == product.vat_rate
    assert int(read[carrots.product.name]["stock"]) == 96
    assert int(read[eggs.product.name]["stock"]) == 100
    # The enterprise manages each item and supplies each product.
    enterprise = URIRef(f"http://testserver/api/dfc/enterprises/{shared.id}")
    assert (enterprise, RDF.type, DFC_B.Enterprise) in graph
    assert len(list(graph.objects(enterprise, DFC_B.manages))) == len(products)
    # Every predicate is the business ontology's (or rdf:type); every type and unit exists in
    # the DFC taxonomies.
    predicates = set(graph.predicates()) - {RDF.type}
    assert predicates and all(str(p).startswith(str(DFC_B)) for p in predicates), predicates
    taxonomy = (SHARED / "productTypes.json").read_text()
    measures = (SHARED / "measures.json").read_text()
    for supplied in graph.subjects(RDF.type, DFC_B.SuppliedProduct):
        assert str(graph.value(supplied, DFC_B.hasType)) in taxonomy
        unit = str(graph.value(graph.value(supplied, DFC_B.hasQuantity), DFC_B.hasUnit))
        assert "dfc-m:" + unit.removeprefix(DFC_M) in measures


def test_one_product_and_its_offer_are_served_at_their_own_paths(world, shared):
    product = shared.products.first()
    client = token_client("coordination")
    base = f"/api/dfc/enterprises/{shared.id}"

    supplied = client.get(f"{base}/supplied_products/{product.id}").json()
    offer = client.get(f"{base}/offers/{product.id}").json()

    assert [node["@type"] for node in supplied["@graph"]] == ["dfc-b:SuppliedProduct"]
    assert supplied["@graph"][0]["dfc-b:name"] == product.name
    assert [node["@type"] for node in offer["@graph"]] == ["dfc-b:Offer"]
    assert client.get(f"{base}/supplied_products/999999").status_code == 404
    # Only the producer's own products.
    other = world.other_producer.products.first()
    assert client.get(f"{base}/catalog_items/{other.id}").status_code == 404


def test_a_catalogue_not_shared_is_not_served_to_others(world, market):
    assert not world.producer.dfc_shared
    path = f"/api/dfc/enterprises/{world.producer.id}/catalog_items"

    assert APIClient().get(path).status_code == 401
    assert token_client(world.volunteer).get(path).status_code == 404
    # Its own people and the coordinator see it before it shares it.
    assert token_client(world.producer_user).get(path).status_code == 200
    assert token_client("coordination").get(path).status_code == 200
    # The producer says it shares, through the API it already uses.
    answer = token_client(world.producer_user).patch(
        f"/api/v1/producers/{world.producer.id}/", {"dfc_shared": True}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["dfc_shared"] is True
    assert token_client(world.volunteer).get(path).status_code == 200


def test_the_catalogue_file_has_french_columns_and_decimal_commas(world, producer_client):
    answer = producer_client.get(
        f"/api/v1/producers/{world.producer.id}/catalogue-export/", {"format": "csv"}
    )

    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    assert "catalogue-" in answer["Content-Disposition"]
    header, *rows = answer.content.decode("utf-8-sig").splitlines()
    assert header == (
        "Référence;Nom;Catégorie;Unité;Poids unitaire (kg);Colisage;Prix unitaire HT (€);"
        "TVA (%);Bio;Actif"
    )
    product = world.product
    assert rows[0].split(";")[:4] == [str(product.id), product.name, "Légumes", "kilogramme"]
    assert rows[0].split(";")[7] == "5,5"
    xlsx = producer_client.get(
        f"/api/v1/producers/{world.producer.id}/catalogue-export/", {"format": "xlsx"}
    )
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    # Another producer's catalogue is not its to read.
    other = producer_client.get(
        f"/api/v1/producers/{world.other_producer.id}/catalogue-export/", {"format": "csv"}
    )
    assert other.status_code == 404


def test_the_producer_shares_its_catalogue_from_its_screen(world):
    screen = Client()
    screen.force_login(world.producer_user)
    page = screen.get("/producteur/catalogue/").content.decode()
    assert "Partager mon catalogue" in page and "Exporter (Excel)" in page

    shared = screen.post("/producteur/catalogue/", {"dfc": "share"}, follow=True)

    assert "Votre catalogue est partagé avec les autres plateformes via DFC." in (
        shared.content.decode()
    )
    world.producer.refresh_from_db()
    assert world.producer.dfc_shared
    assert "Arrêter le partage" in shared.content.decode()
    screen.post("/producteur/catalogue/", {"dfc": "stop"})
    world.producer.refresh_from_db()
    assert not world.producer.dfc_shared
