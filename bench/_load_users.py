"""Locust users for bench/load.py: grocery volunteers, and the bare endpoint of the ceiling.

Not run on its own: bench/load.py starts locust with this file, the token file written by its
`generate` step (LOAD_WORLD) and where to write what the server acknowledged (LOAD_LEDGER).

A volunteer, in a loop with no pause: reads the open cycle's offers, changes its grocery's
grouped order, reads it back, places a household order for one of its households (sometimes
sending the same POST again, as a client does after a timeout, with the same Idempotency-Key),
and cancels one now and then. Every answer the server acknowledged is kept in the ledger, so
that bench/load.py can compare the database with it afterwards: no order lost, none doubled.
"""

import json
import os
import random
import uuid
from collections import Counter
from pathlib import Path

from locust import FastHttpUser, events, task

WORLD = json.loads(Path(os.environ["LOAD_WORLD"]).read_text())
STATUSES = Counter()
# order id -> {"lines": {offer: quantity}, "cancelled": bool} as last acknowledged.
ORDERS: dict[int, dict] = {}
REPLAYS = {"same": 0, "different": 0}
FREE_VOLUNTEERS = list(range(len(WORLD["volunteers"])))
random.shuffle(FREE_VOLUNTEERS)


def _lines(count: int, quantity_range: tuple[int, int]) -> list[dict]:
    offers = random.sample(WORLD["offers"], count)
    return [
        {"offer": offer["id"], "quantity": str(offer["pack"] * random.randint(*quantity_range))}
        for offer in offers
    ]


def _acknowledge(order: dict) -> None:
    ORDERS[order["id"]] = {
        "lines": {str(line["offer"]): line["quantity"] for line in order["lines"]},
        "cancelled": order["status"] == "cancelled",
    }


class Volunteer(FastHttpUser):
    """One volunteer of one grocery; the order path as the grocery's tablet would use it."""

    def on_start(self):
        volunteer = WORLD["volunteers"][FREE_VOLUNTEERS.pop()]
        self.headers = {"Authorization": f"Token {volunteer['token']}"}
        self.grocery = volunteer["grocery"]
        self.waiting_households = list(volunteer["households"])
        self.household_orders: list[int] = []
        self.grouped_order = None

    def _send(self, method, path, name, expected=(200,), body=None, headers=None):
        with self.client.request(
            method,
            path,
            name=name,
            headers={**self.headers, **(headers or {})},
            json=body,
            catch_response=True,
        ) as response:
            STATUSES[response.status_code] += 1
            if response.status_code not in expected:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return None
            response.success()
            return response.json() if response.text else {}

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
        if self.grouped_order is None:
            order = self._send(
                "POST",
                "/api/v1/orders/",
                "POST /orders/ (grouped)",
                expected=(201,),
                body={"cycle": WORLD["cycle"], "grocery": self.grocery, "lines": _lines(5, (1, 6))},
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
            if order:
                self.grouped_order = order["id"]
                _acknowledge(order)
            return
        order = self._send(
            "PATCH",
            f"/api/v1/orders/{self.grouped_order}/",
            "PATCH /orders/{id}/",
            body={"lines": _lines(random.randint(3, 12), (1, 10))},
        )
        if order:
            _acknowledge(order)

    @task(2)
    def read_grouped_order(self):
        if self.grouped_order is not None:
            self._send("GET", f"/api/v1/orders/{self.grouped_order}/", "GET /orders/{id}/")

    @task(2)
    def household_order(self):
        if not self.waiting_households:
            return
        household = self.waiting_households.pop()
        body = {"cycle": WORLD["cycle"], "household": household, "lines": _lines(2, (1, 2))}
        key = {"Idempotency-Key": str(uuid.uuid4())}
        order = self._send(
            "POST", "/api/v1/orders/", "POST /orders/ (household)", (201,), body, key
        )
        if order is None:
            self.waiting_households.insert(0, household)
            return
        _acknowledge(order)
        self.household_orders.append(order["id"])
        if random.random() < 0.3:
            replay = self._send(
                "POST", "/api/v1/orders/", "POST /orders/ (same key again)", (201,), body, key
            )
            if replay is not None:
                REPLAYS["same" if replay["id"] == order["id"] else "different"] += 1

    @task(1)
    def cancel_household_order(self):
        if not self.household_orders:
            return
        order_id = self.household_orders.pop(random.randrange(len(self.household_orders)))
        answer = self._send("DELETE", f"/api/v1/orders/{order_id}/", "DELETE /orders/{id}/", (204,))
        if answer is not None:
            ORDERS[order_id]["cancelled"] = True
        else:
            self.household_orders.append(order_id)


class Ceiling(FastHttpUser):
    """The bare authenticated JSON endpoint: what the same stack serves when there is no work."""

    def on_start(self):
        volunteer = WORLD["volunteers"][FREE_VOLUNTEERS.pop()]
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
            {"statuses": dict(STATUSES), "orders": ORDERS, "replays": REPLAYS}, ledger, indent=1
        )
