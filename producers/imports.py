"""A producer's catalogue imported from a file or a DFC document (DESIGN.md §13).

Whatever the source, it is read into `Item`s (a product as the source states it) and
`Refusal`s (what could not be read, and why). `catalogue_import` compares them with the
catalogue: what is new, what changes (field by field), what is unchanged, what is refused;
and applies it only when asked, in one transaction, without adding a product twice: an item is
matched by its DFC identifier, else by its reference (our product id), else by its name.
"""

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import InvalidInput
from core.money import quantize_money
from core.tables import (
    CellError,
    cell_text,
    choice_words,
    folded,
    french_decimal,
    table_rows,
    yes_no,
)

from .choices import Category, Unit
from .models import Offer, Producer, Product, whole_pieces_refusal

# More than this in one import is refused as a whole: a producer's catalogue is a few hundred
# products; thousands are a mistake or an attack, and would hold the table too long.
MAX_ITEMS = 5000
NAME_LENGTH = 200  # Product.name's max_length
# The fields an import sets, in the order the dry run shows them.
FIELDS = (
    "name",
    "category",
    "unit",
    "unit_weight_kg",
    "pack_size",
    "unit_price_ht",
    "vat_rate",
    "is_organic",
    "is_active",
)
# The bounds of the product form and of the table's CHECK constraints.
BOUNDS = {
    "unit_weight_kg": (Decimal("0.001"), Decimal("1000")),
    "pack_size": (Decimal("0.001"), Decimal("10000")),
    "unit_price_ht": (Decimal("0"), Decimal("100000")),
    "vat_rate": (Decimal("0"), Decimal("1")),
}


@dataclass
class Item:
    """One product as the source states it: `key` names it in the dry run (its DFC
    identifier, or its row), `fields` are among FIELDS (a missing one keeps its value, or
    takes the model's default for a new product)."""

    key: str
    fields: dict[str, Any]
    # Values a new product takes where the source says nothing (a piece's weight).
    defaults: dict[str, Any] = field(default_factory=dict)
    dfc_id: str = ""
    reference: int | None = None  # our product id, from a file we exported
    # The price of a whole pack, as DFC states it: unchanged when the product's unit price
    # times its pack size rounds to it, so that a re-import of our own export changes nothing.
    pack_price: Decimal | None = None
    warnings: list[str] = field(default_factory=list)
    guessed: list[str] = field(default_factory=list)  # said of a new product only


@dataclass(frozen=True)
class Refusal:
    key: str
    reason: str


PLACES = {"unit_weight_kg": 3, "pack_size": 3, "unit_price_ht": 2, "vat_rate": 4}


