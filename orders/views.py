"""The screens of the grocery volunteers (grouped order, household orders, reception) and of
the CCAS staff (households, enrolment and renewal, access log, envelopes)."""

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounting.selectors import envelope_list, funder_list
from core.choices import Role
from core.errors import DomainError
from core.formats import format_date, format_euros
from core.models import DataImport
from core.money import quantize_money
from core.views import (
    posted_amount,
    posted_date,
    posted_id,
    quantities_from,
    refused,
    role_required,
)
from producers.models import Producer
from producers.selectors import offer_list
from ssa import services as ssa_services
from ssa.selectors import approved, caisse_list, member_on
from supply.choices import TAKES_ORDERS, TAKES_RECEPTIONS
from supply.models import OrderCycle
from supply.selectors import cycle_list

from . import places_import, selectors, services, standing
from .choices import AccessAction, HouseholdStatus, OrderPayment, OrderStatus
from .forms import HouseholdEnrolForm, HouseholdRenewForm, ResteAVivreForm
from .households import (
    NOT_ELIGIBLE,
    access_log,
    funders_usable_by,
    household_enrol,
    household_renew,
    household_suspend,
    tariff_suggest,
)
from .models import Grocery, Order, SocialService, StandingOrder, StandingOrderRun, TariffTier
from .services import RequestedLine

volunteer_only = role_required(Role.GROCERY_VOLUNTEER)
ccas_only = role_required(Role.CCAS_STAFF)


def _catalogue(
    actor, cycle: OrderCycle, quantities: dict[int, Decimal | str], *, caisse=None
) -> list:
    """The cycle's offers with what remains and the quantity in the form, by producer; only
    what `caisse`'s committee approved when the order is paid from its credit."""
    offers = selectors.offers_to_order(actor=actor, cycle=cycle)
    if caisse is not None:
        covered = approved(caisse)
        offers = [offer for offer in offers if covered.covers(offer.product)]
    for offer in offers:
        offer.in_form = quantities.get(offer.id)
    return offers


def _lines(quantities: dict[int, Decimal]) -> list[RequestedLine]:
    return [
        RequestedLine(offer_id=offer_id, quantity=quantity)
        for offer_id, quantity in quantities.items()
        if quantity > 0
    ]


def _order_save(request, *, cycle: OrderCycle, order: Order | None, **owner) -> Order:
    """Place, change or cancel (button `cancel`) the order of `owner` (grocery= or household_id=)
    from the catalogue form. Raises the services' refusals."""
    now = timezone.now()
    if "cancel" in request.POST and order is not None:
        return services.order_cancel(order=order, now=now)
    offers = set(offer_list(actor=request.actor).filter(cycle=cycle).values_list("id", flat=True))
    lines = _lines(quantities_from(request.POST, prefix="q-", allowed=offers))
    if order is None:
        return services.order_submit(
            user=request.user, cycle_id=cycle.id, lines=lines, now=now, **owner
        )
    return services.order_replace_lines(order=order, lines=lines, now=now)


def _order_saved(request, order: Order, message: str) -> None:
    messages.success(request, message)
    for warning in order.shortage_warnings:
        messages.warning(request, warning["message"])


def _cycle(actor, cycle_id: int) -> OrderCycle:
    return get_object_or_404(cycle_list(actor=actor), pk=cycle_id)


@volunteer_only
def grouped_order(request, cycle_id: int):
    """The grocery's grouped order: the catalogue with what remains, one quantity per offer."""
    actor = request.actor
    cycle = _cycle(actor, cycle_id)
    grocery = selectors.grocery_list(actor=actor).first()
    order = Order.objects.live().filter(cycle=cycle, grocery=grocery, contract__isnull=True).first()
    quantities = {line.offer_id: line.quantity for line in order.lines.all()} if order else {}
    if request.method == "POST" and "standing" in request.POST and order is not None:
        _make_standing(request, order=order, grocery=grocery)
        return redirect("grocery-order", cycle_id=cycle.id)
    last = standing.last_order(cycle=cycle, grocery=grocery)
    if request.method == "POST" and "repeat" in request.POST and last is not None:
        _repeat(request, last, cycle)
        return redirect("grocery-order", cycle_id=cycle.id)
    if request.method == "POST" and cycle.status in TAKES_ORDERS:
        try:
            order = _order_save(request, cycle=cycle, order=order, grocery=grocery)
        except DomainError as error:
            refused(request, error)
            quantities = _typed(request.POST, prefix="q-")
        else:
            if order.status == OrderStatus.CANCELLED:
                messages.success(request, _("The grouped order is cancelled."))
            else:
                _order_saved(
                    request,
                    order,
                    _("Grouped order saved: %(total)s incl. VAT.")
                    % {"total": format_euros(order.total_ttc)},
                )
            return redirect("grocery-order", cycle_id=cycle.id)
    return render(
        request,
        "orders/grouped_order.html",
        {
            "cycle": cycle,
            "grocery": grocery,
            "order": order,
            "offers": _catalogue(actor, cycle, quantities),
            "editable": cycle.status in TAKES_ORDERS,
            "last_order": last,
            "standing_order": StandingOrder.objects.filter(
                grocery=grocery, household__isnull=True, is_active=True
            ).first(),
            "standing_run": StandingOrderRun.objects.filter(
                cycle=cycle, standing_order__grocery=grocery, standing_order__household__isnull=True
            ).first(),
            "contract_orders": Order.objects.live()
            .filter(cycle=cycle, grocery=grocery, contract__isnull=False)
            .select_related("contract")
            .prefetch_related("lines__offer__product"),
        },
    )


