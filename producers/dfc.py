"""A producer's catalogue in the Data Food Consortium standard (DESIGN.md §13), as Open Food
Network's DFC API serves it (shared/data/dfc/dfc.yaml): JSON-LD with the DFC context (served
from our static files), in the DFC business ontology's SuppliedProduct, CatalogItem, Offer.

Each active product is one SuppliedProduct (what it is: name, DFC product type, the quantity
one sells, in DFC measures), one CatalogItem (the producer's reference and, while a cycle is
open, the stock left in that quantity) and one Offer (its price excl. VAT for that quantity,
and its VAT rate in %). Served only for a producer that consents (Producer.dfc_shared).
"""

from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

from django.db.models import QuerySet
from django.templatetags.static import static

from core.money import quantize_money
from orders.models import offer_demand_subquery
from supply.choices import CycleStatus

from .choices import Category, Unit
from .models import Offer, Producer, Product

# The DFC context (version 1.8, the standard's terms), served from our own static files:
# a document names it there, so that whoever reads one, on the platform's networks, can
# resolve it without reaching any outside host.
CONTEXT_PATH = "dfc/context-1.8.json"
CONTEXT_FILE = Path(__file__).resolve().parent / "static" / CONTEXT_PATH

# Our categories as DFC product types (shared/data/dfc/productTypes.json, top concepts).
PRODUCT_TYPES = {
    Category.FRUITS: "dfc-pt:fruit",
    Category.LEGUMES: "dfc-pt:vegetable",
    Category.LAITIER: "dfc-pt:dairy-product",
    Category.VIANDE: "dfc-pt:meat-product",
    Category.POISSON: "dfc-pt:fishery-product",
    Category.OEUFS: "dfc-pt:egg",
    Category.BOULANGERIE: "dfc-pt:bakery",
    Category.EPICERIE: "dfc-pt:local-grocery-store",
    Category.BOISSONS: "dfc-pt:drink",
}
# Our units as DFC measures (shared/data/dfc/measures.json).
MEASURES = {Unit.KG: "dfc-m:Kilogram", Unit.PIECE: "dfc-m:Piece", Unit.LITRE: "dfc-m:Litre"}


def context_url(base_url: str) -> str:
    """Where the documents' context is served: this server's static files."""
    return f"{base_url.rstrip('/')}{static(CONTEXT_PATH)}"


def enterprise_url(base_url: str, producer: Producer) -> str:
    return f"{base_url.rstrip('/')}/api/dfc/enterprises/{producer.pk}"


def _number(value: Decimal) -> float | int:
    """A JSON number as DFC documents write them (17, 12.06)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _open_offers(producer: Producer) -> dict[int, Offer]:
    """Each product's offer in the cycle open now (the first to close), with its demand."""
    offers = (
        Offer.objects.filter(product__producer=producer, cycle__status=CycleStatus.OPEN)
        .annotate(demand=offer_demand_subquery())
        .order_by("-cycle__closes_at")
    )
    return {offer.product_id: offer for offer in offers}  # the earliest closing wins


def _nodes(product: Product, offer: Offer | None, enterprise: str) -> list[dict]:
    supplied = f"{enterprise}/supplied_products/{product.pk}"
    item = f"{enterprise}/catalog_items/{product.pk}"
    offered = f"{enterprise}/offers/{product.pk}"
    unit_price = offer.unit_price_ht if offer is not None else product.unit_price_ht
    supplied_product: dict = {
        "@id": supplied,
        "@type": "dfc-b:SuppliedProduct",
        "dfc-b:name": product.name,
        "dfc-b:hasQuantity": {
            "@type": "dfc-b:QuantitativeValue",
            "dfc-b:hasUnit": MEASURES[Unit(product.unit)],
            "dfc-b:value": _number(product.pack_size),
        },
        "dfc-b:referencedBy": item,
    }
    if product.category in PRODUCT_TYPES:
        supplied_product["dfc-b:hasType"] = PRODUCT_TYPES[Category(product.category)]
    catalog_item: dict = {
        "@id": item,
        "@type": "dfc-b:CatalogItem",
        "dfc-b:references": supplied,
        "dfc-b:sku": f"AS-{product.pk}",
        "dfc-b:offeredThrough": offered,
    }
    if offer is not None:  # what is left to order in the open cycle, in packs
        demand = getattr(offer, "demand", None) or Decimal(0)  # annotated by _open_offers
        left = max(offer.quantity_available - demand, Decimal(0))
        packs = (left / product.pack_size).to_integral_value(rounding=ROUND_FLOOR)
        catalog_item["dfc-b:stockLimitation"] = int(packs)
    return [
        supplied_product,
        catalog_item,
        {
            "@id": offered,
            "@type": "dfc-b:Offer",
            "dfc-b:offeredItem": {"@id": item},
            "dfc-b:hasPrice": {
                "@type": "dfc-b:Price",
                "dfc-b:value": _number(quantize_money(unit_price * product.pack_size)),
                "dfc-b:VATrate": _number((product.vat_rate * 100).normalize()),
                "dfc-b:hasUnit": "dfc-m:Euro",
            },
        },
    ]


def catalogue_products(producer: Producer) -> QuerySet[Product]:
    """What a producer offers through DFC: its active products."""
    return producer.products.filter(is_active=True).order_by("id")


def catalogue_document(
    *,
    producer: Producer,
    base_url: str,
    product_id: int | None = None,
    types: tuple[str, ...] = ("dfc-b:SuppliedProduct", "dfc-b:CatalogItem", "dfc-b:Offer"),
) -> dict | None:
    """The producer's catalogue as one JSON-LD document: the enterprise, which manages every
    catalogue item and supplies every product, then each product's nodes of these types; or
    the nodes of one product (None when it is not in the catalogue)."""
    enterprise = enterprise_url(base_url, producer)
    selected = catalogue_products(producer)
    if product_id is not None:
        selected = selected.filter(pk=product_id)
    products = list(selected)
    offers = _open_offers(producer)
    graph = [
        node
        for product in products
        for node in _nodes(product, offers.get(product.pk), enterprise)
        if node["@type"] in types
    ]
    if product_id is not None and not graph:
        return None
    if product_id is None:
        graph.insert(
            0,
            {
                "@id": enterprise,
                "@type": "dfc-b:Enterprise",
                "dfc-b:name": producer.name,
                "dfc-b:manages": [f"{enterprise}/catalog_items/{p.pk}" for p in products],
                "dfc-b:supplies": [f"{enterprise}/supplied_products/{p.pk}" for p in products],
            },
        )
    return {"@context": context_url(base_url), "@graph": graph}
