from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.choices import ImportKind, OrganisationKind
from core.errors import InvalidInput, StateConflict
from core.models import DataImport, Organisation, User
from core.services import model_update, profile_update
from logistics.services import PLACE_FIELDS, place_locate, place_relocate
from orders import locks
from supply.choices import OFFER_PRICES_EDITABLE, TAKES_OFFERS
from supply.models import OrderCycle

from . import dfc, imports
from .models import Offer, Producer, Product, whole_pieces_refusal


def _check_availability(opens: time, closes: time) -> None:
    if opens >= closes:
        message = _("The producer must be available before the end of its window.")
        raise InvalidInput(message, fields={"available_until_time": [message]})


@transaction.atomic
def producer_create(
    *,
    name: str,
    commune: str,
    address: str = "",
    phone: str = "",
    siret: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    is_organic: bool = False,
    available_from_time: time = time(6, 0),
    available_until_time: time = time(18, 0),
) -> Producer:
    _check_availability(available_from_time, available_until_time)
    location = place_locate(address=address, latitude=latitude, longitude=longitude)
    organisation = Organisation.objects.create(
        kind=OrganisationKind.PRODUCER, name=name, commune=commune
    )
    return Producer.objects.create(
        organisation=organisation,
        siret=siret,
        address=address,
        phone=phone,
        latitude=location.latitude,
        longitude=location.longitude,
        zone=location.zone,
        distance_to_hub_km=location.distance_to_hub_km,
        is_organic=is_organic,
        available_from_time=available_from_time,
        available_until_time=available_until_time,
    )


@transaction.atomic
def producer_update(*, producer: Producer, **fields: Any) -> Producer:
    """Change a producer; its name and commune are its organisation's."""

    def check(producer: Producer) -> None:
        _check_availability(producer.available_from_time, producer.available_until_time)
        location = place_relocate(place=producer, changed=set(fields))
        if location is not None:
            producer.distance_to_hub_km = location.distance_to_hub_km

    return profile_update(producer, fields, check=check, also=[*PLACE_FIELDS, "distance_to_hub_km"])


def _check_pack_size(product: Product) -> None:
    refusal = whole_pieces_refusal(product.unit, Decimal(product.pack_size))
    if refusal:
        raise InvalidInput(refusal, fields={"pack_size": [refusal]})


def product_create(*, producer: Producer, **fields: Any) -> Product:
    product = Product(producer=producer, **fields)
    _check_pack_size(product)
    product.save()
    return product


def product_update(*, product: Product, **fields: Any) -> Product:
    return model_update(product, fields, check=_check_pack_size)


def _check_quantity_available(product: Product, quantity: Decimal) -> None:
    refusal = whole_pieces_refusal(product.unit, quantity)
    if refusal:
        raise InvalidInput(refusal, fields={"quantity_available": [refusal]})


def _check_cycle_takes_offers(cycle: OrderCycle) -> None:
    if cycle.status not in TAKES_OFFERS:
        raise StateConflict(
            _("Offers can only be made while the cycle is in draft or open."),
            code="cycle_not_open",
        )


@transaction.atomic
def offer_create(
    *,
    cycle: OrderCycle,
    product: Product,
    quantity_available: Decimal,
    unit_price_ht: Decimal | None = None,
    is_standing: bool = False,
) -> Offer:
    cycle = locks.cycle_lock(cycle.pk)
    _check_cycle_takes_offers(cycle)
    if not product.is_active:
        message = _("This product is not active.")
        raise InvalidInput(message, fields={"product": [message]})
    _check_quantity_available(product, quantity_available)
    if Offer.objects.filter(cycle=cycle, product=product).exists():
        message = _("This product is already offered in this cycle; change that offer.")
        raise InvalidInput(message, code="offer_exists", fields={"product": [message]})
    return Offer.objects.create(
        cycle=cycle,
        product=product,
        quantity_available=quantity_available,
        unit_price_ht=product.unit_price_ht if unit_price_ht is None else unit_price_ht,
        is_standing=is_standing,
    )


@transaction.atomic
def offer_update(*, offer: Offer, **fields: Any) -> Offer:
    offer = locks.offer_lock(offer.pk)
    _check_cycle_takes_offers(offer.cycle)
    if (
        "unit_price_ht" in fields
        and fields["unit_price_ht"] != offer.unit_price_ht
        and offer.cycle.status not in OFFER_PRICES_EDITABLE
    ):
        raise StateConflict(
            _("The price of an offer is fixed once the cycle is open."),
            code="offer_price_frozen",
        )
    return model_update(
        offer,
        fields,
        check=lambda offer: _check_quantity_available(offer.product, offer.quantity_available),
    )


