"""The producers' screens: the catalogue, the offers for a cycle, the purchase lists to
confirm, and their documents."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import Role
from core.errors import DomainError
from core.models import DataImport, TaskState
from core.templatetags.appro import percent
from core.templatetags.appro import typed as typed_number
from core.views import decimals_from, quantities_from, refused, role_required, size_messages
from supply import selectors as supply_selectors
from supply.choices import OFFER_PRICES_EDITABLE, TAKES_CONFIRMATIONS, TAKES_OFFERS
from supply.contracts import contract_cover_warnings
from supply.rhythm import standing_offers_spread
from supply.services import purchase_list_confirm

from . import dfc, imports, selectors, services
from .choices import Category, Unit
from .forms import ProductForm
from .imports import COLUMNS
from .models import Producer

producer_only = role_required(Role.PRODUCER)


@producer_only
def catalogue(request):
    """The producer's products, a form to add one, and a switch to withdraw one."""
    producer = selectors.producer_list(actor=request.actor).get()
    products = producer.products.order_by("-is_active", "name")
    # ?modifier=<id>: the form changes that product instead of adding one.
    chosen = request.POST.get("product") or request.GET.get("modifier") or ""
    editing = get_object_or_404(products, pk=chosen) if chosen.isdigit() else None
    saving = "add" in request.POST or "save" in request.POST
    form = ProductForm(request.POST if saving else None, instance=editing)
    if request.method == "POST":
        if saving and form.is_valid():
            try:
                if editing is None:
                    product = services.product_create(producer=producer, **form.service_arguments())
                    message = _("« %(name)s » added to your catalogue.")
                else:
                    product = services.product_update(product=editing, **form.service_arguments())
                    message = _("« %(name)s » saved. Offers already made keep their price.")
            except DomainError as error:
                form.add_error(next(iter(error.fields or {}), None), error.message)
            else:
                messages.success(request, message % {"name": product.name})
                return redirect("producer-catalogue")
        if "dfc" in request.POST:  # share the catalogue with other platforms, or stop
            shared = request.POST["dfc"] == "share"
            services.producer_update(producer=producer, dfc_shared=shared)
            messages.success(
                request,
                _("Your catalogue is shared with other platforms through DFC.")
                if shared
                else _("Your catalogue is no longer shared through DFC."),
            )
            return redirect("producer-catalogue")
        if "import" in request.POST:
            prepared = _import_start(request, producer)
            if prepared is not None:
                return redirect("producer-catalogue-import-page", import_id=prepared.id)
            return redirect("producer-catalogue")
        if "toggle" in request.POST:
            product = get_object_or_404(
                products, pk=request.POST["toggle"] if request.POST["toggle"].isdigit() else 0
            )
            services.product_update(product=product, is_active=not product.is_active)
            return redirect("producer-catalogue")
    return render(
        request,
        "producers/catalogue.html",
        {"producer": producer, "products": products, "form": form, "editing": editing},
    )


def _import_start(request, producer: Producer) -> DataImport | None:
    """The import the producer asks for (a file, or a DFC link), read as a dry run."""
    upload = request.FILES.get("file")
    url = request.POST.get("dfc_url", "").strip()
    try:
        if upload is not None:
            if upload.size > dfc.MAX_DOCUMENT_BYTES:
                messages.error(request, _("The file is larger than 20 MB."))
                return None
            return services.catalogue_import_prepare(
                producer=producer, file_name=upload.name, content=upload.read(), user=request.user
            )
        if url:
            URLValidator(schemes=["http", "https"])(url)
            return services.catalogue_import_fetch(
                producer=producer,
                url=url[:2000],
                token=request.POST.get("dfc_token", "").strip()[:4000],
                user=request.user,
            )
    except ValidationError:
        messages.error(request, _("« %(url)s » is not a link.") % {"url": url[:200]})
        return None
    except DomainError as error:
        refused(request, error)
        return None
    messages.error(request, _("Choose a file, or give the link of a DFC catalogue."))
    return None


