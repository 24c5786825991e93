"""Hostile input against the served OpenAPI schema, as every role (schemathesis).

Usage: .venv/bin/python tools/fuzz_api.py [--examples N] [--keep]

Builds a scratch SQLite database with the demo data, serves it with Django on a free port,
takes a token for one demo login of each role (and runs once without one), then lets
schemathesis generate requests from /api/v1/schema/ for every operation: examples, edge
cases of every field (coverage) and random ones (fuzzing). The checks are the ones the
contract cares about: no 5xx, and every answer matches its documented schema. Exits non-zero
on any failure and prints one summary line per role.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "Solidaire-Demo-2026"
LOGINS = {
    "coordinator": "coordination",
    "grocery_volunteer": "benevole.fives",
    "producer": "producteur.wavrin",
    "ccas_staff": "ccas.lille",
    "official": "elu.lille",
    "anonymous": None,
}
# No 5xx; every answer as documented (body, status code, content type); and what the schema
# says is invalid is refused (schemathesis' negative cases must not get a 2xx).
CHECKS = (
    "not_a_server_error,response_schema_conformance,status_code_conformance,"
    "content_type_conformance,negative_data_rejection"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def token(base: str, username: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token/",
        data=json.dumps({"username": username, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)["token"]


def wait_for(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/v1/schema/", timeout=5)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer on {base}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=15, help="fuzzed cases per operation")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--roles", default=",".join(LOGINS), help="comma-separated roles")
    arguments = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="appro-fuzz-"))
    config = scratch / "schemathesis.toml"
    # Without a token, schemathesis would try to sign up through the API (there is no such
    # route: accounts are made by the coordinator) and stop with an internal error.
    config.write_text("[auth]\nauto-signup = false\n")
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{scratch / 'fuzz.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # The token endpoint's throttle would answer 429 to the fuzzer's own logins.
        "TOKEN_THROTTLE_RATE": "100000/min",
    }
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=environment, check=True)
    subprocess.run([*manage, "seed_demo"], env=environment, check=True, stdout=subprocess.DEVNULL)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(scratch / "server.log", "w") as output:
        server = subprocess.Popen(
            [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    summaries, failed = [], False
    try:
        wait_for(base)
        for role in arguments.roles.split(","):
            username = LOGINS[role]
            headers = ["-H", f"Authorization: Token {token(base, username)}"] if username else []
            command = [
                str(Path(PYTHON).parent / "schemathesis"),
                "--config-file",
                str(config),
                "--no-color",
                "run",
                f"{base}/api/v1/schema/",
                *headers,
                "--checks",
                CHECKS,
                "--phases",
                "examples,coverage,fuzzing",
                "--max-examples",
                str(arguments.examples),
                "--workers",
                "1",
                "--seed",
                "2026",
            ]
            print(f"== {role} ({username or 'no token'})", flush=True)
            # In the scratch directory: schemathesis keeps a cache of its findings where it runs.
            run = subprocess.run(command, capture_output=True, text=True, cwd=scratch)
            output = run.stdout + run.stderr
            (scratch / f"{role}.log").write_text(output)
            cases = re.findall(r"Test cases:\s*(.*)", output)
            print(output if run.returncode else "\n".join(output.splitlines()[-25:]))
            summaries.append(f"{role}: exit {run.returncode}; {'; '.join(cases) or 'no summary'}")
            failed = failed or run.returncode != 0
    finally:
        server.terminate()
        server.wait(timeout=10)
        if not arguments.keep:
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            print(f"logs and database kept in {scratch}")
    print("\n".join(summaries))
    print(f"fuzz_api: {'FAIL' if failed else 'PASS'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