def _repeat(request, last: Order, cycle: OrderCycle) -> None:
    """ "Même commande que la dernière fois": the lines of `last` into this cycle."""
    try:
        repeated = standing.order_repeat(
            order=last,
            cycle_id=cycle.id,
            user=request.user,
            now=timezone.now(),
            households=selectors.household_scope(actor=request.actor),
        )
    except DomainError as error:
        refused(request, error)
        return
    messages.success(
        request,
        _("The order of %(date)s is repeated: %(total)s incl. VAT.")
        % {
            "date": format_date(last.cycle.delivery_date),
            "total": format_euros(repeated.order.total_ttc),
        },
    )
    for warning in repeated.warnings:
        messages.warning(request, warning["message"])


def _make_standing(request, *, order: Order, grocery, household=None) -> None:
    """This order's lines become the standing order, placed by itself in each new cycle."""
    lines = [
        standing.ProductLine(line.offer.product, line.quantity)
        for line in order.lines.select_related("offer__product")
    ]
    current = StandingOrder.objects.filter(
        grocery=grocery, household=household, is_active=True
    ).first()
    now = timezone.now()
    try:
        if current is None:
            standing.standing_order_create(
                user=request.user, grocery=grocery, household=household, lines=lines, now=now
            )
        else:
            standing.standing_order_update(standing=current, lines=lines, now=now)
    except DomainError as error:
        refused(request, error)
    else:
        messages.success(
            request, _("Standing order saved: it will be placed by itself in each new cycle.")
        )


def _typed(data, *, prefix: str) -> dict[int, Decimal | str]:
    """What the person typed, to show it again beside the refusal."""
    typed: dict[int, Decimal | str] = {}
    for name, value in data.items():
        if name.startswith(prefix) and name[len(prefix) :].isdigit():
            typed[int(name[len(prefix) :])] = value[:20]
    return typed


