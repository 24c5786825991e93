"""The one door to the vehicle-routing solver (PyVRP).

The rest of the platform speaks in stops, vans, metres, seconds and grams; this module turns
that into PyVRP's problem data, solves it, and answers in the same terms. Changing solver
means changing this file only.

What the platform needs beyond plain capacitated VRP with time windows:
- two loads: all the goods, and the cold ones, which only a van's cold capacity carries
  (none in a van without a cold room); a stop with both is two visits at the same place, so
  its dry goods may ride in any van;
- each van's hours, the longest shift of its driver, several trips with a reload at the hub
  between them (each trip within the van's capacities), and its real cost as the objective:
  kilometres at its €/km, the driver's hours (waiting included) at the hourly cost, and a
  fixed cost when the van is used at all;
- a delivery that may only leave the hub once its goods are there (`Stop.release_s`);
- a stop heavier than the biggest van is split into several visits at the same place;
- never all or nothing: every stop is optional with a prize worth more than any round, so
  the plan serves everything that fits, and each stop left out is named with its cause.

Costs are integers for PyVRP: one unit is a thousandth of a cent (COST_UNITS_PER_EURO).
"""

import logging
import os
import pickle
import select
import signal
import time
import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pyvrp
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import MaxRuntime, MultipleCriteria, NoImprovement

COST_UNITS_PER_EURO = 100_000
# solve() takes at most this times its time limit (unless PyVRP gets stuck: see
# _search_bounded).
SEARCH_OVERRUN = 1.25
# A search still running at this many times its time limit, plus the margin, is stuck.
STUCK_FACTOR, STUCK_MARGIN_S = 3, 5.0
DAY_S = 24 * 3600
UNLIMITED = np.iinfo(np.int64).max

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stop:
    """A place to visit, at row `row` of the matrices (row 0 is the hub; None: the stop's
    own index + 1, one row per stop)."""

    name: str
    load_g: int  # grams to pick up (collection) or drop off (delivery), cold ones included
    service_s: int  # time spent at the stop
    opens_s: int = 0  # earliest arrival, seconds after the day's origin
    closes_s: int = DAY_S  # latest arrival (the place's closing, less the service time)
    cold_g: int = 0  # of load_g, the grams that must stay cold
    key: object = None  # the caller's own reference, handed back untouched
    row: int | None = None
    pickup: bool | None = None  # None: the problem's
    release_s: int = 0  # a trip carrying it leaves the hub at this time at the earliest

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
    distance_m: np.ndarray  # hub first, then the places (see Stop.row)
    duration_s: np.ndarray
    stops: list[Stop]
    vans: list[Van]
    pickup: bool = False  # collection rounds pick up; delivery rounds drop off
    hub_opens_s: int = 0
    hub_closes_s: int = DAY_S

    def row(self, index: int) -> int:
        stop = self.stops[index]
        return index + 1 if stop.row is None else stop.row

    def picks_up(self, stop: Stop) -> bool:
        return self.pickup if stop.pickup is None else stop.pickup


@dataclass
class Visit:
    stop: Stop
    arrival_s: int  # when the work at the place starts (after any wait for its opening)
    load_g: int
    departure_s: int = 0
    trip: int = 1  # the van's trips are numbered from 1


@dataclass
class Trip:
    number: int
    departure_s: int
    return_s: int
    load_g: int
    cold_g: int


@dataclass
class Round:
    van: Van
    visits: list[Visit]
    distance_m: int
    duration_s: int
    start_s: int
    end_s: int
    trips: list[Trip] = field(default_factory=list)

    @property
    def load_g(self) -> int:
        return sum(visit.load_g for visit in self.visits)


@dataclass
class Unserved:
    stop: Stop
    reason: str


@dataclass
class Plan:
    rounds: list[Round]
    feasible: bool
    cost: int
    unserved: list[Unserved] = field(default_factory=list)  # stops left out, and why
    checks: list[str] = field(default_factory=list)  # what the fleet is short of

    @property
    def problems(self) -> list[str]:
        return [f"{left.stop.name} : {left.reason}" for left in self.unserved]


