"""A producer's catalogue in the Data Food Consortium standard (DESIGN.md §13), as Open Food
Network's DFC API serves it (shared/data/dfc/dfc.yaml): JSON-LD with the DFC context (served
from our static files), in the DFC business ontology's SuppliedProduct, CatalogItem, Offer;
and read back from another platform's document (`document_items`), with rdflib.

Each active product is one SuppliedProduct (what it is: name, DFC product type, the quantity
one sells, in DFC measures), one CatalogItem (the producer's reference and, while a cycle is
open, the stock left in that quantity) and one Offer (its price excl. VAT for that quantity,
and its VAT rate in %). Served only for a producer that consents (Producer.dfc_shared).
"""

import functools
import ipaddress
import json
import re
import socket
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db.models import QuerySet
from django.templatetags.static import static
from django.utils.translation import gettext as _
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from core.errors import InvalidInput
from core.money import quantize_money
from orders.models import offer_demand_subquery
from supply.choices import CycleStatus

from .choices import Category, Unit
from .imports import MAX_ITEMS, Item, Refusal
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


# Reading another platform's catalogue.

DFC_B = Namespace(
    "https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#"
)
DFC_M = "https://github.com/datafoodconsortium/taxonomies/releases/latest/download/measures.rdf#"
DFC_PT = (
    "https://github.com/datafoodconsortium/taxonomies/releases/latest/download/productTypes.rdf#"
)
SKOS_BROADER = URIRef("http://www.w3.org/2004/02/skos/core#broader")
PRODUCT_TYPES_FILE = CONTEXT_FILE.parent / "productTypes.json"

# The contexts a DFC document names, all read from our copy of the DFC context: the standard's
# address, the versioned ones OFN publishes, and ours (on any instance of the platform). Any
# other is refused: a document never makes us fetch anything.
KNOWN_CONTEXT = re.compile(
    r"^https?://(www\.)?datafoodconsortium\.org/?$"
    r"|^https://w3id\.org/dfc/ontology/context/context_[0-9.]+\.json$"
    r"|^https?://[^/?#]+/static/dfc/context-1\.8\.json$"
)
# DFC measures (shared/data/dfc/measures.json) as our units: the unit and how many of it one
# of the measure makes. Containers (a jar, a bunch) are counted as pieces.
MEASURES_READ = {
    "Kilogram": (Unit.KG, Decimal(1)),
    "Gram": (Unit.KG, Decimal("0.001")),
    "Tonne": (Unit.KG, Decimal(1000)),
    "Litre": (Unit.LITRE, Decimal(1)),
    "Decilitre": (Unit.LITRE, Decimal("0.1")),
    "Centilitre": (Unit.LITRE, Decimal("0.01")),
    "Millilitre": (Unit.LITRE, Decimal("0.001")),
    "Dozen": (Unit.PIECE, Decimal(12)),
    "HalfDozen": (Unit.PIECE, Decimal(6)),
    "Pair": (Unit.PIECE, Decimal(2)),
    "4Pack": (Unit.PIECE, Decimal(4)),
    "6Pack": (Unit.PIECE, Decimal(6)),
    **dict.fromkeys(
        (
            "Piece",
            "Package",
            "Packet",
            "Bag",
            "Bunch",
            "Bottle",
            "Box",
            "Jar",
            "Pot",
            "Tray",
            "Tub",
            "Can",
            "Tin",
            "Punnet",
            "Carton",
            "Crate",
            "Basket",
            "Bundle",
            "Pouch",
            "Net",
            "Roll",
            "Tube",
            "Cup",
            "Tablet",
            "Kit",
        ),
        (Unit.PIECE, Decimal(1)),
    ),
}
# French VAT rates, as a DFC document may write them: in % (5.5) or as a rate (0.055).
VAT_RATES = {Decimal(rate) / 100 for rate in ("0", "2.1", "5.5", "10", "20")}
DEFAULT_VAT = Decimal("0.055")
# A piece whose weight the document does not say weighs this much for the vans' loads.
DEFAULT_PIECE_WEIGHT = Decimal(1)
# The biggest document read (a catalogue of 5 000 products is about 5 MB).
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