def _shown(name: str, value) -> str:
    """A product's field as the dry run table shows it, in French."""
    if value is None or value == "":
        return "—"
    if name == "category":
        return str(Category(value).label)
    if name == "unit":
        return str(Unit(value).label)
    if name in ("is_organic", "is_active"):
        return _("yes") if value else _("no")
    if name == "vat_rate":
        return percent(Decimal(value))
    if name == "unit_price_ht":
        return f"{number_format(Decimal(value), 2)} €"
    if name in ("unit_weight_kg", "pack_size"):
        return typed_number(Decimal(value))
    return str(value)


def _preview_rows(preview: dict) -> dict:
    labels = {**COLUMNS, "vat_rate": _("VAT rate"), "dfc_id": _("DFC identifier")}
    return {
        "new": [
            {**row, "pack_size": Decimal(row["pack_size"]), "price": Decimal(row["unit_price_ht"])}
            | {"category_label": _shown("category", row["category"])}
            | {"vat": _shown("vat_rate", row["vat_rate"])}
            for row in preview["new"]
        ],
        "changed": [
            {
                **row,
                "changes": [
                    (labels[name], _shown(name, old), _shown(name, new))
                    for name, (old, new) in row["changes"].items()
                ],
            }
            for row in preview["changed"]
        ],
        "refused": preview["refused"],
        "unchanged": preview["unchanged"],
    }


@producer_only
def catalogue_import(request, import_id: int):
    """An import's dry run, as a table, to confirm or to drop; its progress while a DFC link
    is being fetched."""
    producer = selectors.producer_list(actor=request.actor).get()
    prepared = get_object_or_404(producer.organisation.imports.select_related("task"), pk=import_id)
    if request.method == "POST" and "cancel" in request.POST and prepared.applied_at is None:
        prepared.delete()
        messages.success(request, _("Import dropped: nothing was changed."))
        return redirect("producer-catalogue")
    if request.method == "POST" and "confirm" in request.POST:
        try:
            result = services.catalogue_import_confirm(
                producer=producer, catalogue_import=prepared, now=timezone.now()
            )
        except DomainError as error:
            refused(request, error)
        else:
            messages.success(
                request,
                _("Import applied — products added: %(new)d, changed: %(changed)d.")
                % {"new": len(result["new"]), "changed": len(result["changed"])},
            )
            return redirect("producer-catalogue")
    task = prepared.task
    return render(
        request,
        "producers/catalogue_import.html",
        {
            "producer": producer,
            "prepared": prepared,
            "rows": _preview_rows(prepared.preview) if prepared.preview else None,
            "waiting": prepared.preview is None
            and task is not None
            and task.state not in (TaskState.SUCCESS, TaskState.FAILURE),
            "failed": task.error if task is not None and task.state == TaskState.FAILURE else "",
        },
    )


# A price typed by a producer, in euros and cents.
PRICE = forms.DecimalField(
    min_value=0,
    max_digits=8,
    decimal_places=2,
    localize=True,
    error_messages=size_messages(gettext_lazy("A price is positive, in euros and cents."))
    | {"min_value": gettext_lazy("A price is positive, in euros and cents.")},
)


def _offer_rows(data, products) -> dict[int, tuple[Decimal, Decimal | None]]:
    """product id -> (quantity, price) from inputs `q-<product>` and `p-<product>`."""
    ids = {product.id for product in products}
    quantities = quantities_from(data, prefix="q-", allowed=ids)
    prices = decimals_from(
        data,
        prefix="p-",
        allowed=ids,
        field=PRICE,
        invalid=_("« %(value)s » is not a price."),
        refusal=_("Some prices are not valid."),
    )
    return {
        product_id: (quantity, prices.get(product_id))
        for product_id, quantity in quantities.items()
    }


