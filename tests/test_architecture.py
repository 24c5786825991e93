"""The import rules that import-linter cannot state: no module imports itself back through
others (a circle), whatever the apps. The rules between apps are contracts in pyproject.toml;
tools/import_graph.py prints the whole graph."""

import grimp

from tools.import_graph import build, circles


def test_the_finder_sees_a_circle():
    graph = grimp.ImportGraph()
    for module in ("a", "b", "c", "d"):
        graph.add_module(module)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="a")
    graph.add_import(importer="b", imported="c")
    graph.add_import(importer="d", imported="c")

    assert circles(graph) == [{"a", "b"}]


def test_no_module_imports_itself_back():
    assert circles(build()) == []
