"""The officials' page: headline figures against the previous period, charts, a map and the
table by commune; the same figures as a printable PDF for a council meeting."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format

from core.api.views import file_headers
from core.choices import Commune, Role
from core.documents import pdf_from_template
from core.models import TaskRun, TaskState
from core.tasks import DATA_PREPARATION
from core.views import role_required
from logistics.choices import ZoneKind
from logistics.models import Zone
from ssa.selectors import caisse_figures

from . import kpis
from .forms import ScopeForm

# The EGAlim benchmark for organic products, by value excl. VAT (20 %). Its other target, 50 %
# of "sustainable or quality" products, counts labels and quality signs, not distance: the
# local share is shown without a target.
EGALIM_ORGANIC = Decimal("0.20")


def _display(unit: str, value) -> str:
    """A figure as an official reads it, in French formats."""
    if value is None:
        return "—"
    if value == kpis.SUPPRESSED:
        return "< 5"
    if unit == "%":
        return f"{number_format(Decimal(value) * 100, 1, force_grouping=True)} %"
    if unit == "€":
        return f"{number_format(Decimal(value), 0, force_grouping=True)} €"
    if unit in ("kg", "km"):
        return f"{number_format(Decimal(value), 0, force_grouping=True)} {unit}"
    return number_format(value, 0, force_grouping=True)


def _change(unit: str, now, before) -> dict | None:
    """The change against the previous period: in points for a rate, in percent otherwise."""
    if now in (None, kpis.SUPPRESSED) or before in (None, kpis.SUPPRESSED):
        return None
    now, before = Decimal(now), Decimal(before)
    if unit == "%":
        points = (now - before) * 100
        text = f"{number_format(points, 1)} pt"
        direction = "up" if points > 0 else "down" if points < 0 else "flat"
    elif before == 0:
        return None
    else:
        percent = (now - before) / before * 100
        text = f"{number_format(percent, 0)} %"
        direction = "up" if percent >= Decimal("0.5") else "down" if percent <= -1 else "flat"
    arrow = {"up": "▲ +", "down": "▼ ", "flat": "= "}[direction]
    return {"text": arrow + text.lstrip("+"), "direction": direction}


def _preparing() -> TaskRun | None:
    """The latest preparation of the figures, while it runs (`make run`'s demo history)."""
    run = TaskRun.objects.filter(name=DATA_PREPARATION).order_by("-created_at").first()
    return (
        run if run is not None and run.state not in (TaskState.SUCCESS, TaskState.FAILURE) else None
    )


def _context(request, *, printable: bool = False) -> dict:
    today = timezone.localdate()
    query = ScopeForm(request.GET, today=today)
    errors: dict[str, list[str]] = {}
    if not query.is_valid():
        errors = {field: [str(m) for m in messages] for field, messages in query.errors.items()}
        query = ScopeForm({}, today=today)
        query.is_valid()
    scope = query.scope()
    figures = kpis.kpis(scope)
    earlier = kpis.previous(scope)
    before = kpis.kpis(earlier) if kpis.comparable(scope, earlier) else None
    cards = [
        {
            "key": kpi.key,
            "label": kpi.label,
            "explanation": kpi.explanation,
            "value": _display(kpi.unit, figures[kpi.key]),
            "change": None
            if before is None
            else _change(kpi.unit, figures[kpi.key], before[kpi.key]),
        }
        for kpi in kpis.KPIS
    ]
    communes = kpis.by_commune(scope)
    for row in communes:
        row["display"] = {kpi.key: _display(kpi.unit, row[kpi.key]) for kpi in kpis.KPIS}
    funders = kpis.subsidy_by_funder(scope)
    context = {
        "scope": scope,
        "errors": errors,
        "query": request.GET.urlencode(),
        "cards": cards,
        "figures": figures,
        "communes": communes,
        "communes_choices": Commune.choices,
        "zones": Zone.objects.filter(kind=ZoneKind.QPV).order_by("commune", "name"),
        "funders": funders,
        "shares": {
            "local": figures["local_share"],
            "organic": figures["organic_share"],
            "organic_target": str(EGALIM_ORGANIC),
        },
        "counted_from": kpis.COUNTED_FROM,
        "preparing": _preparing(),
        "local_radius_km": settings.LOCAL_RADIUS_KM,
        "caisses": caisse_figures(start=scope.start, end=scope.end),
    }
    if not printable:  # the screen's weekly chart and map
        context["weekly"] = kpis.timeseries(scope, metric="kg_distributed", granularity="week")
        context["places"] = {
            **kpis.places(scope),
            "zones": [
                {"name": zone.name, "kind": zone.kind, "geometry": zone.geometry}
                for zone in Zone.objects.all()
            ],
        }
    else:  # on paper, months as CSS bars
        monthly: list[dict[str, Any]] = [
            {"month": date.fromisoformat(point["period"]), "value": Decimal(point["value"])}
            for point in kpis.timeseries(scope, metric="kg_distributed", granularity="month")
        ]
        context["monthly"] = monthly
        context["monthly_max"] = max((point["value"] for point in monthly), default=0) or 1
    return context


officials_and_coordinators = role_required(Role.OFFICIAL, Role.COORDINATOR)


@officials_and_coordinators
def dashboard_page(request):
    return render(request, "dashboards/page.html", _context(request))


@officials_and_coordinators
def dashboard_pdf(request):
    context = _context(request, printable=True)
    scope = context["scope"]
    return HttpResponse(
        pdf_from_template("dashboards/print.html", context),
        content_type="application/pdf",
        headers=file_headers(f"tableau-de-bord-{scope.start}-{scope.end}.pdf", inline=True),
    )
