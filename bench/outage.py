"""PostgreSQL stopped for a few seconds while 50 volunteers order (gunicorn, production settings).

    python bench/outage.py                 # 60 s of load, PostgreSQL down 5 s from the 20th
    python bench/outage.py --down 10

It stops and starts this machine's PostgreSQL cluster (pg_ctlcluster, `-m fast`: open
connections are cut, transactions in flight roll back): run it on a machine of your own, as
root or postgres, with nothing else using the server.

The volunteers of bench/load.py send a write again, as it was, when it got a 5xx or no
answer. A probe asks GET /api/v1/me/ every 0.2 s to see when service comes back. Then:
- every 5xx was a 503 carrying the contract's error body {"code","message"}, none a 500,
  and no request went unanswered (gunicorn kept answering);
- service came back by itself within 10 s of PostgreSQL accepting connections again;
- the database holds exactly what the answers acknowledged: nothing half-written, nothing
  lost, nothing doubled.
Ends with one line `outage: … PASS|FAIL`.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load

RECOVERY_TARGET_S = 10


def cluster(action: str) -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", version, "main", action, *(["-m", "fast"] * (action == "stop"))],
        check=True,
    )


class Probe(threading.Thread):
    """GET /api/v1/me/ every 0.2 s: (time, status) of each answer."""

    def __init__(self, base: str, token: str):
        super().__init__(daemon=True)
        self.base, self.token, self.answers, self.running = base, token, [], True

    def run(self):
        while self.running:
            request = urllib.request.Request(
                f"{self.base}/api/v1/me/", headers={"Authorization": f"Token {self.token}"}
            )
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = 0
            self.answers.append((time.monotonic(), status))
            time.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--down", type=float, default=5, help="seconds PostgreSQL stays down")
    parser.add_argument("--at", type=float, default=20, help="when it stops, seconds in")
    arguments = parser.parse_args()

    world = load.generate()
    scratch = Path(tempfile.mkdtemp(prefix="appro-outage-"))
    (scratch / "world.json").write_text(json.dumps(world))
    port = load.free_port()
    base = f"http://127.0.0.1:{port}"
    server = load.serve(port, scratch / "gunicorn.log")
    probe = Probe(base, world["volunteers"][-1]["token"])
    times = {}

    def outage():
        time.sleep(arguments.at)
        times["down"] = time.monotonic()
        cluster("stop")
        time.sleep(arguments.down)
        cluster("start")  # returns once the server accepts connections
        times["up"] = time.monotonic()

    probe.start()
    try:
        # No pause between requests (a rate no user reaches).
        volunteers = load.swarm(
            "Volunteer",
            [arguments.users],
            arguments.seconds,
            base,
            scratch,
            rate=1000,
            during=outage,
        )
    finally:
        probe.running = False
        if "up" not in times:
            cluster("start")
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    ledger = volunteers["ledger"]
    statuses = {int(code): count for code, count in ledger["statuses"].items()}
    unavailable = statuses.get(503, 0)
    other_errors = sum(
        count for code, count in statuses.items() if (code >= 500 and code != 503) or code == 0
    )
    bodies_off_contract = ledger["error_bodies"].get("other", 0)
    back = next((at for at, status in probe.answers if at >= times["up"] and status == 200), None)
    recovery_s = back - times["up"] if back is not None else float("inf")
    during = [status for at, status in probe.answers if times["down"] <= at < times["up"]]
    database = load.check_database(world["cycle"], ledger)

    print(f"\n{arguments.users} volunteers, no pause, {arguments.seconds} s; logs in {scratch}")
    print(f"status codes (volunteers): {dict(sorted(statuses.items()))}")
    print(f"probe while PostgreSQL was down: {sorted(set(during))} ({len(during)} answers)")
    print(load.database_summary(database))
    passed = (
        unavailable > 0  # the outage was seen, or this run proved nothing
        and other_errors == 0
        and bodies_off_contract == 0
        and recovery_s <= RECOVERY_TARGET_S
        and load.database_intact(database)
    )
    print(
        f"outage: PostgreSQL down {arguments.down:g} s under {arguments.users} users: "
        f"{unavailable} answers 503 ({bodies_off_contract} without the error body), "
        f"{other_errors} other 5xx or unanswered, service back {recovery_s:.1f} s after "
        f"PostgreSQL, {len(database['lost'])} lost, {len(database['duplicated'])} duplicated "
        f"(target: only 503 with the error body, back <= {RECOVERY_TARGET_S} s, 0 lost, "
        f"0 duplicated) {'PASS' if passed else 'FAIL'}"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