def split_stops(stops: list[Stop], vans: list[Van]) -> list[Stop]:
    """Each stop as the visits a van can make: its cold and dry goods apart (dry goods may ride
    in any van), and each part heavier than the biggest van in equal visits. The time at the
    place is shared by the parts, as its goods are: counted once."""
    biggest = max((van.capacity_g for van in vans), default=0)
    biggest_cold = max((van.cold_g for van in vans), default=0)
    split = []
    for index, stop in enumerate(stops):
        row = index + 1 if stop.row is None else stop.row
        stop = replace(stop, row=row)
        kinds = [(stop.cold_g, True), (stop.load_g - stop.cold_g, False)]
        kinds = [kind for kind in kinds if kind[0] > 0] or [(stop.load_g, stop.refrigerated)]
        services = _shares_by(stop.service_s, [load for load, _cold in kinds])
        for (load, cold), service in zip(kinds, services, strict=True):
            limit = biggest_cold if cold else biggest
            parts = -(-load // limit) if limit > 0 and load > limit else 1
            loads, part_services = _shares(load, parts), _shares(service, parts)
            for part in range(parts):
                suffix = [_("cold") if cold else _("dry")] if len(kinds) > 1 else []
                if parts > 1:
                    suffix.append(f"{part + 1}/{parts}")
                split.append(
                    replace(
                        stop,
                        name=f"{stop.name} ({' '.join(suffix)})" if suffix else stop.name,
                        load_g=loads[part],
                        cold_g=loads[part] if cold else 0,
                        service_s=part_services[part],
                    )
                )
    return split


def _shares(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if part < extra else 0) for part in range(parts)]


def _shares_by(total: int, weights: list[int]) -> list[int]:
    """`total` shared in proportion to `weights`, adding up exactly (largest remainder)."""
    whole = sum(weights)
    if not whole:
        return _shares(total, len(weights))
    exact = [total * weight / whole for weight in weights]
    shares = [int(share) for share in exact]
    by_remainder = sorted(range(len(weights)), key=lambda index: shares[index] - exact[index])
    for index in by_remainder[: total - sum(shares)]:
        shares[index] += 1
    return shares


def stop_problems(problem: Problem, index: int) -> list[str]:
    """Why this stop cannot be served whatever the others, in the users' words."""
    stop, row = problem.stops[index], problem.row(index)
    vans = _vans(problem)
    problems = []
    if stop.refrigerated and not any(van.cold_g > 0 for van in vans):
        problems.append(_("cold goods, and no refrigerated van is available"))
    going = int(problem.duration_s[0, row])
    departure = max(_first_departure(problem), stop.release_s)
    earliest = max(departure + going, stop.opens_s)
    if stop.opens_s > stop.closes_s:
        problems.append(_("its hours do not make sense"))
    elif earliest > stop.closes_s:
        problems.append(
            _(
                "cannot be reached within its hours (earliest arrival %(arrival)s, closing %(closing)s)"  # noqa: E501 (one msgid)
            )
            % {
                "arrival": _clock(earliest),
                # closes_s is the latest arrival: the place closes once its goods are done.
                "closing": _clock(stop.closes_s + stop.service_s),
            }
        )
    back = earliest + stop.service_s + int(problem.duration_s[row, 0])
    if back > _last_return(problem):
        problems.append(
            _("no way back to the hub by %(closing)s") % {"closing": _clock(_last_return(problem))}
        )
    there_and_back = going + stop.service_s + int(problem.duration_s[row, 0])
    longest = _longest_shift(problem)
    if there_and_back > longest:
        problems.append(
            _(
                "going there and back takes %(needed)s, longer than any driver's shift "
                "(%(longest)s at most)"
            )
            % {"needed": _hours(there_and_back), "longest": _hours(longest)}
        )
    return problems


