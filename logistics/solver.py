"""The one door to the vehicle-routing solver (PyVRP).

The rest of the platform speaks in stops, vans, metres, seconds and grams; this module turns
that into a PyVRP model, solves it, and answers in the same terms. Changing solver means
changing this file only.

What the platform needs beyond plain capacitated VRP with time windows:
- two loads: all the goods, and the cold ones, which only a van's cold capacity carries
  (none in a van without a cold room);
- each van's hours, the longest shift of its driver, and its real cost as the objective:
  kilometres at its €/km, the driver's hours (waiting included) at the hourly cost, and a
  fixed cost when the van is used at all;
- a stop heavier than the biggest van is split into several visits at the same place;
- when no plan can serve everyone, the answer names the stops and the reason.

Costs are integers for PyVRP: one unit is a thousandth of a cent (COST_UNITS_PER_EURO).
"""

import warnings
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pyvrp import Model
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import MaxRuntime, MultipleCriteria, NoImprovement

COST_UNITS_PER_EURO = 100_000
DAY_S = 24 * 3600


@dataclass(frozen=True)
class Stop:
    """A place to visit. Index 0 of the matrices is the hub; stop i is matrix row i + 1."""

    name: str
    load_g: int  # grams to pick up (collection) or drop off (delivery), cold ones included
    service_s: int  # time spent at the stop
    opens_s: int = 0  # earliest arrival, seconds after the day's origin
    closes_s: int = DAY_S  # latest arrival (the place's closing, less the service time)
    cold_g: int = 0  # of load_g, the grams that must stay cold
    key: object = None  # the caller's own reference, handed back untouched

    @property
    def refrigerated(self) -> bool:
        return self.cold_g > 0


@dataclass(frozen=True)
class Van:
    name: str
    capacity_g: int
    refrigerated: bool = False
    cost_per_km: float = 1.0
    count: int = 1
    max_trips: int = 1  # > 1: the van may come back to the hub to reload, then leave again
    key: object = None
    cold_capacity_g: int | None = None  # None: all of capacity_g if refrigerated, else none
    hourly_cost: float = 0.0  # the driver's time, waiting included
    fixed_cost: float = 0.0  # when the van is used at all
    opens_s: int = 0  # when it may leave the hub at the earliest
    closes_s: int = DAY_S  # when it must be back at the latest
    max_shift_s: int | None = None  # the longest day of its driver, hub to hub

    @property
    def cold_g(self) -> int:
        if self.cold_capacity_g is not None:
            return self.cold_capacity_g
        return self.capacity_g if self.refrigerated else 0

    def cost(self, *, distance_m: int, duration_s: int, used: bool = True) -> float:
        """What a round costs in euros: the objective's formula, the figure shown."""
        return (
            distance_m / 1000 * self.cost_per_km
            + duration_s / 3600 * self.hourly_cost
            + (self.fixed_cost if used else 0.0)
        )


@dataclass(frozen=True)
class Problem:
    distance_m: np.ndarray  # (n + 1) × (n + 1), hub first
    duration_s: np.ndarray
    stops: list[Stop]
    vans: list[Van]
    pickup: bool = False  # collection rounds pick up; delivery rounds drop off
    hub_opens_s: int = 0
    hub_closes_s: int = 24 * 3600


@dataclass
class Visit:
    stop: Stop
    arrival_s: int
    load_g: int


@dataclass
class Round:
    van: Van
    visits: list[Visit]
    distance_m: int
    duration_s: int
    start_s: int
    end_s: int

    @property
    def load_g(self) -> int:
        return sum(visit.load_g for visit in self.visits)


@dataclass
class Plan:
    rounds: list[Round]
    feasible: bool
    cost: int
    problems: list[str] = field(default_factory=list)  # why stops cannot be served


