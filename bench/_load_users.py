"""Locust users for bench/load.py: grocery volunteers, and the bare endpoint.

Not run on its own: bench/load.py starts locust with this file, the token file written by its
`generate` step (LOAD_WORLD), where to write what the server acknowledged (LOAD_LEDGER), each
user's pace (LOAD_RATE, requests per second) and the steps of users (LOAD_STEPS).

A volunteer, at a fixed pace: reads the open cycle's offers, changes its grocery's grouped
order, reads it back, places a household order for one of its households (sometimes sending
the same POST again, as a client does after a timeout, with the same Idempotency-Key), and
cancels one now and then (the household may then order again). Every answer the server
acknowledged is kept in the ledger, so that bench/load.py can compare the database with it
afterwards: no order lost, none doubled; and every request's end time and duration, so that
it can tell each step's throughput and p95.

The arrival rate is stepped up by adding users at a fixed pace each (StepShape), not by
removing pauses: the server's capacity is the highest rate it keeps up with, p95 within
bounds. A step whose p95 passes LOAD_STOP_P95_MS ends the run.
"""

import json
import os
import random
import statistics
import time
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path

from locust import FastHttpUser, LoadTestShape, constant_throughput, events, task

WORLD = json.loads(Path(os.environ["LOAD_WORLD"]).read_text())
STATUSES = Counter()
# order id -> {"lines": {offer: quantity}, "cancelled": bool} as last acknowledged.
ORDERS: dict[int, dict] = {}
REPLAYS = {"same": 0, "different": 0}
# 5xx and unanswered requests: with the contract's error body {"code","message"} or not.
ERROR_BODIES = Counter()
# Writes still waiting to be sent again, by user: none should be left when the run ends.
PENDING: dict[int, tuple] = {}
FREE_VOLUNTEERS = list(range(len(WORLD["volunteers"])))
random.shuffle(FREE_VOLUNTEERS)
# (end time, duration in ms, status) of every request, for each step's figures.
SAMPLES: list[tuple[float, float, int]] = []
RATE = float(os.environ.get("LOAD_RATE", "2"))
STEPS = json.loads(os.environ.get("LOAD_STEPS", "[10]"))
STEP_SECONDS = float(os.environ.get("LOAD_STEP_SECONDS", "20"))
WARM_UP_SECONDS = 5  # as bench/load.py
STOP_P95_MS = float(os.environ.get("LOAD_STOP_P95_MS", "250"))
STEP_STARTS: list[float] = []


def _lines(count: int, quantity_range: tuple[int, int]) -> list[dict]:
    offers = random.sample(WORLD["offers"], count)
    return [
        {
            "offer": offer["id"],
            "quantity": str(Decimal(offer["pack"]) * random.randint(*quantity_range)),
        }
        for offer in offers
    ]


def _is_error_body(response) -> bool:
    try:
        body = response.json()
    except (TypeError, ValueError):  # HTML, empty, cut short
        return False
    return isinstance(body, dict) and {"code", "message"} <= set(body)


def _acknowledge(order: dict) -> None:
    ORDERS[order["id"]] = {
        "lines": {str(line["offer"]): line["quantity"] for line in order["lines"]},
        "cancelled": order["status"] == "cancelled",
    }


