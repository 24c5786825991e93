"""The DFC import (DESIGN.md §13): a producer's catalogue read from another platform's DFC
document, uploaded or fetched from its DFC API, shown first as a dry run, applied in one
transaction, found again by its DFC identifier on re-import; and refused, item by item or as
a whole, when it cannot be read, with nothing remote ever fetched for it."""

import copy
import json
import threading
import time
from decimal import Decimal as D
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from core.models import DataImport, TaskRun, TaskState
from producers.models import Product
from tests.factories import ProductFactory

SHARED = Path(settings.BASE_DIR).parent / "shared" / "data" / "dfc"
CONTEXT = "https://w3id.org/dfc/ontology/context/context_1.16.0.json"
ENTERPRISE = "https://coopcircuits.example/api/dfc/enterprises/77"


def upload(client, producer, content, **fields):
    content = content if isinstance(content, bytes) else json.dumps(content).encode()
    return client.post(
        f"/api/v1/producers/{producer.id}/dfc-import/",
        {"file": SimpleUploadedFile("catalogue.json", content), **fields},
        format="multipart",
    )


def dfc_yaml_example(path: str, name: str) -> dict:
    """One example document of OFN's DFC API description."""
    described = yaml.safe_load((SHARED / "dfc.yaml").read_text())
    answers = described["paths"][path]["get"]["responses"]["200"]["content"]
    return answers["application/json; charset=utf-8"]["examples"][name]["value"]


def product_nodes(
    number: int,
    *,
    name: str,
    price,
    unit="dfc-m:Kilogram",
    value=1,
    enterprise=ENTERPRISE,
    **extra,
):
    """A SuppliedProduct with its CatalogItem and Offer, as OFN publishes them."""
    base = f"{enterprise}/supplied_products/{number}"
    item = f"{enterprise}/catalog_items/{number}"
    offer = f"{enterprise}/offers/{number}"
    return [
        {
            "@id": base,
            "@type": "dfc-b:SuppliedProduct",
            "dfc-b:name": name,
            "dfc-b:hasType": extra.pop("type", "dfc-pt:vegetable"),
            "dfc-b:hasQuantity": {
                "@type": "dfc-b:QuantitativeValue",
                "dfc-b:hasUnit": unit,
                "dfc-b:value": value,
            },
            **extra,
        },
        {
            "@id": item,
            "@type": "dfc-b:CatalogItem",
            "dfc-b:references": base,
            "dfc-b:offeredThrough": offer,
            "dfc-b:managedBy": enterprise,
        },
        {
            "@id": offer,
            "@type": "dfc-b:Offer",
            "dfc-b:hasPrice": {
                "@type": "dfc-b:Price",
                "dfc-b:value": price,
                "dfc-b:VATrate": 5.5,
                "dfc-b:hasUnit": "dfc-m:Euro",
            },
        },
    ]


def catalogue(*products) -> dict:
    return {"@context": CONTEXT, "@graph": [node for nodes in products for node in nodes]}


def test_ofn_s_product_document_is_read_then_applied_and_found_again(world, producer_client):
    content = (SHARED / "product.GET.json").read_bytes()
    before = Product.objects.count()

    dry = upload(producer_client, world.producer, content)

    assert dry.status_code == 200, dry.json()
    result = dry.json()
    assert result["applied"] is False and result["refused"] == []
    (new,) = result["new"]
    # No quantity (0 kg) and a VAT rate of 1: sold by the piece, 5.5 %, both said.
    assert new["name"] == "Fillet Steak - 201g x 1 Steak"
    assert (new["unit"], new["pack_size"], new["unit_price_ht"]) == ("piece", "1.000", "12.06")
    assert new["vat_rate"] == "0.0550" and len(new["warnings"]) == 3
    assert Product.objects.count() == before  # a dry run changes nothing

    applied = upload(producer_client, world.producer, content, dry_run="false").json()

    assert applied["applied"] is True and len(applied["new"]) == 1
    steak = world.producer.products.get(name="Fillet Steak - 201g x 1 Steak")
    assert steak.dfc_id.endswith("/SuppliedProducts/49055026544964")
    assert steak.unit_price_ht == D("12.06") and steak.unit_weight_kg == D("1")
    # Read again: the same product, unchanged, never a second one.
    again = upload(producer_client, world.producer, content, dry_run="false").json()
    assert (again["new"], again["changed"], again["unchanged"]) == ([], [], 1)
    assert Product.objects.count() == before + 1