def _stored(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields as the table holds them: decimals to its places (0.0010 is 0.001)."""
    return {
        name: Decimal(value).quantize(Decimal(1).scaleb(-PLACES[name]))
        if name in PLACES and isinstance(value, Decimal)
        else value
        for name, value in fields.items()
    }


def _value(value: Any) -> Any:
    """A field's value as JSON shows it: decimals as text, as everywhere in the API."""
    return str(value) if isinstance(value, Decimal) else value


def _bounds_refusal(name: str, value: Decimal) -> str | None:
    low, high = BOUNDS[name]
    if low <= value <= high:
        return None
    labels = {
        "unit_weight_kg": _("The unit weight"),
        "pack_size": _("The pack size"),
        "unit_price_ht": _("The price"),
        "vat_rate": _("The VAT rate"),
    }
    return _("%(field)s must be between %(low)s and %(high)s (%(value)s given).") % {
        "field": labels[name],
        "low": low,
        "high": high,
        "value": value,
    }


def _missing(item: Item) -> str | None:
    """Why the item cannot make a new product, for lack of a field; else None."""
    fields = item.defaults | item.fields
    if "unit_price_ht" not in fields:
        return _("« %(name)s » has no price.") % {"name": fields.get("name", item.key)}
    missing = [name for name in ("name", "category", "unit") if name not in fields]
    if missing:
        return _("The product lacks: %(fields)s.") % {"fields": ", ".join(missing)}
    return None


def _refusal(product: Product) -> str | None:
    """Why the product, as the item would leave it, cannot be saved; else None."""
    if not product.name.strip():
        return _("The product has no name.")
    if len(product.name) > NAME_LENGTH:
        return _("The name is longer than 200 characters.")
    for name in BOUNDS:
        refusal = _bounds_refusal(name, getattr(product, name))
        if refusal:
            return refusal
    if Decimal(product.unit_price_ht) != quantize_money(product.unit_price_ht):
        return _("A price is in euros and cents.")
    return whole_pieces_refusal(product.unit, Decimal(product.pack_size))


@dataclass
class _Match:
    by_dfc_id: dict[str, Product]
    by_id: dict[int, Product]
    by_name: dict[str, Product]

    @classmethod
    def of(cls, products: Iterable[Product]) -> "_Match":
        products = list(products)
        return cls(
            by_dfc_id={p.dfc_id: p for p in products if p.dfc_id},
            by_id={p.pk: p for p in products},
            by_name={p.name.strip().casefold(): p for p in products},
        )

    def find(self, item: Item) -> Product | None:
        if item.dfc_id and item.dfc_id in self.by_dfc_id:
            return self.by_dfc_id[item.dfc_id]
        if item.reference is not None:
            return self.by_id.get(item.reference)
        found = self.by_name.get(str(item.fields.get("name", "")).strip().casefold())
        if found is not None and item.dfc_id and found.dfc_id:
            return None  # a namesake from another DFC product: a product of its own
        return found


def _changes(product: Product, item: Item) -> dict[str, list]:
    changes = {}
    for name, value in item.fields.items():
        current = getattr(product, name)
        if name == "unit_price_ht" and item.pack_price is not None:
            pack = item.fields.get("pack_size", product.pack_size)
            if quantize_money(current * pack) == item.pack_price:
                continue  # the same pack price: the unit price we hold stands
        if current != value:
            changes[name] = [_value(current), _value(value)]
    if item.dfc_id and product.dfc_id != item.dfc_id:
        changes["dfc_id"] = [product.dfc_id, item.dfc_id]
    return changes


def _unit_change_refusal(product: Product, changes: dict, offered: set[int]) -> str | None:
    if "unit" in changes and product.pk in offered:
        return _(
            "The unit of « %(name)s » cannot change: it has been offered already, its "
            "quantities are counted in %(unit)s."
        ) % {"name": product.name, "unit": Unit(product.unit).label}
    return None


@transaction.atomic
def catalogue_import(
    *,
    producer: Producer,
    items: list[Item],
    refused: list[Refusal],
    dry_run: bool = True,
) -> dict:
    """Compare `items` with the producer's catalogue and, unless `dry_run`, apply them:
    {"new", "changed", "unchanged", "refused", "applied"} (API.md, `dfc-import`)."""
    if len(items) + len(refused) > MAX_ITEMS:
        raise InvalidInput(
            _("An import holds at most %(max)d products; this one has %(count)d.")
            % {"max": MAX_ITEMS, "count": len(items) + len(refused)},
            code="too_many_items",
        )
    # One import at a time per producer: two at once would both add the same new products.
    Producer.objects.select_for_update().filter(pk=producer.pk).first()
    match = _Match.of(producer.products.all())
    offered = set(
        Offer.objects.filter(product__producer=producer).values_list("product", flat=True)
    )
    refused = list(refused)
    new: list[Product] = []
    changed: list[tuple[Product, dict]] = []
    shown_new: list[dict] = []
    shown_changed: list[dict] = []
    unchanged = 0
    seen: set[int | str] = set()
    for item in items:
        item.fields, item.defaults = _stored(item.fields), _stored(item.defaults)
        if item.reference is not None and item.reference not in match.by_id:
            refused.append(
                Refusal(
                    item.key,
                    _("Reference %(reference)s is not a product of this catalogue.")
                    % {"reference": item.reference},
                )
            )
            continue
        product = match.find(item)
        # Twice the same product: the same one of ours, the same DFC identifier, or (a new
        # one from a file) the same name. Two DFC products may share a name (two sizes).
        seen_as: int | str = (
            product.pk
            if product is not None
            else item.dfc_id or str(item.fields.get("name", "")).strip().casefold()
        )
        if seen_as in seen or (item.dfc_id and item.dfc_id in seen):
            refused.append(Refusal(item.key, _("This product appears twice in the import.")))
            continue
        seen.update({seen_as, item.dfc_id} - {""})
        if product is None:
            refusal = _missing(item)
            product = Product(
                producer=producer, dfc_id=item.dfc_id, **(item.defaults | item.fields)
            )
            refusal = refusal or _refusal(product)
            if refusal:
                refused.append(Refusal(item.key, refusal))
                continue
            new.append(product)
            shown_new.append(
                {"id": item.key, **{name: _value(getattr(product, name)) for name in FIELDS}}
                | {"warnings": [*item.warnings, *item.guessed]}
            )
            continue
        changes = _changes(product, item)
        if not changes:
            unchanged += 1
            continue
        updated = copy.copy(product)
        for name in changes:
            setattr(updated, name, item.dfc_id if name == "dfc_id" else item.fields[name])
        refusal = _refusal(updated) or _unit_change_refusal(product, changes, offered)
        if refusal:
            refused.append(Refusal(item.key, refusal))
            continue
        changed.append((updated, changes))
        shown_changed.append(
            {"id": item.key, "product": product.pk, "name": updated.name, "changes": changes}
            | {"warnings": item.warnings}
        )
    if not dry_run:
        Product.objects.bulk_create(new, batch_size=500)
        names = sorted({name for _product, changes in changed for name in changes})
        if names:
            Product.objects.bulk_update([product for product, _c in changed], names, 500)
    return {
        "new": shown_new,
        "changed": shown_changed,
        "unchanged": unchanged,
        "refused": [{"id": refusal.key, "reason": refusal.reason} for refusal in refused],
        "applied": not dry_run,
    }


# Catalogue files (CSV or XLSX), as the export writes them.

COLUMNS = {
    "reference": gettext_lazy("Reference"),
    "name": gettext_lazy("Name"),
    "category": gettext_lazy("Category"),
    "unit": gettext_lazy("Unit"),
    "unit_weight_kg": gettext_lazy("Unit weight (kg)"),
    "pack_size": gettext_lazy("Pack size"),
    "unit_price_ht": gettext_lazy("Unit price excl. VAT (€)"),
    "vat_percent": gettext_lazy("VAT (%)"),
    "is_organic": gettext_lazy("Organic"),
    "is_active": gettext_lazy("Active"),
}
REQUIRED_COLUMNS = ("name", "category", "unit", "unit_price_ht")
# How people write a unit, beside its name.
UNIT_WORDS = [
    *Unit.choices,
    (Unit.KG, "kg"),
    (Unit.KG, "kilo"),
    (Unit.LITRE, "l"),
    (Unit.PIECE, "pièce"),
    (Unit.PIECE, "pièces"),
    (Unit.PIECE, "unité"),
]


def _choice(text: str, label: str, words: dict[str, str], choices) -> str:
    if folded(text) not in words:
        raise CellError(
            _("%(column)s: « %(value)s » is not known (%(known)s).")
            % {
                "column": label,
                "value": text,
                "known": ", ".join(str(label) for _value, label in choices),
            }
        )
    return words[folded(text)]


def _row_item(number: int, row: dict[str, str]) -> Item:
    fields: dict[str, Any] = {}
    reference = None
    for name, cell in row.items():
        label = str(COLUMNS[name])
        text = cell_text(cell, label)
        if name == "reference":
            digits = text.removeprefix("AS-").strip()
            if digits and not digits.isdigit():
                raise CellError(_("Reference: « %(value)s » is not one of ours.") % {"value": text})
            reference = int(digits) if digits else None
        elif name == "name":
            fields["name"] = text.strip()
        elif name == "category":
            fields[name] = _choice(text, label, choice_words(Category.choices), Category.choices)
        elif name == "unit":
            fields[name] = _choice(text, label, choice_words(UNIT_WORDS), Unit.choices)
        elif name in ("is_organic", "is_active"):
            answer = yes_no(text, label)
            if answer is not None:
                fields[name] = answer
        elif text.strip():
            number_typed = french_decimal(text, label)
            if name == "vat_percent":
                fields["vat_rate"] = number_typed / 100
            else:
                fields[name] = number_typed
    return Item(
        key=_("line %(number)s") % {"number": number},
        fields=fields,
        reference=reference,
        defaults={
            "unit_weight_kg": Decimal(1),
            "pack_size": Decimal(1),
            "vat_rate": Decimal("0.055"),
        },
    )


def file_items(*, name: str, content: bytes) -> tuple[list[Item], list[Refusal]]:
    """The products of a catalogue file (CSV or XLSX, French columns), as import items, and
    the rows refused with why."""
    items, refused = [], []
    rows = table_rows(name=name, content=content, columns=COLUMNS, required=REQUIRED_COLUMNS)
    for number, row in rows:
        try:
            items.append(_row_item(number, row))
        except CellError as error:
            refused.append(Refusal(_("line %(number)s") % {"number": number}, str(error)))
    return items, refused


# A cycle's offers as a file: what the offers screen is filled with (then saved as typed).

OFFER_COLUMNS = {
    "reference": gettext_lazy("Reference"),
    "name": gettext_lazy("Name"),
    "unit": gettext_lazy("Unit"),
    "pack_size": gettext_lazy("Pack size"),
    "quantity_available": gettext_lazy("Quantity available"),
    "unit_price_ht": gettext_lazy("Unit price excl. VAT (€)"),
}


def offer_rows(
    *, products: Iterable[Product], name: str, content: bytes
) -> tuple[dict[int, tuple[Decimal, Decimal | None]], list[Refusal]]:
    """A file of offers (the offers export, French columns) as product id -> (quantity,
    price or None), each row found by its reference or its name among `products`."""
    by_id = {product.pk: product for product in products}
    by_name = {folded(product.name): product for product in by_id.values()}
    rows = table_rows(
        name=name, content=content, columns=OFFER_COLUMNS, required=("quantity_available",)
    )
    offers: dict[int, tuple[Decimal, Decimal | None]] = {}
    refused = []
    for number, row in rows:
        key = _("line %(number)s") % {"number": number}
        try:
            texts = {
                column: cell_text(cell, str(OFFER_COLUMNS[column])) for column, cell in row.items()
            }
            reference = texts.get("reference", "").removeprefix("AS-").strip()
            product = (
                by_id.get(int(reference))
                if reference.isdigit()
                else by_name.get(folded(texts.get("name", "")))
            )
            if product is None:
                raise CellError(_("No such product in your catalogue."))
            if product.pk in offers:
                raise CellError(_("This product appears twice in the import."))
            quantity = texts.get("quantity_available", "").strip()
            price = texts.get("unit_price_ht", "").strip()
            offers[product.pk] = (
                french_decimal(quantity, str(OFFER_COLUMNS["quantity_available"]))
                if quantity
                else Decimal(0),
                french_decimal(price, str(OFFER_COLUMNS["unit_price_ht"])) if price else None,
            )
        except CellError as error:
            refused.append(Refusal(key, str(error)))
    return offers, refused
