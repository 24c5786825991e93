"""The coordinator's screens: the cycles, and one cycle's control panel where each step is
started and the background work shows its progress; the schedules of the weekly rhythm; and
the season contracts, which producers sign and volunteers follow too."""

import uuid
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounting import settlement
from accounting import tasks as accounting_tasks
from core.choices import Role
from core.errors import DomainError
from core.models import TaskRun
from core.views import refused, role_required
from logistics import tasks as logistics_tasks
from logistics.selectors import round_list, unserved_list
from orders.selectors import grocery_list

from . import contracts, rhythm, selectors, services, tasks
from .choices import (
    NEXT_STEP,
    SETTLEABLE,
    STATUS_ORDER,
    TAKES_CONFIRMATIONS,
    TAKES_OFFERS,
    TAKES_ORDERS,
    ContractStatus,
    CycleStatus,
    PurchaseListStatus,
)
from .forms import ContractForm, CopyForm, CycleForm, PlanForm, ScheduleForm

coordinator_only = role_required(Role.COORDINATOR)

# What the coordinator reads above a progress bar.
TASK_LABELS = {
    "cycle_close": gettext_lazy("Closing: consolidation and purchase lists"),
    "cycle_confirm": gettext_lazy("Confirmation: shortfalls shared again"),
    "cycle_plan_rounds": gettext_lazy("Planning the rounds"),
    "cycle_settle": gettext_lazy("Settlement: posting the books"),
}


@coordinator_only
def cycle_list(request):
    """Every cycle, newest first, and the form that creates the next one."""
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.cycle_create(**form.cleaned_data)
        except DomainError as error:
            refused(request, error)
        else:
            messages.success(request, _("Cycle « %(name)s » created.") % {"name": cycle.name})
            return redirect("cycle-panel", cycle_id=cycle.id)
    cycles = selectors.home_for_coordinator(actor=request.actor, now=timezone.now())["cycles"]
    settled = selectors.cycle_list(actor=request.actor).filter(status=CycleStatus.SETTLED)[:20]
    return render(
        request, "supply/cycle_list.html", {"form": form, "cycles": cycles, "settled": settled}
    )


def _start(request, cycle, step: str) -> TaskRun | None:
    """Take one step; long ones are queued and answer their task."""
    user, now = request.user, timezone.now()
    if step == "open":
        services.cycle_open(cycle_id=cycle.id, user=user, now=now)
    elif step == "close":
        return tasks.cycle_close_start(cycle=cycle, user=user)
    elif step == "confirm":
        # The button warned that the lists without an answer count as zero.
        return tasks.cycle_confirm_start(
            cycle=cycle, user=user, missing_as_zero=request.POST.get("missing_as_zero") == "1"
        )
    elif step == "plan":
        form = PlanForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
            return None
        return logistics_tasks.cycle_plan_rounds_start(
            cycle=cycle,
            user=user,
            vehicle_ids=[vehicle.id for vehicle in form.cleaned_data["vehicles"]],
            time_limit_s=form.cleaned_data["time_limit_s"],
        )
    elif step == "cancel":
        rhythm.cycle_cancel(cycle_id=cycle.id, user=user, now=now)
    elif step == "dispatch":
        services.cycle_dispatch(cycle_id=cycle.id, user=user, now=now)
    elif step == "deliver":
        services.cycle_deliver(cycle_id=cycle.id, user=user, now=now)
    elif step == "settle":
        return accounting_tasks.cycle_settle_start(cycle=cycle, user=user)
    else:
        raise PermissionDenied
    return None