@functools.cache
def _local_context() -> dict:
    return json.loads(CONTEXT_FILE.read_text())["@context"]


@functools.cache
def _categories_by_type() -> dict[str, str]:
    """Every DFC product type (its IRI) as our category, by its top concept in the taxonomy."""
    graph = json.loads(PRODUCT_TYPES_FILE.read_text())[0]["@graph"]
    broader = {
        node["@id"]: node[str(SKOS_BROADER)][0]["@id"]
        for node in graph
        if str(SKOS_BROADER) in node
    }
    ours = {f"{DFC_PT}{term.split(':')[1]}": category for category, term in PRODUCT_TYPES.items()}
    categories: dict[str, str] = {}
    for node in graph:
        concept = node["@id"]
        while concept not in ours and concept in broader:
            concept = broader[concept]
        categories[node["@id"]] = ours.get(concept, Category.AUTRE)
    return categories


def _contexts_local(value, depth: int = 0):
    """The document's contexts, each known one replaced by our copy; any other refused."""
    if depth > 20:
        raise InvalidInput(_("The DFC document is nested too deeply."), code="invalid_dfc")
    if isinstance(value, str):
        if not KNOWN_CONTEXT.match(value):
            raise InvalidInput(
                _(
                    "The DFC document names a context we do not know (%(context)s): it is "
                    "not read, and nothing is fetched."
                )
                % {"context": value[:200]},
                code="unknown_context",
            )
        return _local_context()
    if isinstance(value, list):
        return [_contexts_local(part, depth + 1) for part in value]
    if isinstance(value, dict):
        if "@import" in value:
            raise InvalidInput(
                _("The DFC document imports another context: it is not read."),
                code="unknown_context",
            )
        return {
            key: {**term, "@context": _contexts_local(term["@context"], depth + 1)}
            if isinstance(term, dict) and "@context" in term
            else term
            for key, term in value.items()
        }
    if value is None:
        return None
    raise InvalidInput(_("The DFC document's context is not valid."), code="invalid_dfc")


def _document_local(node, depth: int = 0):
    """Every @context of the document, wherever it stands, made local (_contexts_local)."""
    if depth > 50:
        raise InvalidInput(_("The DFC document is nested too deeply."), code="invalid_dfc")
    if isinstance(node, list):
        return [_document_local(part, depth + 1) for part in node]
    if isinstance(node, dict):
        return {
            key: _contexts_local(value) if key == "@context" else _document_local(value, depth + 1)
            for key, value in node.items()
        }
    return node


def _check_size(document: dict) -> None:
    """More products than an import takes are refused before the document is parsed (the
    parse of 10 000 takes seconds and hundreds of MB): its top nodes typed SuppliedProduct
    are counted."""
    nodes = document.get("@graph")
    count = sum(
        1
        for node in (nodes if isinstance(nodes, list) else [])
        if isinstance(node, dict) and node.get("@type") == "dfc-b:SuppliedProduct"
    )
    if count > MAX_ITEMS:
        raise InvalidInput(
            _("An import holds at most %(max)d products; this one has %(count)d.")
            % {"max": MAX_ITEMS, "count": count},
            code="too_many_items",
        )