class Infeasible(Exception):
    """No plan can serve these stops; `problems` says which and why."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def split_heavy_stops(stops: list[Stop], vans: list[Van]) -> tuple[list[Stop], list[int]]:
    """Split every stop heavier than the van that may carry it into equal visits.

    Answers the stops and, for each, the index of the original stop (its matrix row).
    """
    split, origins = [], []
    biggest = max((van.capacity_g for van in vans), default=0)
    biggest_cold = max((van.cold_g for van in vans), default=0)
    for index, stop in enumerate(stops):
        parts = 1
        if biggest > 0 and stop.load_g > biggest:
            parts = -(-stop.load_g // biggest)
        if biggest_cold > 0 and stop.cold_g > biggest_cold:
            parts = max(parts, -(-stop.cold_g // biggest_cold))
        if parts == 1:
            split.append(stop)
            origins.append(index)
            continue
        loads, colds = _shares(stop.load_g, parts), _shares(stop.cold_g, parts)
        # The time at the place is shared by the parts, as its goods are: counted once.
        services = _shares(stop.service_s, parts)
        for part in range(parts):
            split.append(
                Stop(
                    name=f"{stop.name} ({part + 1}/{parts})",
                    load_g=loads[part],
                    service_s=services[part],
                    opens_s=stop.opens_s,
                    closes_s=stop.closes_s,
                    cold_g=colds[part],
                    key=stop.key,
                )
            )
            origins.append(index)
    return split, origins


def _shares(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if part < extra else 0) for part in range(parts)]


def check(problem: Problem) -> list[str]:
    """What makes the problem infeasible before any search, in the users' words."""
    problems = []
    has_cold_van = any(van.cold_g > 0 for van in _vans(problem))
    departure, last_return = _first_departure(problem), _last_return(problem)
    longest = _longest_shift(problem)
    for index, stop in enumerate(problem.stops, start=1):
        if stop.refrigerated and not has_cold_van:
            problems.append(
                _("%(place)s: cold goods, and no refrigerated van is available")
                % {"place": stop.name}
            )
        going = int(problem.duration_s[0, index])
        earliest = max(departure + going, stop.opens_s)
        if earliest > stop.closes_s:
            problems.append(
                _(
                    "%(place)s: cannot be reached within its hours (earliest arrival %(arrival)s, closing %(closing)s)"  # noqa: E501 (one msgid)
                )
                % {
                    "place": stop.name,
                    "arrival": _clock(earliest),
                    # closes_s is the latest arrival: the place closes once its goods are done.
                    "closing": _clock(stop.closes_s + stop.service_s),
                }
            )
        back = earliest + stop.service_s + int(problem.duration_s[index, 0])
        if back > last_return:
            problems.append(
                _("%(place)s: no way back to the hub before it closes (%(closing)s)")
                % {"place": stop.name, "closing": _clock(last_return)}
            )
        there_and_back = going + stop.service_s + int(problem.duration_s[index, 0])
        if there_and_back > longest:
            problems.append(
                _(
                    "%(place)s: going there and back takes %(needed)s, longer than any "
                    "driver's shift (%(longest)s at most)"
                )
                % {
                    "place": stop.name,
                    "needed": _hours(there_and_back),
                    "longest": _hours(longest),
                }
            )
        if stop.opens_s > stop.closes_s:
            problems.append(_("%(place)s: its hours do not make sense") % {"place": stop.name})
    if not problem.vans or all(van.count <= 0 for van in problem.vans):
        problems.append(_("no van is available"))
    return problems


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}h{seconds % 3600 // 60:02d}"


def _hours(seconds: int) -> str:
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d}"


def _vans(problem: Problem) -> list[Van]:
    return [van for van in problem.vans if van.count > 0]


def _window(problem: Problem, van: Van) -> tuple[int, int]:
    """When the van may be out: its own hours within the hub's."""
    return max(problem.hub_opens_s, van.opens_s), min(problem.hub_closes_s, van.closes_s)


def _first_departure(problem: Problem) -> int:
    return min((_window(problem, van)[0] for van in _vans(problem)), default=problem.hub_opens_s)


def _last_return(problem: Problem) -> int:
    return max((_window(problem, van)[1] for van in _vans(problem)), default=problem.hub_closes_s)


def _longest_shift(problem: Problem) -> int:
    return max(
        (
            min(van.max_shift_s or DAY_S, _window(problem, van)[1] - _window(problem, van)[0])
            for van in _vans(problem)
        ),
        default=DAY_S,
    )


