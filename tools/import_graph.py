"""The import graph of the platform's apps, as folders and the arrows between them, and any
circle of modules importing each other (grimp, the library behind import-linter).

    .venv/bin/python tools/import_graph.py            # folders and arrows
    .venv/bin/python tools/import_graph.py --modules  # and every module's imports of other apps
"""

import sys
from collections import defaultdict
from pathlib import Path

import grimp

APPS = [
    "config",
    "core",
    "demo",
    "home",
    "producers",
    "orders",
    "supply",
    "logistics",
    "accounting",
    "dashboards",
    "notifications",
    "ssa",
]


def build(root: Path | None = None) -> grimp.ImportGraph:
    """The graph of the apps found in `root` (the current folder by default)."""
    root = (root or Path.cwd()).resolve()
    sys.path.insert(0, str(root))
    present = [app for app in APPS if (root / app).is_dir()]
    return grimp.build_graph(*present, include_external_packages=False)


def _counted(module: str) -> bool:
    return ".migrations" not in module


def circles(graph: grimp.ImportGraph) -> list[set[str]]:
    """The strongly connected groups of two or more modules (Tarjan), migrations left out."""
    modules = sorted(module for module in graph.modules if _counted(module))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if not _counted(imported):
                continue
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(group)

    for module in modules:
        if module not in index:
            visit(module)
    return found


def arrows(graph: grimp.ImportGraph) -> dict[str, dict[str, int]]:
    """Folder -> folder it imports -> how many module-to-module imports make the arrow."""
    counted: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for module in graph.modules:
        if not _counted(module):
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            source, target = module.split(".")[0], imported.split(".")[0]
            if source != target and _counted(imported):
                counted[source][target] += 1
    return counted


def main() -> None:
    graph = build()
    folders = arrows(graph)
    for source in sorted(folders):
        targets = ", ".join(
            f"{target} ({count})" for target, count in sorted(folders[source].items())
        )
        print(f"{source} -> {targets}")
    print(
        f"{sum(len(targets) for targets in folders.values())} arrows between {len(folders)} folders"
    )
    found = circles(graph)
    print(f"{len(found)} circles of modules" + "".join(f"\n  {sorted(group)}" for group in found))


if __name__ == "__main__":
    main()