def document_graph(content: bytes | str) -> Graph:
    """A DFC document (JSON-LD) as RDF, read with our copy of every context it names."""
    if len(content) > MAX_DOCUMENT_BYTES:
        raise InvalidInput(
            _("The DFC document is larger than %(size)d MB.")
            % {"size": MAX_DOCUMENT_BYTES // 1024 // 1024},
            code="too_large",
        )
    try:
        document = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(
            _("The file is not JSON-LD: it cannot be read as JSON."), code="invalid_dfc"
        ) from None
    if not isinstance(document, dict) or "@context" not in document:
        raise InvalidInput(
            _("The file is not a DFC document: it has no JSON-LD context."), code="invalid_dfc"
        )
    _check_size(document)
    try:
        # The document handed over as it is read: no second copy of it as text.
        local = _document_local(document)
        del document
        return Graph().parse(data=local, format="json-ld")
    except InvalidInput:
        raise
    except Exception as error:  # rdflib's own errors: a broken JSON-LD document
        raise InvalidInput(
            _("The DFC document cannot be read as JSON-LD (%(error)s).") % {"error": error},
            code="invalid_dfc",
        ) from error


def _decimal(value: Node | None) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _text(value: Node | None) -> str:
    return str(value).strip() if isinstance(value, Literal) else ""


class _Reader:
    """The products of one DFC graph, as import items."""

    def __init__(self, graph: Graph, enterprise: str | None):
        self.graph = graph
        self.enterprise = enterprise

    def node(self, value: Node | None) -> Node | None:
        """A reference written as a plain string where the context does not type it @id."""
        text = str(value)
        if isinstance(value, Literal) and text.startswith(("http", "_:")):
            return BNode(text[2:]) if text.startswith("_:") else URIRef(text)
        return value

    def value(self, subject: Node | None, predicate: URIRef) -> Node | None:
        if subject is None:
            return None
        return self.graph.value(subject, predicate)

    def linked(self, subject: Node, forward: URIRef, backward: URIRef) -> Node | None:
        """The node `subject` names by `forward`, or that names `subject` by `backward`."""
        found = self.node(self.value(subject, forward))
        if found is None:
            found = next(self.graph.subjects(backward, subject), None)
            if found is None and isinstance(subject, URIRef):
                found = next(self.graph.subjects(backward, Literal(str(subject))), None)
        return found

    def quantity(self, subject: Node | None) -> tuple[str | None, Decimal | None]:
        """(the measure's name in dfc-m, its value) of a QuantitativeValue."""
        quantity = self.node(self.value(subject, DFC_B.hasQuantity))
        unit = self.node(self.value(quantity, DFC_B.hasUnit))
        name = str(unit)[len(DFC_M) :] if unit is not None and str(unit).startswith(DFC_M) else None
        if unit is not None and name is None:
            name = str(unit)
        return name, _decimal(self.value(quantity, DFC_B.value))

    def price(self, product: Node) -> tuple[Decimal | None, Decimal | None, str | None]:
        """(price, VAT as written, currency) of the product's offer."""
        item = self.linked(product, DFC_B.referencedBy, DFC_B.references)
        offer = self.linked(item, DFC_B.offeredThrough, DFC_B.offeredItem) if item else None
        price = self.node(self.value(offer, DFC_B.hasPrice))
        if isinstance(price, Literal):  # an older shape: the price as a number on the offer
            return _decimal(price), None, None
        currency = self.node(self.value(price, DFC_B.hasUnit))
        return (
            _decimal(self.value(price, DFC_B.value)),
            _decimal(self.value(price, DFC_B.VATrate)),
            str(currency)[len(DFC_M) :] if currency is not None else None,
        )

    def owner(self, product: Node) -> str | None:
        """The enterprise that supplies the product, or manages its catalogue item."""
        supplier = next(self.graph.subjects(DFC_B.supplies, product), None)
        if supplier is not None:
            return str(supplier)
        item = self.linked(product, DFC_B.referencedBy, DFC_B.references)
        if item is None:
            return None
        manager = self.node(self.value(item, DFC_B.managedBy))
        if manager is None:
            manager = next(self.graph.subjects(DFC_B.manages, item), None)
        return str(manager) if manager is not None else None

    def transformations(self) -> dict[Node, tuple[Node, Decimal]]:
        """retail product -> (the wholesale product it is taken from, retail units per
        wholesale unit), from the catalogue's dfc-b:AsPlannedTransformation."""
        found = {}
        for transformation in self.graph.subjects(RDF.type, DFC_B.AsPlannedTransformation):
            income = self.node(self.value(transformation, DFC_B.hasIncome))
            outcome = self.node(self.value(transformation, DFC_B.hasOutcome))
            wholesale = self.node(self.value(income, DFC_B.consumes))
            retail = self.node(self.value(outcome, DFC_B.produces))
            _unit, consumed = self.quantity(income)
            _unit, produced = self.quantity(outcome)
            if wholesale is None or retail is None or not consumed or not produced:
                continue
            if consumed <= 0 or produced <= 0:
                continue
            found[retail] = (wholesale, produced / consumed)
        return found

    def items(self) -> tuple[list[Item], list[Refusal]]:
        products = [
            product
            for product in self.graph.subjects(RDF.type, DFC_B.SuppliedProduct)
            if self.value(product, DFC_B.hasVariant) is None  # OFN's product groups
        ]
        if not products:
            raise InvalidInput(
                _("The document holds no DFC product (dfc-b:SuppliedProduct)."), code="invalid_dfc"
            )
        transformations = self.transformations()
        wholesale = {source for source, _count in transformations.values()}
        items, refused = [], []
        for product in sorted(products, key=str):
            if product in wholesale:
                continue  # read with the retail product taken from it
            try:
                items.append(self.item(product, transformations.get(product)))
            except _Refused as refusal:
                refused.append(Refusal(str(product), refusal.reason))
        return items, refused

    def item(self, product: Node, transformation: tuple[Node, Decimal] | None) -> Item:
        name = _text(self.value(product, DFC_B.name))
        key = str(product)
        if not isinstance(product, URIRef):
            raise _Refused(_("« %(name)s » has no DFC identifier (@id).") % {"name": name})
        owner = self.owner(product)
        if self.enterprise and owner and owner != self.enterprise:
            raise _Refused(
                _("« %(name)s » belongs to another enterprise (%(owner)s).")
                % {"name": name, "owner": owner}
            )
        warnings: list[str] = []
        measure, amount = self.quantity(product)
        if measure is not None and measure not in MEASURES_READ:
            raise _Refused(
                _("« %(name)s » is sold in a unit we do not know (%(unit)s).")
                % {"name": name, "unit": measure}
            )
        unit, factor = MEASURES_READ[measure or "Piece"]
        if not amount or amount < 0:
            warnings.append(_("No quantity given: sold by the piece, one at a time."))
            unit, amount, factor = Unit.PIECE, Decimal(1), Decimal(1)
        price, vat, currency = self.price(product)
        weight = Decimal(1)  # of a kilogram or a litre
        if transformation is None:
            pack = amount * factor
        else:  # the wholesale case is what is bought: its retail units, counted in pieces
            source, count = transformation
            if unit != Unit.PIECE:
                weight = amount * factor  # a litre weighs about a kilogram
            pack = count * (amount * factor if unit == Unit.PIECE else 1)
            unit = Unit.PIECE
            case_price = self.price(source)
            if case_price[0] is not None:
                price, vat, currency = case_price
            elif price is not None:
                price = price * pack  # the retail unit's price, times the units in a case
        guessed = []
        if unit == Unit.PIECE and (transformation is None or weight <= 0):
            guessed.append(_("Unit weight not given: 1 kg counted for the vans, to check."))
            weight = DEFAULT_PIECE_WEIGHT
        product_type = self.node(self.value(product, DFC_B.hasType))
        if currency not in (None, "Euro"):
            raise _Refused(
                _("« %(name)s » is priced in %(currency)s: only prices in euros are taken.")
                % {"name": name, "currency": currency}
            )
        if price is not None and price < 0:
            raise _Refused(_("« %(name)s » has a negative price.") % {"name": name})
        pack = pack.normalize() if pack == pack.to_integral_value() else pack
        fields = {
            "name": name,
            "category": _categories_by_type().get(str(product_type), Category.AUTRE),
            "unit": unit,
            "pack_size": pack,
            "is_active": True,
        }
        rate = vat / 100 if vat is not None and vat / 100 in VAT_RATES else vat
        if rate in VAT_RATES:
            fields["vat_rate"] = rate
        elif vat is not None:
            warnings.append(
                _("VAT rate %(rate)s not recognised: the product's rate is kept (5.5 %% if new).")
                % {"rate": vat}
            )
        if price is not None:  # else (a product alone, without its offer) the price stays
            fields["unit_price_ht"] = quantize_money(price / pack)
        # What the document does not state, a new product takes from here.
        defaults = {"unit_weight_kg": weight, "vat_rate": DEFAULT_VAT}
        if unit == Unit.PIECE and not guessed:
            fields["unit_weight_kg"] = weight  # stated: the retail unit's own weight
        return Item(
            key=key,
            fields=fields,
            defaults=defaults,
            dfc_id=key,
            pack_price=quantize_money(price) if price is not None else None,
            warnings=warnings,
            guessed=guessed,
        )


class _Refused(Exception):
    def __init__(self, reason: str):
        self.reason = reason


def document_items(
    content: bytes | str, *, enterprise: str | None = None
) -> tuple[list[Item], list[Refusal]]:
    """The products a DFC document describes, as import items, and those refused with why.
    `enterprise` is the DFC enterprise whose catalogue it is: the products of another are
    refused (None: the one enterprise the document names, if it names only one)."""
    graph = document_graph(content)
    if enterprise is None:
        enterprises = set(graph.subjects(RDF.type, DFC_B.Enterprise))
        if len(enterprises) == 1:
            enterprise = str(enterprises.pop())
    return _Reader(graph, enterprise).items()


ENTERPRISE_IN_URL = re.compile(r"^(https?://.+/enterprises/[^/?#]+)")


def _refuse_private_host(url: str) -> None:
    """An address of the platform's own network (loopback, private, link-local) is not
    fetched: a producer's link must not reach what only the server can reach."""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        raise InvalidInput(
            _("The address %(host)s cannot be found.") % {"host": host}, code="dfc_unreachable"
        ) from None
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if not ip.is_global and not settings.DFC_IMPORT_PRIVATE_HOSTS:
            raise InvalidInput(
                _("The address %(host)s is not on the internet: it is not fetched.")
                % {"host": host},
                code="dfc_unreachable",
            )


def document_fetch(url: str, token: str = "") -> bytes:
    """The DFC document at `url` (another platform's DFC API), with its bearer token: one
    request, no redirect, at most MAX_DOCUMENT_BYTES, within DFC_IMPORT_TIMEOUT seconds."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise InvalidInput(_("A DFC link starts with https://."), code="invalid_dfc")
    _refuse_private_host(url)
    headers = {"Accept": "application/ld+json, application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        with requests.get(
            url,
            headers=headers,
            timeout=settings.DFC_IMPORT_TIMEOUT,
            stream=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 200:
                refused = (
                    _("The platform answered %(status)s to %(url)s: is the token right?")
                    if response.status_code in (401, 403)
                    else _("The platform answered %(status)s to %(url)s.")
                )
                raise InvalidInput(
                    refused % {"status": response.status_code, "url": url},
                    code="dfc_unreachable",
                )
            content = b""
            for chunk in response.iter_content(64 * 1024):
                content += chunk
                if len(content) > MAX_DOCUMENT_BYTES:
                    raise InvalidInput(
                        _("The DFC document is larger than %(size)d MB.")
                        % {"size": MAX_DOCUMENT_BYTES // 1024 // 1024},
                        code="too_large",
                    )
    except requests.RequestException as error:
        raise InvalidInput(
            _("The platform at %(url)s could not be reached (%(error)s).")
            % {"url": url, "error": type(error).__name__},
            code="dfc_unreachable",
        ) from error
    return content


def url_enterprise(url: str) -> str | None:
    """The DFC enterprise a link of OFN's DFC API names (…/enterprises/<id>/catalog_items)."""
    found = ENTERPRISE_IN_URL.match(url)
    return found.group(1) if found else None