def solve(
    problem: Problem,
    *,
    time_limit_s: float = 5.0,
    seed: int = 0,
    patience: int | None = None,
) -> Plan:
    """Plan rounds serving every stop, or raise Infeasible with the reasons.

    With `patience`, the search also stops after that many iterations without a better plan
    (a small cycle is solved long before its time limit); benchmarks leave it out."""
    stops, origins = split_heavy_stops(problem.stops, problem.vans)
    rows = [0, *[origin + 1 for origin in origins]]
    distance = problem.distance_m[np.ix_(rows, rows)]
    duration = problem.duration_s[np.ix_(rows, rows)]
    expanded = Problem(
        distance,
        duration,
        stops,
        problem.vans,
        problem.pickup,
        problem.hub_opens_s,
        problem.hub_closes_s,
    )
    problems = check(expanded)
    if problems:
        raise Infeasible(problems)
    model, clients = _model(expanded)
    with warnings.catch_warnings():
        # PyVRP warns when its penalties saturate on an infeasible instance; we explain it.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        criteria: list = [MaxRuntime(time_limit_s)]
        if patience:
            criteria.append(NoImprovement(patience))
        result = model.solve(stop=MultipleCriteria(criteria), seed=seed, display=False)
    solution = result.best
    plan = _plan(expanded, solution, clients)
    if not result.is_feasible():
        raise Infeasible(_explain(expanded, solution) or [_("no round meets every constraint")])
    plan.cost = int(result.cost())
    return plan


def _model(problem: Problem):
    model = Model()
    locations = [model.add_location(x=0, y=0, name="hub")]
    depot = model.add_depot(
        locations[0], tw_early=problem.hub_opens_s, tw_late=problem.hub_closes_s, name="hub"
    )
    clients = []
    for stop in problem.stops:
        location = model.add_location(x=0, y=0, name=stop.name)
        locations.append(location)
        load = [stop.load_g, stop.cold_g]
        clients.append(
            model.add_client(
                location,
                service_duration=stop.service_s,
                tw_early=stop.opens_s,
                tw_late=stop.closes_s,
                name=stop.name,
                **({"pickup": load} if problem.pickup else {"delivery": load}),  # type: ignore[arg-type]
            )
        )
    for van in _vans(problem):
        opens, closes = _window(problem, van)
        model.add_vehicle_type(
            num_available=van.count,
            capacity=[van.capacity_g, van.cold_g],
            start_depot=depot,
            end_depot=depot,
            tw_early=opens,
            tw_late=closes,
            shift_duration=van.max_shift_s if van.max_shift_s else np.iinfo(np.int64).max,
            # The objective is the round's cost in euros (Van.cost), in integer units; a van
            # free per km still prefers the shorter way (a thousandth of a cent per metre).
            unit_distance_cost=max(1, round(van.cost_per_km * COST_UNITS_PER_EURO / 1000)),
            unit_duration_cost=round(van.hourly_cost * COST_UNITS_PER_EURO / 3600),
            fixed_cost=round(van.fixed_cost * COST_UNITS_PER_EURO),
            reload_depots=[depot] if van.max_trips > 1 else [],
            max_reloads=max(0, van.max_trips - 1),
            name=van.name,
        )
    size = len(locations)
    for origin in range(size):
        for target in range(size):
            same = origin == target
            model.add_edge(
                locations[origin],
                locations[target],
                distance=0 if same else int(problem.distance_m[origin, target]),
                duration=0 if same else int(problem.duration_s[origin, target]),
            )
    return model, clients


def _plan(problem: Problem, solution, clients) -> Plan:
    vans = _vans(problem)
    rounds = []
    for route in solution.routes():
        van = vans[route.vehicle_type()]
        visits = []
        for activity in route.schedule():
            if not activity.is_client():  # the hub at both ends
                continue
            stop = problem.stops[activity.idx]
            visits.append(Visit(stop, int(activity.start_time), stop.load_g))
        rounds.append(
            Round(
                van=van,
                visits=visits,
                distance_m=int(route.distance()),
                duration_s=int(route.duration()),
                start_s=int(route.start_time()),
                end_s=int(route.end_time()),
            )
        )
    return Plan(rounds=rounds, feasible=solution.is_feasible(), cost=0)


def _explain(problem: Problem, solution) -> list[str]:
    reasons = []
    if solution.num_missing_clients():
        count = solution.num_missing_clients()
        reasons.append(
            ngettext("%(count)d stop without a round", "%(count)d stops without a round", count)
            % {"count": count}
        )
    for route in solution.routes():
        names = [
            problem.stops[activity.idx].name
            for activity in route.schedule()
            if activity.is_client()
        ]
        excess = list(route.excess_load())
        if excess[0] > 0:
            reasons.append(_("too heavy for one van: %(places)s") % {"places": ", ".join(names)})
        if len(excess) > 1 and excess[1] > 0:
            reasons.append(
                _("cold goods with no refrigerated van free: %(places)s")
                % {"places": ", ".join(names)}
            )
        if route.has_time_warp():
            reasons.append(
                _("hours or a driver's shift that cannot all be kept: %(places)s")
                % {"places": ", ".join(names)}
            )
    return reasons