@producer_only
def cycle_offers(request, cycle_id: int):
    """What the producer offers for one cycle: a quantity and a price per product."""
    producer = selectors.producer_list(actor=request.actor).get()
    cycle = get_object_or_404(supply_selectors.cycle_list(actor=request.actor), pk=cycle_id)
    products = list(producer.products.filter(is_active=True).order_by("category", "name"))
    offers = {
        offer.product_id: offer
        for offer in selectors.offer_list(actor=request.actor).filter(cycle=cycle)
    }
    editable = cycle.status in TAKES_OFFERS
    typed = {}
    if request.method == "POST" and editable and "import" in request.POST:
        typed = _offers_from_file(request, products, prices=cycle.status in OFFER_PRICES_EDITABLE)
    elif request.method == "POST" and editable:
        try:
            saved = services.offers_save(
                producer=producer,
                cycle=cycle,
                offers=_offer_rows(request.POST, products),
                standing={product.id for product in products if f"s-{product.id}" in request.POST},
            )
            spread = standing_offers_spread(offers=saved)
        except DomainError as error:
            refused(request, error)
            typed = request.POST
        else:
            messages.success(request, _("%(count)d offers saved.") % {"count": len(saved)})
            if spread:
                messages.success(
                    request,
                    _("%(count)d offers added to the coming cycles already prepared.")
                    % {"count": spread},
                )
            return redirect("producer-offers", cycle_id=cycle.id)
    for product in products:
        product.offer = offers.get(product.id)
        product.typed_quantity = typed.get(f"q-{product.id}")
        product.typed_price = typed.get(f"p-{product.id}")
    return render(
        request,
        "producers/offers.html",
        {
            "producer": producer,
            "cycle": cycle,
            "products": products,
            "editable": editable,
            "price_editable": cycle.status in OFFER_PRICES_EDITABLE,
            "contract_warnings": contract_cover_warnings(cycle=cycle, producer=producer),
        },
    )


def _offers_from_file(request, products, *, prices: bool) -> dict[str, str]:
    """A file of offers read into the form, as if typed: nothing is saved before the
    producer checks it and saves (the dry run of an offers import)."""
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the file of your offers."))
        return {}
    try:
        offers, refused_rows = imports.offer_rows(
            products=products, name=upload.name, content=upload.read()
        )
    except DomainError as error:
        refused(request, error)
        return {}
    for refusal in refused_rows:
        messages.error(request, f"{refusal.key} : {refusal.reason}")
    messages.warning(
        request,
        _("%(count)d offers read from the file and typed below: check them, then save.")
        % {"count": len(offers)},
    )
    typed = {}
    for product_id, (quantity, price) in offers.items():
        typed[f"q-{product_id}"] = typed_number(quantity)
        if price is not None and prices:  # else the cycle's prices are fixed already
            typed[f"p-{product_id}"] = number_format(price, 2)
    return typed


@role_required(Role.PRODUCER, Role.COORDINATOR)
def purchase_list(request, purchase_list_id: int):
    """The purchase list of one cycle: confirm it in full, or say what can be supplied. The
    coordinator opens it too, to type the answer a producer gave by phone."""
    lists = supply_selectors.purchase_list_list(actor=request.actor)
    (purchase,) = supply_selectors.with_line_totals([get_object_or_404(lists, pk=purchase_list_id)])
    confirmable = (
        purchase.cycle.status in TAKES_CONFIRMATIONS and timezone.now() <= purchase.cycle.confirm_by
    )
    on_behalf = request.actor.role == Role.COORDINATOR
    typed = {}
    if request.method == "POST" and confirmable:
        try:
            confirmed = quantities_from(
                request.POST, prefix="c-", allowed={line.offer_id for line in purchase.lines.all()}
            )
            purchase_list_confirm(
                purchase_list=purchase,
                confirmed=confirmed,
                now=timezone.now(),
                user=request.user,
                on_behalf=on_behalf,
            )
        except DomainError as error:
            refused(request, error)
            typed = request.POST
        else:
            messages.success(
                request,
                _("The producer's answer is recorded, as given by phone.")
                if on_behalf
                else _("Your answer is recorded. Thank you."),
            )
            if on_behalf:
                return redirect("cycle-panel", cycle_id=purchase.cycle_id)
            return redirect("producer-purchase-list", purchase_list_id=purchase.id)
    for line in purchase.lines.all():
        line.in_form = typed.get(
            f"c-{line.offer_id}",
            line.confirmed_quantity
            if line.confirmed_quantity is not None
            else line.allocated_quantity,
        )
    return render(
        request,
        "producers/purchase_list.html",
        {
            "purchase": purchase,
            "confirmable": confirmable,
            "on_behalf": on_behalf,
            "year_start": timezone.localdate().replace(month=1, day=1),
        },
    )


@producer_only
def purchase_lists(request):
    """Every purchase list of the producer, newest first."""
    lists = supply_selectors.purchase_list_list(actor=request.actor).order_by(
        "-cycle__delivery_date", "-id"
    )
    return render(request, "producers/purchase_lists.html", {"lists": lists})