def fleet_checks(problem: Problem) -> list[str]:
    """What the fleet is short of for the whole day, before any search."""
    vans = _vans(problem)
    if not vans:
        return [_("no van is available")]
    checks = []
    trips = max(van.max_trips for van in vans)
    cold_needed, cold_capacity, needed, capacity = _day_loads(problem)
    if cold_needed > cold_capacity * trips:
        checks.append(
            ngettext(
                "%(needed)s kg of cold goods for %(capacity)s kg of cold capacity × %(trips)s trip",
                "%(needed)s kg of cold goods for %(capacity)s kg of cold capacity × %(trips)s trips",  # noqa: E501 (one msgid)
                trips,
            )
            % {
                "needed": _kilograms(cold_needed),
                "capacity": _kilograms(cold_capacity),
                "trips": trips,
            }
        )
    if needed > capacity * trips:
        checks.append(
            ngettext(
                "%(needed)s kg of goods for %(capacity)s kg of capacity × %(trips)s trip",
                "%(needed)s kg of goods for %(capacity)s kg of capacity × %(trips)s trips",
                trips,
            )
            % {"needed": _kilograms(needed), "capacity": _kilograms(capacity), "trips": trips}
        )
    return checks


def _day_loads(problem: Problem) -> tuple[int, int, int, int]:
    """The day's cold grams and the vans' cold capacity per trip, then the same for all goods."""
    vans = _vans(problem)
    return (
        sum(stop.cold_g for stop in problem.stops),
        sum(van.cold_g * van.count for van in vans),
        sum(stop.load_g for stop in problem.stops),
        sum(van.capacity_g * van.count for van in vans),
    )


def _kilograms(grams: int) -> str:
    return f"{round(grams / 1000):,}".replace(",", "\u202f")


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
    """Plan rounds serving every stop that fits; the plan names the others and why.

    With `patience`, the search also stops after that many iterations without a better plan
    (a small cycle is solved long before its time limit); benchmarks leave it out."""
    expanded = replace(problem, stops=split_stops(problem.stops, problem.vans))
    unserved: list[Unserved] = []
    servable: list[Stop] = []
    for index, stop in enumerate(expanded.stops):
        reasons = stop_problems(expanded, index)
        if reasons:
            unserved.append(Unserved(stop, "; ".join(reasons)))
        else:
            servable.append(stop)
    checks = fleet_checks(expanded)
    if not servable or not _vans(expanded):
        return Plan(rounds=[], feasible=False, cost=0, unserved=unserved, checks=checks)
    expanded = replace(expanded, stops=servable)
    # Every stop required first: PyVRP's search is at its best there, and a day that fits is
    # the usual case. Only when it does not, the stops become optional (PyVRP then opens new
    # trips less readily: a second search, not the only one).
    # The second search has what is left of the time limit, and a quarter of it at least:
    # at most 1.25 times the limit in all (SEARCH_OVERRUN).
    started = time.perf_counter()
    best = _searched(expanded, time_limit_s, patience, seed, optional=False)
    if best is None or not best.is_feasible():
        left_s = max(time_limit_s - (time.perf_counter() - started), time_limit_s / 4)
        best = _searched(expanded, left_s, patience, seed, optional=True)
    if best is None:
        reason = _("The route calculation did not finish; plan again, or with fewer trips.")
        return Plan(
            rounds=[],
            feasible=False,
            cost=0,
            unserved=unserved + [Unserved(stop, reason) for stop in expanded.stops],
            checks=checks,
        )
    rounds, left_out = _rounds(expanded, best)
    unserved += _causes(expanded, left_out)
    cost = sum(
        round(
            COST_UNITS_PER_EURO
            * round_.van.cost(distance_m=round_.distance_m, duration_s=round_.duration_s)
        )
        for round_ in rounds
    )
    return Plan(rounds=rounds, feasible=not unserved, cost=cost, unserved=unserved, checks=checks)