@events.request.add_listener
def _sample(request_type, name, response_time, response_length, response=None, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    SAMPLES.append((time.time(), response_time, status))


class StepShape(LoadTestShape):
    """LOAD_STEPS users, LOAD_STEP_SECONDS each; stops after the first step whose p95
    (after its warm-up) passes LOAD_STOP_P95_MS, or after the last."""

    def tick(self):
        elapsed = self.get_run_time()
        step = int(elapsed // STEP_SECONDS)
        if len(STEP_STARTS) < step + 1 and step < len(STEPS):
            if step and self._last_step_too_slow(step - 1):
                return None
            STEP_STARTS.append(time.time())
        if step >= len(STEPS):
            return None
        return STEPS[step], min(STEPS[step], 100)

    def _last_step_too_slow(self, step: int) -> bool:
        since = STEP_STARTS[step] + WARM_UP_SECONDS
        durations = [duration for end, duration, _ in SAMPLES if end >= since]
        return len(durations) > 1 and statistics.quantiles(durations, n=20)[-1] > STOP_P95_MS


class Volunteer(FastHttpUser):
    """One volunteer of one grocery; the order path as the grocery's tablet would use it,
    LOAD_RATE requests a second.

    A write that got no answer, or a 5xx, is sent again as it was (same body, same
    Idempotency-Key) before anything else, as a careful client does: the server may have
    committed it before the answer was lost.
    """

    wait_time = constant_throughput(RATE)

    def on_start(self):
        volunteer = WORLD["volunteers"][FREE_VOLUNTEERS.pop()]
        self.headers = {"Authorization": f"Token {volunteer['token']}"}
        self.grocery = volunteer["grocery"]
        self.waiting_households = list(volunteer["households"])
        self.household_orders: list[tuple[int, int]] = []  # (order, household)
        self.grouped_order = None
        self.pending = None  # the write to send again, with what to do once it is answered

    def _send(self, method, path, name, expected=(200,), body=None, headers=None):
        """The answer's JSON when its status is expected; None otherwise (kept as failure)."""
        with self.client.request(
            method,
            path,
            name=name,
            headers={**self.headers, **(headers or {})},
            json=body,
            catch_response=True,
        ) as response:
            STATUSES[response.status_code] += 1
            self.last_status = response.status_code
            if response.status_code >= 500 or response.status_code == 0:
                ERROR_BODIES["contract" if _is_error_body(response) else "other"] += 1
            if response.status_code not in expected:
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")
                return None
            response.success()
            return response.json() if response.text else {}

    def _write(self, method, path, name, expected, body, headers, then):
        answer = self._send(method, path, name, expected, body, headers)
        if answer is None and self.last_status not in (0, *range(500, 600)):
            return  # refused (4xx): sending it again would be refused again
        if answer is None:
            self.pending = (method, path, name, expected, body, headers, then)
            PENDING[id(self)] = (method, path)
        else:
            self.pending = None
            PENDING.pop(id(self), None)
            then(answer)

    def _retry_pending(self) -> bool:
        if self.pending is None:
            return False
        self._write(*self.pending)
        return True

    @task(3)
    def read_offers(self):
        page = random.randint(1, 2)
        self._send(
            "GET",
            f"/api/v1/offers/?cycle={WORLD['cycle']}&page={page}&page_size=50",
            "GET /offers/?cycle=",
        )

    @task(4)
    def change_grouped_order(self):
        if self._retry_pending():
            return
        if self.grouped_order is None:

            def created(order):
                self.grouped_order = order["id"]
                _acknowledge(order)

            body = {"cycle": WORLD["cycle"], "grocery": self.grocery, "lines": _lines(5, (1, 6))}
            key = {"Idempotency-Key": str(uuid.uuid4())}
            self._write(
                "POST", "/api/v1/orders/", "POST /orders/ (grouped)", (201,), body, key, created
            )
            return
        body = {"lines": _lines(random.randint(3, 12), (1, 10))}
        path = f"/api/v1/orders/{self.grouped_order}/"
        self._write("PATCH", path, "PATCH /orders/{id}/", (200,), body, None, _acknowledge)

    @task(2)
    def read_grouped_order(self):
        if self.grouped_order is not None:
            self._send("GET", f"/api/v1/orders/{self.grouped_order}/", "GET /orders/{id}/")

    @task(2)
    def household_order(self):
        if self._retry_pending() or not self.waiting_households:
            return
        household = self.waiting_households.pop()
        body = {"cycle": WORLD["cycle"], "household": household, "lines": _lines(2, (1, 2))}
        key = {"Idempotency-Key": str(uuid.uuid4())}

        def created(order):
            _acknowledge(order)
            self.household_orders.append((order["id"], household))
            if random.random() < 0.3:  # the same POST again, as after a lost answer
                replay = self._send(
                    "POST", "/api/v1/orders/", "POST /orders/ (same key again)", (201,), body, key
                )
                if replay is not None:
                    REPLAYS["same" if replay["id"] == order["id"] else "different"] += 1

        self._write(
            "POST", "/api/v1/orders/", "POST /orders/ (household)", (201,), body, key, created
        )

    @task(1)
    def cancel_household_order(self):
        if self._retry_pending() or not self.household_orders:
            return
        index = random.randrange(len(self.household_orders))
        order_id, household = self.household_orders.pop(index)

        def cancelled(answer):
            # 409 order_cancelled: an earlier attempt was committed, its answer lost.
            ORDERS[order_id]["cancelled"] = True
            self.waiting_households.insert(0, household)  # it may order again

        path = f"/api/v1/orders/{order_id}/"
        self._write("DELETE", path, "DELETE /orders/{id}/", (200, 409), None, None, cancelled)


class Bare(FastHttpUser):
    """The bare authenticated JSON endpoint: what the same stack serves when there is no work,
    LOAD_RATE requests a second. Users share the volunteers' tokens (they change nothing)."""

    wait_time = constant_throughput(RATE)

    def on_start(self):
        volunteer = random.choice(WORLD["volunteers"])
        self.headers = {"Authorization": f"Token {volunteer['token']}"}

    @task
    def me(self):
        with self.client.get(
            "/api/v1/me/", name="GET /me/", headers=self.headers, catch_response=True
        ) as response:
            STATUSES[response.status_code] += 1
            if response.status_code != 200:
                response.failure(str(response.status_code))


@events.quitting.add_listener
def _write_ledger(environment, **kwargs):
    with open(os.environ["LOAD_LEDGER"], "w") as ledger:
        json.dump(
            {
                "statuses": dict(STATUSES),
                "orders": ORDERS,
                "replays": REPLAYS,
                "error_bodies": dict(ERROR_BODIES),
                "unanswered_at_the_end": [list(write) for write in PENDING.values()],
                "samples": SAMPLES,
                "step_starts": STEP_STARTS,
            },
            ledger,
            indent=1,
        )