def test_a_supplied_product_put_changes_the_product_but_keeps_its_price(world, producer_client):
    document = json.loads((SHARED / "put_supplied_product.json").read_text())
    pesto = ProductFactory(
        producer=world.producer,
        name="Pesto",
        category="epicerie",
        unit="piece",
        pack_size=D("6"),
        unit_weight_kg=D("0.2"),
        unit_price_ht=D("3.10"),
        dfc_id=document["@id"],
    )

    result = upload(producer_client, world.producer, document, dry_run="false").json()

    (changed,) = result["changed"]
    assert changed["product"] == pesto.id
    assert changed["changes"] == {
        "name": ["Pesto", "Pesto novo"],
        "category": ["epicerie", "boissons"],  # dfc-pt:drink
        "pack_size": ["6.000", "17.000"],
    }
    pesto.refresh_from_db()
    assert (pesto.name, pesto.pack_size, pesto.unit_price_ht) == ("Pesto novo", 17, D("3.10"))
    assert pesto.unit_weight_kg == D("0.2")  # the document says nothing of it


def test_the_catalogue_examples_of_ofn_s_dfc_api_are_read(world, producer_client):
    example = dfc_yaml_example(
        "/api/dfc/enterprises/{enterprise_id}/catalog_items", "as platform user"
    )

    result = upload(producer_client, world.producer, example).json()

    # Priced in Australian dollars: refused, with its reason; the product group is no product.
    assert result["new"] == [] and result["unchanged"] == 0
    assert result["refused"] == [
        {
            "id": "http://test.host/api/dfc/enterprises/10000/supplied_products/10001",
            "reason": "« Apple - 1g » est au prix en AustralianDollar : seuls les prix en "
            "euros sont retenus.",
        }
    ]
    # The same in euros: an apple of 1 g, by the kilogram.
    in_euros = copy.deepcopy(example)
    in_euros["@graph"][3]["dfc-b:hasPrice"]["dfc-b:hasUnit"] = "dfc-m:Euro"
    (apple,) = upload(producer_client, world.producer, in_euros).json()["new"]
    assert (apple["name"], apple["unit"], apple["pack_size"]) == ("Apple - 1g", "kg", "0.001")
    assert apple["unit_price_ht"] == "19990.00"


def test_a_wholesale_case_of_retail_jars_is_one_product_sold_by_the_case(world, producer_client):
    case = f"{ENTERPRISE}/supplied_products/1"
    jar = f"{ENTERPRISE}/supplied_products/2"
    document = catalogue(
        product_nodes(1, name="Confiture, carton de 12", price=36, unit="dfc-m:Piece"),
        product_nodes(
            2,
            name="Confiture de fraise 370 g",
            price=3.5,
            unit="dfc-m:Gram",
            value=370,
            type="dfc-pt:jam",
        ),
        [
            {
                "@id": f"{ENTERPRISE}/transformations/1",
                "@type": "dfc-b:AsPlannedTransformation",
                "dfc-b:hasIncome": {
                    "@type": "dfc-b:AsPlannedConsumptionFlow",
                    "dfc-b:consumes": {"@id": case},
                    "dfc-b:hasQuantity": {
                        "@type": "dfc-b:QuantitativeValue",
                        "dfc-b:hasUnit": "dfc-m:Piece",
                        "dfc-b:value": 1,
                    },
                },
                "dfc-b:hasOutcome": {
                    "@type": "dfc-b:AsPlannedProductionFlow",
                    "dfc-b:produces": {"@id": jar},
                    "dfc-b:hasQuantity": {
                        "@type": "dfc-b:QuantitativeValue",
                        "dfc-b:hasUnit": "dfc-m:Piece",
                        "dfc-b:value": 12,
                    },
                },
            }
        ],
    )

    result = upload(producer_client, world.producer, document, dry_run="false").json()

    assert result["refused"] == []
    (new,) = result["new"]
    jam = world.producer.products.get(dfc_id=jar)
    # Bought by the case of 12 jars of 370 g, at the case's price: 36 € / 12.
    assert (jam.name, jam.unit, jam.pack_size) == ("Confiture de fraise 370 g", "piece", 12)
    assert (jam.unit_price_ht, jam.unit_weight_kg, jam.category) == (
        D("3.00"),
        D("0.370"),
        "epicerie",
    )
    assert new["warnings"] == []
    assert not world.producer.products.filter(dfc_id=case).exists()