@coordinator_only
def cycle_panel(request, cycle_id: int):
    """One cycle: its state and dates, the next step, the purchase lists, the rounds, the
    settlement, and the progress of the work running in the background."""
    cycle = get_object_or_404(selectors.cycle_list(actor=request.actor), pk=cycle_id)
    copy_form = CopyForm(request.POST if request.POST.get("step") == "copy" else None)
    if request.method == "POST" and copy_form.is_bound:
        if copy_form.is_valid():
            try:
                copy = rhythm.cycle_copy(cycle=cycle, **copy_form.cleaned_data)
            except DomainError as error:
                refused(request, error)
            else:
                messages.success(
                    request,
                    _("Cycle « %(name)s » created with %(count)d offers.")
                    % {"name": copy.name, "count": copy.offers.count()},
                )
                return redirect("cycle-panel", cycle_id=copy.id)
    elif request.method == "POST":
        step = request.POST.get("step", "")
        try:
            run = _start(request, cycle, step)
        except DomainError as error:
            refused(request, error)
            return redirect("cycle-panel", cycle_id=cycle.id)
        url = reverse("cycle-panel", args=[cycle.id])
        if run is not None:
            return redirect(f"{url}?tache={run.id}")
        if step in ("open", "dispatch", "deliver", "cancel"):
            messages.success(request, _("Done."))
        return redirect(url)
    run = None
    if request.GET.get("tache"):
        task_id = _uuid_or_none(request.GET["tache"])
        run = (
            TaskRun.objects.filter(pk=task_id, created_by=request.user).first()
            if task_id is not None
            else None
        )
        if run is not None:
            run.label = TASK_LABELS.get(run.name, run.name)
    purchase_lists = selectors.with_line_totals(
        selectors.purchase_list_list(actor=request.actor).filter(cycle=cycle)
    )
    rounds = round_list(actor=request.actor, cycle=cycle).order_by("kind", "starts_at", "id")
    summary = None
    if cycle.status in SETTLEABLE:
        summary = settlement.settlement_summary(cycle=cycle)
    events = cycle.events.select_related("user").order_by("occurred_at", "id")
    return render(
        request,
        "supply/cycle_panel.html",
        {
            "cycle": cycle,
            "statuses": [(status, CycleStatus(status).label) for status in STATUS_ORDER],
            "position": STATUS_ORDER.index(cycle.status) if cycle.status in STATUS_ORDER else -1,
            "copy_form": copy_form if copy_form.is_bound else _copy_form_for(cycle),
            "next_step": NEXT_STEP.get(cycle.status),
            "run": run,
            "purchase_lists": purchase_lists,
            "rounds": rounds,
            "unserved": unserved_list(cycle=cycle),
            # Every active van ticked; .all(): a fresh query, the class's own is never evaluated
            # (its cache would tick the vans of the first request the process served).
            "plan_form": PlanForm(
                initial={"vehicles": PlanForm.base_fields["vehicles"].queryset.all()}
            ),
            "summary": summary,
            "events": events,
            "order_count": cycle.orders.live().count(),
            # While orders come in: who ordered what, per grocery and per product.
            "by_grocery": selectors.orders_by_grocery(cycle=cycle)
            if cycle.status in TAKES_ORDERS
            else [],
            "by_product": selectors.orders_by_product(actor=request.actor, cycle=cycle)
            if cycle.status in TAKES_ORDERS
            else [],
            # The producers (or the coordinator for them) may still answer.
            # Offers below what the season's contracts take of them, while offers change.
            "contract_warnings": contracts.contract_cover_warnings(cycle=cycle)
            if cycle.status in TAKES_OFFERS
            else [],
            "answers_open": cycle.status in TAKES_CONFIRMATIONS
            and timezone.now() <= cycle.confirm_by,
            "lists_waiting": sum(
                1 for item in purchase_lists if item.status == PurchaseListStatus.SENT
            ),
        },
    )


