"""The one door to the vehicle-routing solver (PyVRP).

The rest of the platform speaks in stops, vans, metres, seconds and grams; this module turns
that into a PyVRP model, solves it, and answers in the same terms. Changing solver means
changing this file only.

What the platform needs beyond plain capacitated VRP with time windows:
- a stop heavier than the biggest van is split into several visits at the same place;
- a stop that needs refrigeration is only visited by a refrigerated van (a second distance
  profile makes the others' way to it longer than they may drive);
- when no plan can serve everyone, the answer names the stops and the reason.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pyvrp import Model
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import MaxRuntime

# Distance given to a van that may not go to a stop; its max_distance is just below it.
FORBIDDEN_DISTANCE = 10**9


@dataclass(frozen=True)
class Stop:
    """A place to visit. Index 0 of the matrices is the hub; stop i is matrix row i + 1."""

    name: str
    load_g: int  # grams to pick up (collection) or drop off (delivery)
    service_s: int  # time spent at the stop
    opens_s: int = 0  # earliest arrival, seconds after the day's origin
    closes_s: int = 24 * 3600  # latest arrival
    refrigerated: bool = False  # only a refrigerated van may serve it
    key: object = None  # the caller's own reference, handed back untouched


@dataclass(frozen=True)
class Van:
    name: str
    capacity_g: int
    refrigerated: bool = False
    cost_per_km: float = 1.0  # weighs distance in the objective
    count: int = 1
    max_trips: int = 1  # > 1: the van may come back to the hub to reload, then leave again
    key: object = None


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
    for index, stop in enumerate(stops):
        eligible = [van.capacity_g for van in vans if van.refrigerated or not stop.refrigerated]
        biggest = max(eligible, default=0)
        if biggest <= 0 or stop.load_g <= biggest:
            split.append(stop)
            origins.append(index)
            continue
        parts = -(-stop.load_g // biggest)
        base, extra = divmod(stop.load_g, parts)
        for part in range(parts):
            split.append(
                Stop(
                    name=f"{stop.name} ({part + 1}/{parts})",
                    load_g=base + (1 if part < extra else 0),
                    service_s=stop.service_s,
                    opens_s=stop.opens_s,
                    closes_s=stop.closes_s,
                    refrigerated=stop.refrigerated,
                    key=stop.key,
                )
            )
            origins.append(index)
    return split, origins


def check(problem: Problem) -> list[str]:
    """What makes the problem infeasible before any search, in the users' words."""
    problems = []
    has_cold_van = any(van.refrigerated for van in problem.vans)
    for index, stop in enumerate(problem.stops, start=1):
        if stop.refrigerated and not has_cold_van:
            problems.append(
                _("%(place)s: cold goods, and no refrigerated van is available")
                % {"place": stop.name}
            )
        going = int(problem.duration_s[0, index])
        earliest = max(problem.hub_opens_s + going, stop.opens_s)
        if earliest > stop.closes_s:
            problems.append(
                _(
                    "%(place)s: cannot be reached within its hours (earliest arrival %(arrival)s, closing %(closing)s)"  # noqa: E501 (one msgid)
                )
                % {
                    "place": stop.name,
                    "arrival": _clock(earliest),
                    "closing": _clock(stop.closes_s),
                }
            )
        back = earliest + stop.service_s + int(problem.duration_s[index, 0])
        if back > problem.hub_closes_s:
            problems.append(
                _("%(place)s: no way back to the hub before it closes (%(closing)s)")
                % {"place": stop.name, "closing": _clock(problem.hub_closes_s)}
            )
        if stop.opens_s > stop.closes_s:
            problems.append(_("%(place)s: its hours do not make sense") % {"place": stop.name})
    if not problem.vans or all(van.count <= 0 for van in problem.vans):
        problems.append(_("no van is available"))
    return problems


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}h{seconds % 3600 // 60:02d}"


def solve(problem: Problem, *, time_limit_s: float = 5.0, seed: int = 0) -> Plan:
    """Plan rounds serving every stop, or raise Infeasible with the reasons."""
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
        result = model.solve(stop=MaxRuntime(time_limit_s), seed=seed, display=False)
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
        load = {"pickup": [stop.load_g]} if problem.pickup else {"delivery": [stop.load_g]}
        clients.append(
            model.add_client(
                location,
                service_duration=stop.service_s,
                tw_early=stop.opens_s,
                tw_late=stop.closes_s,
                name=stop.name,
                **load,  # type: ignore[arg-type]
            )
        )
    cold_only = [index for index, stop in enumerate(problem.stops, start=1) if stop.refrigerated]
    profiles = {False: model.add_profile(name="standard")}
    if cold_only:
        profiles[True] = model.add_profile(name="refrigerated")
    for van in problem.vans:
        if van.count <= 0:
            continue
        refrigerated = van.refrigerated and bool(cold_only)
        model.add_vehicle_type(
            num_available=van.count,
            capacity=[van.capacity_g],
            start_depot=depot,
            end_depot=depot,
            tw_early=problem.hub_opens_s,
            tw_late=problem.hub_closes_s,
            # Distances are metres: a cost in hundredths of a cent per metre keeps integers.
            unit_distance_cost=max(1, round(van.cost_per_km * 100)),
            profile=profiles[refrigerated],
            reload_depots=[depot] if van.max_trips > 1 else [],
            max_reloads=max(0, van.max_trips - 1),
            max_distance=FORBIDDEN_DISTANCE - 1
            if cold_only and not refrigerated
            else np.iinfo(np.int64).max,
            name=van.name,
        )
    size = len(locations)
    for profile_is_cold, profile in profiles.items():
        for origin in range(size):
            for target in range(size):
                distance = int(problem.distance_m[origin, target])
                if origin == target:
                    distance = 0
                elif not profile_is_cold and cold_only and target in cold_only:
                    distance = FORBIDDEN_DISTANCE
                model.add_edge(
                    locations[origin],
                    locations[target],
                    distance=distance,
                    duration=0 if origin == target else int(problem.duration_s[origin, target]),
                    profile=profile,
                )
    return model, clients


def _plan(problem: Problem, solution, clients) -> Plan:
    vans = [van for van in problem.vans if van.count > 0]
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
        if route.has_excess_load():
            reasons.append(_("too heavy for one van: %(places)s") % {"places": ", ".join(names)})
        if route.has_time_warp():
            reasons.append(
                _("hours that cannot all be kept: %(places)s") % {"places": ", ".join(names)}
            )
        if route.has_excess_distance():
            reasons.append(
                _("cold goods with no refrigerated van free: %(places)s")
                % {"places": ", ".join(names)}
            )
    return reasons