def test_our_own_export_reads_back_into_the_same_products(
    world, market, producer_client, coordinator_client
):
    exported = producer_client.get(f"/api/dfc/enterprises/{world.producer.id}/catalog_items")
    ours = {p.name: p for p in world.producer.products.filter(is_active=True)}
    other = world.other_producer
    other.products.all().update(name="Autre chose")

    # Read into another producer's catalogue: the same products, each of our identifiers.
    result = upload(coordinator_client, other, exported.content, dry_run="false").json()

    assert result["refused"] == []
    assert {item["name"] for item in result["new"]} == set(ours)
    for product in other.products.exclude(name="Autre chose"):
        mine = ours[product.name]
        assert (product.category, product.unit, product.pack_size) == (
            mine.category,
            mine.unit,
            mine.pack_size,
        )
        assert (product.unit_price_ht, product.vat_rate) == (mine.unit_price_ht, mine.vat_rate)
        assert product.dfc_id == (
            f"http://testserver/api/dfc/enterprises/{world.producer.id}/supplied_products/{mine.id}"
        )


BAD_DOCUMENTS = {
    "not JSON": (b"<rdf:RDF>not json</rdf:RDF>", "invalid_dfc"),
    "JSON without a context": ({"@graph": []}, "invalid_dfc"),
    "no DFC product": ({"@context": CONTEXT, "@graph": [{"@id": "x:1"}]}, "invalid_dfc"),
    "a context elsewhere": (
        {"@context": "https://evil.example/context.json", "@graph": []},
        "unknown_context",
    ),
    "a context imported": (
        {"@context": {"@import": "https://evil.example/c.json"}, "@graph": []},
        "unknown_context",
    ),
    "a nested context elsewhere": (
        {
            "@context": CONTEXT,
            "@graph": [{"@context": "http://127.0.0.1:1/c.json", "@id": "x:1"}],
        },
        "unknown_context",
    ),
}


@pytest.mark.parametrize("case", BAD_DOCUMENTS, ids=list(BAD_DOCUMENTS))
def test_a_document_that_cannot_be_read_is_refused_whole(world, producer_client, case):
    content, code = BAD_DOCUMENTS[case]
    before = list(Product.objects.values_list("id", "name", "unit_price_ht").order_by("id"))

    answer = upload(producer_client, world.producer, content, dry_run="false")

    assert answer.status_code == 400, answer.json()
    assert answer.json()["code"] == code and answer.json()["message"]
    assert list(Product.objects.values_list("id", "name", "unit_price_ht").order_by("id")) == (
        before
    )


def test_items_that_cannot_be_taken_are_refused_one_by_one(world, producer_client):
    document = catalogue(
        product_nodes(1, name="Poireaux", price=2.4),
        product_nodes(2, name="Ficelle", price=1, unit="dfc-m:Inch"),
        product_nodes(3, name="Navets", price=-1),
        product_nodes(4, name="Pommes", price=3),
    )
    document["@graph"][10]["dfc-b:managedBy"] = "https://elsewhere.example/enterprises/9"

    result = upload(
        producer_client, world.producer, document, enterprise=ENTERPRISE, dry_run="false"
    ).json()

    assert [item["name"] for item in result["new"]] == ["Poireaux"]
    reasons = {refusal["id"].rsplit("/", 1)[1]: refusal["reason"] for refusal in result["refused"]}
    assert reasons == {
        "2": "« Ficelle » est vendu dans une unité que nous ne connaissons pas (Inch).",
        "3": "« Navets » a un prix négatif.",
        "4": "« Pommes » appartient à une autre entreprise "
        "(https://elsewhere.example/enterprises/9).",
    }
    assert list(world.producer.products.filter(dfc_id__startswith=ENTERPRISE)) == [
        world.producer.products.get(name="Poireaux")
    ]