@volunteer_only
def household_orders(request, cycle_id: int):
    """Orders of the households who pick up here: choose a household by its reference, see
    what it may still spend this month and what it will pay, then order for it."""
    actor = request.actor
    cycle = _cycle(actor, cycle_id)
    households = selectors.household_list(actor=actor, today=cycle.delivery_date).order_by(
        selectors.active_first(), "reference"
    )
    orders = list(
        selectors.order_list(actor=actor)
        .filter(cycle=cycle, household__isnull=False)
        .exclude(status=OrderStatus.CANCELLED)
        .order_by("household__reference")
    )
    household = None
    chosen = request.POST.get("household") or request.GET.get("foyer")
    if chosen:
        household = households.filter(pk=chosen if str(chosen).isdigit() else 0).first()
        if household is None:
            messages.error(request, _("This household does not pick up at your grocery."))
    order = next(
        (order for order in orders if household and order.household_id == household.id), None
    )
    quantities: dict[int, Decimal | str] = (
        {line.offer_id: line.quantity for line in order.line_list} if order else {}
    )
    # A member of a caisse alimentaire may pay from its credit (DESIGN.md §14): chosen
    # before the first line (?paiement=caisse), kept by the order once placed.
    member = member_on(household=household, day=cycle.delivery_date) if household else None
    by_caisse = (
        order.payment == OrderPayment.SSA
        if order is not None
        else member is not None
        and (request.GET.get("paiement") or request.POST.get("paiement")) == "caisse"
    )
    orderable = household is not None and (
        household.status == HouseholdStatus.ACTIVE or (by_caisse and member is not None)
    )
    last = (
        standing.last_order(cycle=cycle, household_id=household.id)
        if household is not None
        else None
    )
    if request.method == "POST" and "repeat" in request.POST and last is not None:
        assert household is not None  # `last` is the household's
        _repeat(request, last, cycle)
        return redirect(f"{reverse('grocery-households', args=[cycle.id])}?foyer={household.id}")
    if request.method == "POST" and "standing" in request.POST and order is not None:
        assert household is not None  # `order` is the household's
        _make_standing(request, order=order, grocery=household.pickup_grocery, household=household)
        return redirect(f"{reverse('grocery-households', args=[cycle.id])}?foyer={household.id}")
    if (
        request.method == "POST"
        and household is not None
        and orderable
        and cycle.status in TAKES_ORDERS
    ):
        payment = (
            {"payment": OrderPayment.SSA, "caisse_id": member.caisse_id}
            if by_caisse and member is not None
            else {}
        )
        try:
            order = _order_save(
                request, cycle=cycle, order=order, household_id=household.id, **payment
            )
        except DomainError as error:
            refused(request, error)
            quantities = _typed(request.POST, prefix="q-")
        else:
            if order.status == OrderStatus.CANCELLED:
                messages.success(
                    request,
                    _("The order of %(reference)s is cancelled.")
                    % {"reference": household.reference},
                )
                return redirect("grocery-households", cycle_id=cycle.id)
            if order.payment == OrderPayment.SSA:
                saved = _("Order of %(reference)s saved: %(total)s, paid from its credit.") % {
                    "reference": household.reference,
                    "total": format_euros(order.total_ttc),
                }
            else:
                saved = _(
                    "Order of %(reference)s saved: %(total)s, of which the household pays "
                    "%(share)s."
                ) % {
                    "reference": household.reference,
                    "total": format_euros(order.total_ttc),
                    "share": format_euros(order.beneficiary_total),
                }
            _order_saved(request, order, saved)
            return redirect("grocery-households", cycle_id=cycle.id)
    return render(
        request,
        "orders/household_orders.html",
        {
            "cycle": cycle,
            "households": households,
            "household": household,
            "orders": orders,
            "order": order,
            "offers": _catalogue(
                actor, cycle, quantities, caisse=member.caisse if by_caisse and member else None
            )
            if orderable
            else [],
            "orderable": orderable,
            "editable": cycle.status in TAKES_ORDERS,
            "last_order": last,
            "standing_order": StandingOrder.objects.filter(
                household=household, is_active=True
            ).first()
            if household is not None
            else None,
            "member": member,
            "by_caisse": by_caisse,
            # What the order may still reach: the month's remaining cap (or the member's
            # credit), plus this order's own total when it is being changed.
            "cap_left": quantize_money(
                (member.balance if by_caisse and member else household.month_remaining)
                + (order.total_ttc if order else 0)
            )
            if household is not None
            else None,
        },
    )


@volunteer_only
def reception(request, cycle_id: int):
    """What arrived, line by line, against what was confirmed; the difference is kept."""
    actor = request.actor
    cycle = _cycle(actor, cycle_id)
    grocery = get_object_or_404(selectors.grocery_list(actor=actor))
    lines = list(selectors.destination_lines(grocery_id=grocery.id, cycle_id=cycle.id))
    receivable = cycle.status in TAKES_RECEPTIONS
    typed = {}
    if request.method == "POST" and receivable:
        try:
            received = quantities_from(
                request.POST, prefix="r-", allowed={line.id for line in lines}
            )
            services.reception_record(
                grocery=grocery,
                cycle_id=cycle.id,
                user=request.user,
                lines=received,
                reasons={
                    line.id: request.POST.get(f"why-{line.id}", "")[:200]
                    for line in lines
                    if line.id in received
                },
                now=timezone.now(),
            )
        except DomainError as error:
            refused(request, error)
            typed = _typed(request.POST, prefix="r-")
        else:
            messages.success(
                request, _("Reception recorded: %(count)d lines.") % {"count": len(received)}
            )
            return redirect("grocery-reception", cycle_id=cycle.id)
    for line in lines:
        line.in_form = typed.get(
            line.id, line.received_quantity if line.received_quantity is not None else line.served
        )
        line.short = line.received_quantity is not None and line.received_quantity < line.served
    return render(
        request,
        "orders/reception.html",
        {"cycle": cycle, "grocery": grocery, "lines": lines, "receivable": receivable},
    )


# --- CCAS staff ---------------------------------------------------------------------------


def _social_service(actor) -> SocialService:
    return SocialService.objects.get(organisation_id=actor.organisation_id)