def _uuid_or_none(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _copy_form_for(cycle) -> CopyForm:
    """The copy form filled in for the same weekday a week later."""
    week = timedelta(days=7)
    return CopyForm(
        initial={
            "delivery_date": cycle.delivery_date + week,
            "opens_at": timezone.localtime(cycle.opens_at + week),
            "closes_at": timezone.localtime(cycle.closes_at + week),
            "confirm_by": timezone.localtime(cycle.confirm_by + week),
        }
    )


# --- The weekly rhythm --------------------------------------------------------------------


@coordinator_only
def schedule_page(request):
    """The schedules and what each holds for the coming weeks; a form to add one."""
    form = ScheduleForm(request.POST if "create" in request.POST else None)
    now = timezone.now()
    schedules = selectors.schedule_list(actor=request.actor)
    if request.method == "POST":
        try:
            if form.is_bound:
                if form.is_valid():
                    schedule = rhythm.schedule_create(**form.cleaned_data)
                    messages.success(
                        request, _("Schedule « %(name)s » created.") % {"name": schedule.name}
                    )
                    return redirect("schedules-page")
            elif request.POST.get("generate"):
                schedule = get_object_or_404(schedules, pk=request.POST["generate"])
                result = rhythm.schedule_generate(schedule=schedule, now=now)
                messages.success(
                    request,
                    _("%(count)d cycles made for « %(name)s ».")
                    % {"count": len(result["created"]), "name": schedule.name},
                )
                return redirect("schedules-page")
            elif request.POST.get("toggle"):
                schedule = get_object_or_404(schedules, pk=request.POST["toggle"])
                rhythm.schedule_update(schedule=schedule, is_active=not schedule.is_active)
                return redirect("schedules-page")
        except DomainError as error:
            refused(request, error)
            if form.is_bound:
                for name, errors in (error.fields or {}).items():
                    if name in form.fields:
                        form.add_error(name, errors)
    for schedule in schedules:
        schedule.weeks = (
            rhythm.schedule_coming(schedule=schedule, now=now) if schedule.is_active else []
        )
    return render(request, "supply/schedules.html", {"form": form, "schedules": schedules})


# --- Season contracts ---------------------------------------------------------------------

contract_roles = role_required(Role.COORDINATOR, Role.PRODUCER, Role.GROCERY_VOLUNTEER)


@contract_roles
def contract_page(request):
    """The season contracts: the coordinator makes them, the producer signs its own, the
    volunteers see what is coming to their grocery under contract."""
    actor = request.actor
    groceries = grocery_list(actor=actor) if actor.role == Role.COORDINATOR else []
    form = None
    if actor.role == Role.COORDINATOR:
        form = ContractForm(request.POST or None, groceries=groceries)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            product = data["product"]
            try:
                contract = contracts.contract_create(
                    user=request.user,
                    producer=product.producer,
                    name=data["name"],
                    unit_price_ht=data["unit_price_ht"],
                    first_delivery=data["first_delivery"],
                    last_delivery=data["last_delivery"],
                    prepayment_rate=data["prepayment_percent"] / 100,
                    programme=data["programme"],
                    programme_share=data["programme_percent"] / 100,
                    lines=[
                        contracts.LineInput(product, grocery, quantity)
                        for grocery, quantity in form.quantities().items()
                    ],
                    now=timezone.now(),
                )
            except DomainError as error:
                refused(request, error)
            else:
                messages.success(
                    request,
                    _("Contract « %(name)s » created: the producer and you sign it next.")
                    % {"name": contract.name},
                )
                return redirect("contract-sheet", contract_id=contract.id)
    return render(
        request,
        "supply/contracts.html",
        {"form": form, "contracts": selectors.contract_list(actor=actor)},
    )


@contract_roles
def contract_detail(request, contract_id: int):
    """One contract: its terms, both signatures, and its statement (a volunteer reads its
    own grocery's lines only)."""
    actor = request.actor
    contract = get_object_or_404(selectors.contract_list(actor=actor), pk=contract_id)
    if request.method == "POST" and actor.role in (Role.COORDINATOR, Role.PRODUCER):
        try:
            contracts.contract_sign(
                contract=contract, user=request.user, role=actor.role, now=timezone.now()
            )
        except DomainError as error:
            refused(request, error)
        else:
            messages.success(request, _("Signed."))
        return redirect("contract-sheet", contract_id=contract.id)
    statement = contracts.contract_statement(contract=contract)
    if actor.role == Role.GROCERY_VOLUNTEER:
        statement = contracts.statement_for_grocery(
            statement, grocery_ids=set(grocery_list(actor=actor).values_list("id", flat=True))
        )
    signed_by_me = (
        contract.coordinator_signed_at
        if actor.role == Role.COORDINATOR
        else contract.producer_signed_at
    )
    return render(
        request,
        "supply/contract.html",
        {
            "contract": contract,
            "statement": statement,
            "can_sign": actor.role in (Role.COORDINATOR, Role.PRODUCER)
            and contract.status == ContractStatus.DRAFT
            and not signed_by_me,
        },
    )
