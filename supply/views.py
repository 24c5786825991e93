"""The coordinator's screens: the cycles, and one cycle's control panel where each step is
started and the background work shows its progress."""

import uuid

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

from . import selectors, services, tasks
from .choices import (
    NEXT_STEP,
    SETTLEABLE,
    TAKES_CONFIRMATIONS,
    TAKES_ORDERS,
    CycleStatus,
    PurchaseListStatus,
)
from .forms import CycleForm, PlanForm

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
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            run = _start(request, cycle, step)
        except DomainError as error:
            refused(request, error)
            return redirect("cycle-panel", cycle_id=cycle.id)
        url = reverse("cycle-panel", args=[cycle.id])
        if run is not None:
            return redirect(f"{url}?tache={run.id}")
        if step in ("open", "dispatch", "deliver"):
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
            "statuses": CycleStatus.choices,
            "position": CycleStatus.values.index(cycle.status),
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