@ccas_only
def household_list(request):
    """The CCAS's households with their status; decisions ending soon are flagged."""
    actor = request.actor
    today = timezone.localdate()
    households = (
        selectors.household_list(actor=actor, today=today)
        .select_related("pickup_grocery__organisation", "funder")
        .order_by(selectors.active_first(), "reference")
    )
    status = request.GET.get("statut", "")
    if status in HouseholdStatus.values:
        households = households.filter(status=status)
    search = request.GET.get("q", "").strip()[:20]
    if search:
        households = households.filter(reference__icontains=search)
    page = Paginator(households, 50).get_page(request.GET.get("page"))
    expiring = set(
        selectors.households_expiring(actor=actor, today=today).values_list("id", flat=True)
    )
    return render(
        request,
        "orders/household_list.html",
        {
            "page": page,
            "expiring": expiring,
            "status": status,
            "search": search,
            "today": today,
            "warning_days": selectors.EXPIRY_WARNING_DAYS,
        },
    )


@ccas_only
def household_enrol_page(request):
    """Enrolment, with the reste-à-vivre calculator: its inputs suggest a tier and are then
    dropped, never stored nor logged."""
    actor = request.actor
    social_service = _social_service(actor)
    funders = funders_usable_by(social_service)
    today = timezone.localdate()
    calculator = ResteAVivreForm(request.POST if "calculate" in request.POST else None)
    suggestion = None
    initial = {
        "valid_from": today,
        "consent_at": timezone.localtime().replace(second=0, microsecond=0),
    }
    if calculator.is_bound:
        # One form: what was already typed of the decision stays as it was typed.
        initial.update(
            (name, value)
            for name, value in request.POST.items()
            if name in HouseholdEnrolForm.base_fields and value
        )
        if calculator.is_valid():
            suggestion = tariff_suggest(**calculator.cleaned_data)
            initial["tier"] = suggestion["suggested_tier"] or initial.get("tier")
            initial["suggested_tier"] = suggestion["suggested_tier"] or NOT_ELIGIBLE
    bound = request.method == "POST" and "enrol" in request.POST
    form = HouseholdEnrolForm(request.POST if bound else None, initial=initial, funders=funders)
    if bound and form.is_valid():
        try:
            household = household_enrol(
                social_service=social_service,
                user=request.user,
                now=timezone.now(),
                **form.service_arguments(),
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("Household %(reference)s enrolled until %(date)s.")
                % {
                    "reference": household.reference,
                    "date": format_date(household.valid_until),
                },
            )
            return redirect("ccas-household", household_id=household.id)
    return render(
        request,
        "orders/household_enrol.html",
        {
            "form": form,
            "calculator": calculator,
            "suggestion": suggestion,
            "tiers": TariffTier.objects.order_by("beneficiary_rate", "code"),
            "social_service": social_service,
        },
    )


@ccas_only
def household_detail(request, household_id: int):
    """One household's decision, its CCAS-only fields (the read is logged), renewal and
    suspension."""
    actor = request.actor
    today = timezone.localdate()
    households = selectors.household_list(actor=actor, today=today).select_related(
        "pickup_grocery__organisation", "funder", "social_service__organisation"
    )
    household = get_object_or_404(households, pk=household_id)
    form = HouseholdRenewForm(request.POST if "renew" in request.POST else None)
    if request.method == "POST":
        try:
            with transaction.atomic():
                if "renew" in request.POST:
                    if not form.is_valid():
                        raise form.as_domain_error()
                    household_renew(
                        household=household,
                        user=request.user,
                        valid_until=form.cleaned_data["valid_until"],
                        today=today,
                        now=timezone.now(),
                    )
                    messages.success(request, _("Decision renewed."))
                elif "join" in request.POST or "leave" in request.POST:
                    _caisse_membership(request, household)
                elif "suspend" in request.POST or "reinstate" in request.POST:
                    suspended = "suspend" in request.POST
                    household_suspend(
                        household=household,
                        user=request.user,
                        now=timezone.now(),
                        suspended=suspended,
                        reason=request.POST.get("reason", "")[:1000],
                    )
                    messages.success(
                        request,
                        _("Household suspended: it can no longer order.")
                        if suspended
                        else _("Household reinstated: it can order again."),
                    )
        except DomainError as error:
            refused(request, error)
        else:
            return redirect("ccas-household", household_id=household.id)
    access_log(household=household, user=request.user, action=AccessAction.READ, at=timezone.now())
    orders = (
        Order.objects.filter(household=household)
        .select_related("cycle")
        .order_by("-cycle__delivery_date")[:12]
    )
    log = selectors.household_access_log_list(actor=actor).filter(household=household)[:20]
    return render(
        request,
        "orders/household_detail.html",
        {
            "household": household,
            "form": form,
            "orders": orders,
            "log": log,
            "today": today,
            "caisses": caisse_list(actor=actor),
            "memberships": household.caisses.select_related("caisse").order_by("-joined_on"),
        },
    )


