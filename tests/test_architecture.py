"""The import rules that import-linter cannot state: no module imports itself back through
others (a circle), whatever the apps. The rules between apps are contracts in pyproject.toml."""

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
]


def circles(graph: grimp.ImportGraph) -> list[set[str]]:
    """The strongly connected groups of two or more modules (Tarjan), migrations left out."""
    modules = sorted(module for module in graph.modules if ".migrations" not in module)
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
            if ".migrations" in imported:
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


def test_the_finder_sees_a_circle():
    graph = grimp.ImportGraph()
    for module in ("a", "b", "c"):
        graph.add_module(module)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="a")
    graph.add_import(importer="b", imported="c")

    assert circles(graph) == [{"a", "b"}]


def test_no_module_imports_itself_back():
    graph = grimp.build_graph(*APPS, include_external_packages=False)

    assert circles(graph) == []
