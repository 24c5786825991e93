"""The platform's own code imports only what requirements.txt installs: `make run` and
production install that file alone (a type-only import of django-stubs-ext once broke
`make run` on a fresh clone)."""

import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import grimp

from tools.import_graph import APPS

ROOT = Path(__file__).resolve().parent.parent


def _pinned(path: Path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==", line.strip())
        if match:
            names.add(re.sub(r"[-_.]+", "-", match.group(1)).lower())
    return names


def test_runtime_code_imports_only_runtime_requirements():
    graph = grimp.build_graph(*APPS, include_external_packages=True)
    external = {
        imported.split(".")[0]
        for module in graph.modules
        if module.split(".")[0] in APPS and ".migrations" not in module
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.split(".")[0] not in APPS
    }
    distributions = packages_distributions()
    runtime = _pinned(ROOT / "requirements.txt")

    missing = {
        package: names
        for package in external - set(sys.stdlib_module_names)
        if not (
            names := {
                re.sub(r"[-_.]+", "-", name).lower() for name in distributions.get(package, [])
            }
        )
        & runtime
    }

    assert missing == {}