def _caisse_membership(request, household) -> None:
    """The CCAS enrols the household in one of its caisses alimentaires, or records that it
    leaves (DESIGN.md §14); the services log the access."""
    now = timezone.now()
    day = posted_date(request, "on", default=timezone.localdate())
    if "leave" in request.POST:
        member = get_object_or_404(household.caisses, pk=posted_id(request, "member"))
        ssa_services.member_update(
            member=member, fields={"left_on": day}, user=request.user, now=now
        )
        messages.success(
            request, _("The household leaves « %(caisse)s ».") % {"caisse": member.caisse.name}
        )
        return
    caisse = get_object_or_404(caisse_list(actor=request.actor), pk=posted_id(request, "caisse"))
    ssa_services.member_join(
        caisse=caisse,
        household=household,
        monthly_contribution=posted_amount(request, "monthly_contribution"),
        joined_on=day,
        user=request.user,
        now=now,
    )
    messages.success(
        request, _("The household is a member of « %(caisse)s ».") % {"caisse": caisse.name}
    )


@ccas_only
def access_log_page(request):
    """Who read or changed the CCAS's households, newest first."""
    entries = selectors.household_access_log_list(actor=request.actor)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "orders/access_log.html", {"page": page})


@ccas_only
def funding_page(request):
    """The envelopes of the CCAS's funders and the statements to download."""
    actor = request.actor
    funders = list(funder_list(actor=actor))
    if not funders:
        raise Http404
    envelopes = list(envelope_list(actor=actor).select_related("funder"))
    today = timezone.localdate()
    return render(
        request,
        "orders/funding.html",
        {
            "funders": funders,
            "envelopes": envelopes,
            "today": today,
            "year_start": today.replace(month=1, day=1),
        },
    )


@role_required(Role.COORDINATOR)
def places_page(request):
    """The groceries and producers of the platform, and their import from a file."""
    if request.method == "POST":
        upload = request.FILES.get("file")
        kind = request.POST.get("kind", "")
        if upload is None or kind not in places_import.COLUMNS:
            messages.error(request, _("Choose what you import and the file."))
            return redirect("places-page")
        try:
            prepared = places_import.places_import_prepare(
                kind=kind, name=upload.name, content=upload.read(), user=request.user
            )
        except DomainError as error:
            refused(request, error)
            return redirect("places-page")
        return redirect("places-import", import_id=prepared.id)
    return render(
        request,
        "orders/places.html",
        {
            "groceries": Grocery.objects.select_related("organisation", "zone").order_by(
                "organisation__name"
            ),
            "producers": Producer.objects.select_related("organisation", "zone").order_by(
                "organisation__name"
            ),
            "columns": {
                kind: ", ".join(str(label) for label in columns.values())
                for kind, columns in places_import.COLUMNS.items()
            },
        },
    )


@role_required(Role.COORDINATOR)
def places_import_page(request, import_id: int):
    """An import of groceries or producers as a dry run table, to apply or to drop."""
    prepared = get_object_or_404(
        DataImport.objects.filter(kind__in=list(places_import.COLUMNS)), pk=import_id
    )
    if request.method == "POST" and "cancel" in request.POST and prepared.applied_at is None:
        prepared.delete()
        messages.success(request, _("Import dropped: nothing was changed."))
        return redirect("places-page")
    if request.method == "POST" and "confirm" in request.POST:
        try:
            result = places_import.places_import_confirm(data_import=prepared, now=timezone.now())
        except DomainError as error:
            refused(request, error)
        else:
            messages.success(
                request,
                _("Import applied — places added: %(new)d, changed: %(changed)d.")
                % {"new": len(result["new"]), "changed": len(result["changed"])},
            )
            return redirect("places-page")
    labels = places_import.COLUMNS[prepared.kind]
    preview = prepared.preview or {"new": [], "changed": [], "unchanged": 0, "refused": []}
    return render(
        request,
        "orders/places_import.html",
        {
            "prepared": prepared,
            "preview": preview,
            "labels": labels,
            "new_rows": [[row.get(name, "") for name in labels] for row in preview["new"]],
            "changed_rows": [
                (
                    row["name"],
                    [(labels[name], old, new) for name, (old, new) in row["changes"].items()],
                )
                for row in preview["changed"]
            ],
        },
    )