def test_a_catalogue_of_ten_thousand_items_is_refused_whole(world, producer_client):
    document = catalogue(*(product_nodes(n, name=f"P{n}", price=1) for n in range(10_000)))

    answer = upload(producer_client, world.producer, document, dry_run="false")

    assert answer.status_code == 400
    assert answer.json()["code"] == "too_many_items"
    assert not world.producer.products.filter(dfc_id__startswith=ENTERPRISE).exists()


def test_a_unit_is_not_changed_under_offers_already_made(world, market, producer_client):
    carrots = market.offers[0].product
    carrots.dfc_id = f"{ENTERPRISE}/supplied_products/1"
    carrots.save()
    document = catalogue(product_nodes(1, name=carrots.name, price=2, unit="dfc-m:Piece"))

    result = upload(producer_client, world.producer, document, dry_run="false").json()

    assert result["changed"] == [] and "unité" in result["refused"][0]["reason"]
    carrots.refresh_from_db()
    assert carrots.unit == "kg"


def test_only_the_producer_itself_and_the_coordinator_import(
    world, volunteer_client, producer_client, coordinator_client
):
    content = (SHARED / "product.GET.json").read_bytes()

    assert upload(volunteer_client, world.producer, content).status_code == 403
    assert upload(producer_client, world.other_producer, content).status_code == 404
    assert upload(coordinator_client, world.other_producer, content).status_code == 200
    both = producer_client.post(
        f"/api/v1/producers/{world.producer.id}/dfc-import/",
        {"file": SimpleUploadedFile("c.json", content), "url": "https://a.example/x"},
        format="multipart",
    )
    assert both.status_code == 400


class FakeDFC(BaseHTTPRequestHandler):
    """Another platform's DFC API on loopback: the catalogue for a bearer token."""

    document: bytes = b""
    hits: list[str] = []

    def do_GET(self):
        FakeDFC.hits.append(self.path)
        if self.path.startswith("/slow"):
            time.sleep(3)
        if self.headers.get("Authorization") != "Bearer secret":
            self.send_response(401)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.end_headers()
        self.wfile.write(FakeDFC.document)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_dfc():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeDFC)
    address = f"http://127.0.0.1:{server.server_address[1]}"
    enterprise = f"{address}/api/dfc/enterprises/77"
    FakeDFC.hits = []
    FakeDFC.document = json.dumps(
        catalogue(
            product_nodes(1, name="Poireaux", price=2.4, enterprise=enterprise),
            product_nodes(2, name="Ail", price=8, enterprise=enterprise),
        )
    ).encode()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield address
    server.shutdown()
    server.server_close()


def fetch(client, producer, capture, **body):
    with capture(execute=True):
        answer = client.post(f"/api/v1/producers/{producer.id}/dfc-import/", body, format="json")
    assert answer.status_code == 202, answer.json()
    return TaskRun.objects.get(id=answer.json()["task_id"])


