"""The import layers of src/openaudit: data flows one way, and the known debt can only shrink.

Every ``import`` in every module is read with ``ast`` (imports inside functions included: they hide
cycles, they do not remove them). A module may import from its own layer and the layers below it.
The layers, lowest first (see CONTRIBUTING.md):

    base       errors, model, paths, textutil, yamlutil, lazyre, the package itself (no openaudit imports)
    evidence   what was read: evidence.py (files, citations), card.py (front matter), filekinds.py (what a file is),
               markdown.py (the card's document model)
    sources    sources/: the local directory and the Hugging Face Hub, producing evidence
    licenses   licenses/: identification, clauses, terms from the catalog
    standards  standards/ (OSAID, MOF, grade, EU AI Act) and safety.py
    engine     engine/ (facts, the closed operator set, YAML rules), context.py, policy.py
    pipeline   audit.py (composes the stages), lineage.py, batch.py
    report     report/: one renderer per format
    app        cli.py, commands/ (one module per command), __main__.py, scan.py, lock.py, diff.py, inventory.py

On top of the layers: no import cycle, and no import of another module's private (``_name``) objects.

``KNOWN_DEBT`` lists today's violations (issue 17). The tests fail when a new violation appears, and
also when a listed one is gone, so that its entry is deleted and cannot come back unnoticed.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PKG = SRC / "openaudit"

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("openaudit", "openaudit.errors", "openaudit.model", "openaudit.paths", "openaudit.textutil",
              "openaudit.yamlutil", "openaudit.lazyre", "openaudit._bundle")),
    ("evidence", ("openaudit.evidence", "openaudit.card", "openaudit.filekinds", "openaudit.markdown")),
    ("sources", ("openaudit.sources",)),
    ("licenses", ("openaudit.licenses",)),
    ("standards", ("openaudit.standards", "openaudit.safety")),
    ("engine", ("openaudit.engine", "openaudit.context", "openaudit.policy")),
    ("pipeline", ("openaudit.audit", "openaudit.lineage", "openaudit.batch")),
    ("report", ("openaudit.report",)),
    ("app", ("openaudit.cli", "openaudit.commands", "openaudit.__main__", "openaudit.scan", "openaudit.lock",
             "openaudit.diff", "openaudit.inventory")),
]

# Known debt, as (importer, imported) module pairs. Delete an entry when the import is gone; never add one.
KNOWN_DEBT_CYCLES: set[tuple[str, str]] = set()
KNOWN_DEBT_LAYERS: set[tuple[str, str]] = set()  # upward imports
KNOWN_DEBT_PRIVATE: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str) -> bool:
    rel = Path(*name.split("."))
    return (SRC / rel).with_suffix(".py").is_file() or (SRC / rel / "__init__.py").is_file()


def _imports() -> tuple[dict[str, set[str]], set[tuple[str, str]]]:
    """Module -> the openaudit modules it imports; and (module, imported private object) pairs."""
    graph: dict[str, set[str]] = defaultdict(set)
    private: set[tuple[str, str]] = set()
    for path in sorted(PKG.rglob("*.py")):
        mod = _module_name(path)
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        graph[mod]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "openaudit":
                        graph[mod].add(alias.name)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target.split(".")[0] != "openaudit":
                    continue
                graph[mod].add(target)
                for alias in node.names:
                    full = f"{target}.{alias.name}"
                    if _is_module(full):
                        graph[mod].add(full)
                    elif alias.name.startswith("_") and not alias.name.startswith("__") and target != mod:
                        private.add((mod, full))
        graph[mod].discard(mod)
    return graph, private


def _layer(mod: str) -> int:
    best, rank = -1, -1
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (mod == p or mod.startswith(p + ".")) and len(p) > best:
                best, rank = len(p), i
    return rank


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _without(graph: dict[str, set[str]], edges: set[tuple[str, str]]) -> dict[str, set[str]]:
    return {m: {d for d in deps if (m, d) not in edges} for m, deps in graph.items()}


def test_every_module_has_a_layer() -> None:
    graph, _ = _imports()
    assert len(graph) > 40  # the walk found the package
    assert [m for m in sorted(graph) if _layer(m) < 0] == []


def test_the_contributing_guide_names_existing_modules() -> None:
    """The layer table of CONTRIBUTING.md names modules that exist (``record`` stayed in it, and the guide told
    contributors to derive from ``openaudit.record.Record``, after the module was deleted)."""
    guide = (SRC.parent / "CONTRIBUTING.md").read_text(encoding="utf-8")
    table = guide.split("## The layers", 1)[1].split("\n\n| layer |", 1)[1].split("\n\n", 1)[0]
    cells = [row.split("|")[2] for row in table.splitlines()[2:]]  # | layer | modules | job |
    named = [name.strip().strip("`").rstrip("/") for cell in cells for name in cell.split(", ")]
    assert len(named) > 20
    missing = [n for n in named if not (PKG / f"{n}.py").is_file() and not (PKG / n / "__init__.py").is_file()]
    assert not missing, f"CONTRIBUTING.md names modules that do not exist: {missing}"
    assert "openaudit.record" not in guide


def test_no_upward_import() -> None:
    graph, _ = _imports()
    upward = {(m, d) for m, deps in graph.items() for d in deps if _layer(d) > _layer(m)}
    new = sorted(upward - KNOWN_DEBT_LAYERS)
    assert not new, "imports from a higher layer (see the layers in tests/test_layers.py): " + str(new)
    fixed = sorted(KNOWN_DEBT_LAYERS - upward)
    assert not fixed, f"fixed, delete from KNOWN_DEBT_LAYERS: {fixed}"


def test_no_import_cycle() -> None:
    graph, _ = _imports()
    left = _cycles(_without(graph, KNOWN_DEBT_CYCLES))
    assert not left, f"import cycles: {left}"
    in_cycle = {(m, d) for comp in _cycles(graph) for m in comp for d in graph[m] if d in comp}
    fixed = sorted(KNOWN_DEBT_CYCLES - in_cycle)
    assert not fixed, f"no longer part of a cycle, delete from KNOWN_DEBT_CYCLES: {fixed}"


def test_no_private_import_across_modules() -> None:
    _, private = _imports()
    new = sorted(private - KNOWN_DEBT_PRIVATE)
    assert not new, f"imports of another module's private names (make them public or move them): {new}"
    fixed = sorted(KNOWN_DEBT_PRIVATE - private)
    assert not fixed, f"fixed, delete from KNOWN_DEBT_PRIVATE: {fixed}"


def test_the_checks_can_fail() -> None:
    # The detectors themselves, on a made-up graph: an upward edge, a cycle.
    graph = {"openaudit.model": {"openaudit.cli"}, "openaudit.cli": {"openaudit.model"}}
    assert _layer("openaudit.model") < _layer("openaudit.cli")
    assert _cycles(graph) == [["openaudit.cli", "openaudit.model"]]
    assert _cycles(_without(graph, {("openaudit.model", "openaudit.cli")})) == []
    assert _layer("openaudit.licenses.catalog") == _layer("openaudit.licenses")
    assert _layer("openaudit.sources.hub") < _layer("openaudit.licenses.identify")
