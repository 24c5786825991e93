"""A 5 000-product DFC catalogue imported, on PostgreSQL (DESIGN.md §13, issue #24).

    python bench/dfc_import.py

The catalogue is our own DFC export of a producer with 5 000 products (about 5 MB of JSON-LD,
15 000 nodes), read into another producer's empty catalogue:
- the dry run (read the document, compare with the catalogue), median of 3;
- the import applied (the same, then 5 000 products written), median of 3, each into a new
  producer;
- the peak memory of a process that does only the applied import.
The baseline, measured in the same run: rdflib parsing the same document into a graph, the
floor of reading JSON-LD with a real library.

Targets (issue #24): the import within 10 s, the dry run within 5 s, memory within 300 MB.
"""

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, fresh_database, setup_django, timed, use_database

DATABASE = "appro_dfc_bench"
SIZE = 5000
RUNS = 3
TARGETS = {"import_s": 10.0, "dry_run_s": 5.0, "memory_mb": 300.0}
DOCUMENT = Path("/tmp/appro_dfc_bench.json")
CATEGORIES = ["legumes", "fruits", "laitier", "viande", "epicerie", "boissons", "oeufs"]


def _producer(name: str):
    from producers.services import producer_create

    return producer_create(
        name=name, commune="Lille", latitude=Decimal("50.63"), longitude=Decimal("3.06")
    )


def prepare() -> None:
    """The source producer's 5 000 products, exported once as a DFC document."""
    fresh_database()
    from producers.dfc import catalogue_document
    from producers.models import Product

    source = _producer("Ferme source")
    Product.objects.bulk_create(
        Product(
            producer=source,
            name=f"Produit {number} de la ferme",
            category=CATEGORIES[number % len(CATEGORIES)],
            unit=["kg", "piece", "litre"][number % 3],
            unit_weight_kg=Decimal("1"),
            pack_size=Decimal([1, 6, 2][number % 3]),
            unit_price_ht=Decimal(100 + number % 900) / 100,
            vat_rate=Decimal("0.055"),
        )
        for number in range(SIZE)
    )
    document = catalogue_document(producer=source, base_url="https://appro.example")
    DOCUMENT.write_text(json.dumps(document))


def _import(dry_run: bool) -> dict:
    from producers import dfc, imports

    items, refused = dfc.document_items(DOCUMENT.read_bytes())
    return imports.catalogue_import(
        producer=_producer("Ferme cible"), items=items, refused=refused, dry_run=dry_run
    )


def memory_step() -> None:
    """Only the applied import, in this process: its peak resident memory."""
    use_database(DATABASE)
    setup_django()
    result = _import(dry_run=False)
    assert len(result["new"]) == SIZE, result["refused"][:3]
    # VmHWM, not ru_maxrss: the latter keeps the RSS of the parent this process forked from.
    status = Path("/proc/self/status").read_text()
    peak_mb = (
        int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1])
        / 1024
    )
    print(json.dumps({"memory_mb": round(peak_mb, 1)}))


def main() -> None:
    use_database(DATABASE)
    prepare()
    from rdflib import Graph

    from producers import dfc

    size_mb = DOCUMENT.stat().st_size / 2**20
    content = DOCUMENT.read_bytes()
    parse_s, _runs = timed(lambda: dfc.document_graph(content), RUNS)
    graph = dfc.document_graph(content)
    assert isinstance(graph, Graph)
    dry = _import(dry_run=True)
    assert len(dry["new"]) == SIZE and not dry["refused"], dry["refused"][:3]
    dry_s, dry_runs = timed(lambda: _import(dry_run=True), RUNS)
    import_s, import_runs = timed(lambda: _import(dry_run=False), RUNS)
    output = subprocess.run(
        [sys.executable, __file__, "memory"],
        env={**os.environ},
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    ).stdout
    memory_mb = json.loads(output.strip().splitlines()[-1])["memory_mb"]

    print(f"document: {SIZE} products, {size_mb:.1f} MB, {len(graph)} triples")
    print(f"baseline, rdflib parsing the document: median {parse_s:.2f} s")
    print(
        f"dry run: median {dry_s:.2f} s ({dry_s / parse_s:.2f}× the parse), "
        f"runs {', '.join(f'{run:.2f}' for run in dry_runs)}"
    )
    print(
        f"import applied: median {import_s:.2f} s ({import_s / parse_s:.2f}× the parse), "
        f"runs {', '.join(f'{run:.2f}' for run in import_runs)}"
    )
    print(f"peak memory of the applied import's process: {memory_mb:.0f} MB")
    verdicts = {
        "import_s": import_s <= TARGETS["import_s"],
        "dry_run_s": dry_s <= TARGETS["dry_run_s"],
        "memory_mb": memory_mb <= TARGETS["memory_mb"],
    }
    verdict = {True: "PASS", False: "FAIL"}
    print(f"dfc_import dry run: {dry_s:.2f} s (target 5 s) {verdict[verdicts['dry_run_s']]}")
    print(f"dfc_import memory: {memory_mb:.0f} MB (target 300 MB) {verdict[verdicts['memory_mb']]}")
    print(f"dfc_import: {import_s:.2f} s (target 10 s) {verdict[all(verdicts.values())]}")


if __name__ == "__main__":
    if sys.argv[1:] == ["memory"]:
        memory_step()
    else:
        main()