def _searched(
    problem: Problem, time_limit_s: float, patience: int | None, seed: int, *, optional: bool
) -> pyvrp.Solution | None:
    """The best solution of one search, or None when it did not finish. A search stuck in
    PyVRP's local search is tried again with one trip per van (see `_search_bounded`)."""
    best = _search_bounded(problem_data(problem, optional=optional), time_limit_s, patience, seed)
    if best is None and any(van.max_trips > 1 for van in problem.vans):
        logger.warning("PyVRP's search did not finish; searching again with one trip per van")
        single = replace(problem, vans=[replace(van, max_trips=1) for van in problem.vans])
        best = _search_bounded(
            problem_data(single, optional=optional), time_limit_s, patience, seed
        )
    return best


def _search_bounded(
    data: pyvrp.ProblemData, time_limit_s: float, patience: int | None, seed: int
) -> pyvrp.Solution | None:
    """`_search` in a child process, killed when it runs far past its time limit.

    PyVRP's stopping criteria are read between iterations, and on some days its local search
    never returns from one: release times, client windows, reloads and a shift duration
    together (PyVRP 0.14.1; tests/logistics/test_solver.py has such a day). A thread cannot
    stop native code, so the search runs in a forked child (os.fork, not multiprocessing:
    Celery's pool processes are daemons, which may not start multiprocessing children) and
    hands its best solution back through a pipe."""
    deadline = time.monotonic() + time_limit_s * STUCK_FACTOR + STUCK_MARGIN_S
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: search, write, and leave without running the parent's exits
        status = 1
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as pipe:
                pickle.dump(_search(data, time_limit_s, patience, seed).best, pipe)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    chunks = []
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        while True:
            ready, _w, _x = select.select([pipe], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return None
            chunk = pipe.read(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    _pid, status = os.waitpid(pid, 0)
    if status != 0 or not chunks:
        raise RuntimeError("the routing search failed in its process")
    return pickle.loads(b"".join(chunks))  # our own child's answer


def _search(
    data: pyvrp.ProblemData, time_limit_s: float, patience: int | None, seed: int
) -> pyvrp.Result:
    criteria: list = [MaxRuntime(time_limit_s)]
    if patience:
        criteria.append(NoImprovement(patience))
    with warnings.catch_warnings():
        # PyVRP warns when its penalties saturate on an infeasible instance; we explain it.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        return pyvrp.solve(
            data, stop=MultipleCriteria(criteria), seed=seed, collect_stats=False, display=False
        )


def problem_data(problem: Problem, *, optional: bool = False) -> pyvrp.ProblemData:
    """PyVRP's problem from the matrices as they are: no per-edge Python loop. With
    `optional`, a stop may be left out, at a prize worth more than any van's day."""
    distance = np.array(problem.distance_m, dtype=np.int64)
    duration = np.array(problem.duration_s, dtype=np.int64)
    np.fill_diagonal(distance, 0)
    np.fill_diagonal(duration, 0)
    vans = _vans(problem)
    worst_km = max(van.cost_per_km for van in vans)
    worst_hour = max(van.hourly_cost for van in vans)
    day = worst_km * distance.max(initial=0) / 1000 * 2 + worst_hour * 24
    prize = round((day + max(van.fixed_cost for van in vans) + 100) * COST_UNITS_PER_EURO)
    clients = []
    for index, stop in enumerate(problem.stops):
        load = [stop.load_g, stop.cold_g]
        clients.append(
            pyvrp.Client(
                problem.row(index),
                service_duration=stop.service_s,
                tw_early=stop.opens_s,
                tw_late=stop.closes_s,
                release_time=stop.release_s,
                prize=prize if optional else 0,
                required=not optional,
                name=stop.name,
                **({"pickup": load} if problem.picks_up(stop) else {"delivery": load}),  # type: ignore[arg-type]
            )
        )
    vehicle_types = []
    for van in vans:
        opens, closes = _window(problem, van)
        vehicle_types.append(
            pyvrp.VehicleType(
                num_available=van.count,
                capacity=[van.capacity_g, van.cold_g],
                tw_early=opens,
                tw_late=closes,
                shift_duration=van.max_shift_s or UNLIMITED,
                # The objective is the round's cost in euros (Van.cost), in integer units; a
                # van free per km still prefers the shorter way (a thousandth of a cent a metre).
                unit_distance_cost=max(1, round(van.cost_per_km * COST_UNITS_PER_EURO / 1000)),
                unit_duration_cost=round(van.hourly_cost * COST_UNITS_PER_EURO / 3600),
                fixed_cost=round(van.fixed_cost * COST_UNITS_PER_EURO),
                reload_depots=[0] if van.max_trips > 1 else [],
                max_reloads=max(0, van.max_trips - 1),
                name=van.name,
            )
        )
    return pyvrp.ProblemData(
        locations=[pyvrp.Location(0, 0) for _row in range(len(distance))],
        clients=clients,
        depots=[pyvrp.Depot(0, tw_early=problem.hub_opens_s, tw_late=problem.hub_closes_s)],
        vehicle_types=vehicle_types,
        distance_matrices=[distance],  # type: ignore[list-item]
        duration_matrices=[duration],  # type: ignore[list-item]
    )


def _rounds(problem: Problem, solution) -> tuple[list[Round], list[Stop]]:
    """The solution's feasible routes as rounds, and the stops it leaves out (a route that
    breaks a constraint is not a round a driver can drive: its stops are left out too)."""
    vans = _vans(problem)
    rounds: list[Round] = []
    served: set[int] = set()
    for route in solution.routes():
        if not route.is_feasible():
            continue
        rounds.append(_round(problem, vans[route.vehicle_type()], route))
        served.update(id(visit.stop) for visit in rounds[-1].visits)
    return rounds, [stop for stop in problem.stops if id(stop) not in served]


def _round(problem: Problem, van: Van, route) -> Round:
    visits, departures, returns = [], {}, {}
    previous_row = 0
    for activity in route.schedule():
        trip = int(activity.trip) + 1
        if activity.is_depot():
            returns[trip - 1] = int(activity.start_time)
            previous_row = 0
            continue
        stop = problem.stops[activity.idx]
        row = stop.row or 0
        if trip not in departures:
            arrived = int(activity.start_time) - int(activity.wait_duration)
            departures[trip] = arrived - int(problem.duration_s[previous_row, row])
        previous_row = row
        visits.append(
            Visit(
                stop,
                arrival_s=int(activity.start_time),
                load_g=stop.load_g,
                departure_s=int(activity.end_time),
                trip=trip,
            )
        )
    trips = [
        Trip(
            number=number,
            departure_s=departures[number],
            return_s=returns[number],
            load_g=sum(visit.load_g for visit in visits if visit.trip == number),
            cold_g=sum(visit.stop.cold_g for visit in visits if visit.trip == number),
        )
        for number in sorted(departures)
    ]
    return Round(
        van=van,
        visits=visits,
        distance_m=int(route.distance()),
        duration_s=int(route.duration()),
        start_s=int(route.start_time()),
        end_s=int(route.end_time()),
        trips=trips,
    )


def _causes(problem: Problem, left_out: list[Stop]) -> list[Unserved]:
    """Why the solver left these stops out: the fleet's shortfall that concerns each (the
    figures of fleet_checks, summed once), else time."""
    if not left_out:
        return []
    trips = max(van.max_trips for van in _vans(problem))
    cold_needed, cold_capacity, needed, capacity = _day_loads(problem)
    cold_short, short = cold_needed > cold_capacity * trips, needed > capacity * trips
    time_short = _(
        "no van has the time left to reach it within its hours and the drivers' shifts, "
        "with the day's other stops"
    )
    causes = []
    for stop in left_out:
        if stop.cold_g and cold_short:
            cause = _("not enough cold capacity for the day's cold goods")
        elif short:
            cause = _("not enough capacity for the day's weight")
        else:
            cause = time_short
        causes.append(Unserved(stop, cause))
    return causes