@override_settings(DFC_IMPORT_PRIVATE_HOSTS=True, DFC_IMPORT_TIMEOUT=1)
def test_a_catalogue_is_fetched_from_another_platform_in_the_background(
    world, producer_client, fake_dfc, django_capture_on_commit_callbacks
):
    url = f"{fake_dfc}/api/dfc/enterprises/77/catalog_items"

    run = fetch(
        producer_client,
        world.producer,
        django_capture_on_commit_callbacks,
        url=url,
        token="secret",
    )

    assert run.state == TaskState.SUCCESS and run.progress == 100
    assert [item["name"] for item in run.result["new"]] == ["Poireaux", "Ail"]
    assert run.result["applied"] is False and FakeDFC.hits == [
        "/api/dfc/enterprises/77/catalog_items"
    ]
    # The task's answer is read like any other's.
    polled = producer_client.get(f"/api/v1/tasks/{run.id}/").json()
    assert polled["state"] == "SUCCESS" and polled["result"] == run.result

    applied = fetch(
        producer_client,
        world.producer,
        django_capture_on_commit_callbacks,
        url=url,
        token="secret",
        dry_run=False,
    )
    assert applied.result["applied"] is True
    imported = world.producer.products.filter(dfc_id__startswith=fake_dfc)
    assert set(imported.values_list("name", flat=True)) == {"Poireaux", "Ail"}

    wrong = fetch(
        producer_client,
        world.producer,
        django_capture_on_commit_callbacks,
        url=url,
        token="wrong",
    )
    assert wrong.state == TaskState.FAILURE and "401" in wrong.error and "jeton" in wrong.error
    slow = fetch(
        producer_client,
        world.producer,
        django_capture_on_commit_callbacks,
        url=f"{fake_dfc}/slow",
        token="secret",
    )
    assert slow.state == TaskState.FAILURE and "ReadTimeout" in slow.error


def test_our_own_network_is_never_fetched(
    world, producer_client, fake_dfc, django_capture_on_commit_callbacks
):
    run = fetch(
        producer_client,
        world.producer,
        django_capture_on_commit_callbacks,
        url=f"{fake_dfc}/api/dfc/enterprises/77/catalog_items",
        token="secret",
    )

    assert run.state == TaskState.FAILURE and "n'est pas sur internet" in run.error
    assert FakeDFC.hits == []


@override_settings(DFC_IMPORT_PRIVATE_HOSTS=True)
def test_a_hostile_context_fetches_nothing(world, producer_client, fake_dfc):
    document = catalogue(product_nodes(1, name="Poireaux", price=2.4))
    document["@context"] = [CONTEXT, f"{fake_dfc}/context.json"]

    answer = upload(producer_client, world.producer, document)

    assert answer.status_code == 400 and answer.json()["code"] == "unknown_context"
    assert FakeDFC.hits == []


@override_settings(DFC_IMPORT_PRIVATE_HOSTS=True)
def test_the_producer_gives_a_dfc_link_on_its_screen(
    world, fake_dfc, django_capture_on_commit_callbacks
):
    screen = Client()
    screen.force_login(world.producer_user)
    url = f"{fake_dfc}/api/dfc/enterprises/77/catalog_items"

    with django_capture_on_commit_callbacks(execute=True):
        sent = screen.post(
            "/producteur/catalogue/", {"import": "1", "dfc_url": url, "dfc_token": "secret"}
        )

    page = screen.get(sent["Location"]).content.decode()
    assert "Lien DFC" in page and "Poireaux" in page and "Ail" in page
    prepared = DataImport.objects.get(organisation=world.producer.organisation)
    assert prepared.task.state == TaskState.SUCCESS and len(prepared.preview["new"]) == 2
    # Applied from what was fetched and shown, not fetched again.
    FakeDFC.document = b"{}"
    screen.post(f"/producteur/catalogue/import/{prepared.id}/", {"confirm": "1"})
    assert world.producer.products.filter(dfc_id__startswith=fake_dfc).count() == 2
    assert FakeDFC.hits == ["/api/dfc/enterprises/77/catalog_items"]


def test_two_sizes_of_the_same_name_are_two_products(world, producer_client):
    document = catalogue(
        product_nodes(1, name="Pommes Jonagold", price=2.5, value=1),
        product_nodes(2, name="Pommes Jonagold", price=11, value=5),
        product_nodes(1, name="Pommes Jonagold", price=2.5, value=1),  # one node, twice
    )

    result = upload(producer_client, world.producer, document, dry_run="false").json()

    assert [item["pack_size"] for item in result["new"]] == ["1.000", "5.000"]
    assert result["refused"] == []
    assert world.producer.products.filter(name="Pommes Jonagold").count() == 2