@transaction.atomic
def offers_save(
    *,
    producer: Producer,
    cycle: OrderCycle,
    offers: dict[int, tuple[Decimal, Decimal | None]],
    standing: set[int] | None = None,
) -> list[Offer]:
    """A producer's offers for a cycle, from one form: product id -> (quantity, price excl.
    VAT or None for the catalogue price), and the products whose offer is standing (None:
    left as they are). All are saved or none."""
    products = {product.id: product for product in producer.products.filter(id__in=list(offers))}
    existing = {
        offer.product_id: offer
        for offer in Offer.objects.filter(cycle=cycle, product__producer=producer)
    }
    saved, errors = [], {}
    for product_id, (quantity, price) in offers.items():
        if product_id not in products:
            errors[f"product.{product_id}"] = [_("This product is not in your catalogue.")]
            continue
        offer = existing.get(product_id)
        try:
            if offer is None:
                if quantity == 0:
                    continue
                saved.append(
                    offer_create(
                        cycle=cycle,
                        product=products[product_id],
                        quantity_available=quantity,
                        unit_price_ht=price,
                        is_standing=standing is not None and product_id in standing,
                    )
                )
            else:
                fields: dict[str, Any] = {"quantity_available": quantity}
                if standing is not None:
                    fields["is_standing"] = product_id in standing
                if price is not None:
                    fields["unit_price_ht"] = price
                saved.append(offer_update(offer=offer, **fields))
        except InvalidInput as error:
            errors[f"product.{product_id}"] = [error.message]
    if errors:
        raise InvalidInput(_("Some offers are not valid."), fields=errors)
    return saved


def import_items(
    *, kind: str, name: str, content: bytes
) -> tuple[list[imports.Item], list[imports.Refusal]]:
    """What a catalogue file or DFC document holds, as import items (and refusals)."""
    if kind == ImportKind.CATALOGUE_FILE:
        return imports.file_items(name=name, content=content)
    enterprise = dfc.url_enterprise(name) if kind == ImportKind.DFC_LINK else None
    return dfc.document_items(content, enterprise=enterprise)


def import_kind(file_name: str) -> ImportKind:
    """A DFC document is JSON-LD; anything else is read as a catalogue file."""
    is_dfc = file_name.lower().endswith((".json", ".jsonld"))
    return ImportKind.DFC_FILE if is_dfc else ImportKind.CATALOGUE_FILE


def catalogue_import_prepare(
    *, producer: Producer, file_name: str, content: bytes, user: User
) -> DataImport:
    """A file uploaded on the producer's screen, read and kept with its dry run; a file
    that cannot be read at all is refused (InvalidInput) and nothing is kept."""
    kind = import_kind(file_name)
    items, refused = import_items(kind=kind, name=file_name, content=content)
    preview = imports.catalogue_import(producer=producer, items=items, refused=refused)
    return DataImport.objects.create(
        organisation=producer.organisation,
        kind=kind,
        name=file_name[:200],
        content=content,
        preview=preview,
        created_by=user,
    )


def catalogue_import_fetch(*, producer: Producer, url: str, token: str, user: User) -> DataImport:
    """A DFC link given on the producer's screen: fetched in the background, then shown."""
    from .tasks import dfc_import_start

    prepared = DataImport.objects.create(
        organisation=producer.organisation, kind=ImportKind.DFC_LINK, name=url, created_by=user
    )
    prepared.task = dfc_import_start(
        producer=producer, url=url, token=token, user=user, catalogue_import=prepared
    )
    prepared.save(update_fields=["task"])
    return prepared


@transaction.atomic
def catalogue_import_confirm(
    *, producer: Producer, catalogue_import: DataImport, now: datetime
) -> dict:
    """Apply what the dry run showed, from the very content it was read from."""
    prepared = DataImport.objects.select_for_update().get(pk=catalogue_import.pk)
    if prepared.applied_at is not None:
        raise StateConflict(_("This import has been applied already."), code="import_applied")
    if prepared.preview is None:
        raise StateConflict(_("This import has not been read yet."), code="import_not_ready")
    items, refused = import_items(
        kind=prepared.kind, name=prepared.name, content=bytes(prepared.content)
    )
    result = imports.catalogue_import(
        producer=producer, items=items, refused=refused, dry_run=False
    )
    prepared.preview, prepared.applied_at = result, now
    prepared.save(update_fields=["preview", "applied_at"])
    return result
