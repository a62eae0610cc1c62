"""The code's shape, held as docs/architecture.md draws it: features in layers that import
one way, modules cut before they grow long, and routes that answer forms one way."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "network"
LONGEST_MODULE = 450
# Shared by every feature, and importing none: one layer.
INFRASTRUCTURE = {"core", "extensions", "config"}


def modules() -> dict[str, Path]:
    return {".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
            .removesuffix(".__init__"): path for path in sorted(PACKAGE.rglob("*.py"))}


def under_type_checking(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of the package one module imports, wherever in it (a function's own
    imports too), but for those only type checkers read."""
    tree = ast.parse(path.read_text())
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = set()
    for node in ast.walk(tree):
        if under_type_checking(node, parents):
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {module for module in found if module in known and module != name}


def import_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports_of(name, path, set(found)) for name, path in found.items()}


def package_of(module: str) -> str | None:
    """The feature (or layer) a module belongs to; None for the top: create_app, the CLI and
    the demo, which gather every feature."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in {"cli", "demo"}:
        return None
    return "core" if parts[1] in INFRASTRUCTURE else parts[1]


def test_no_two_packages_import_each_other():
    reaches = defaultdict(set)
    for module, imported in import_graph().items():
        for other in imported:
            if None not in (package_of(module), package_of(other)) and \
                    package_of(module) != package_of(other):
                reaches[package_of(module)].add(package_of(other))
    both_ways = sorted({tuple(sorted((a, b))) for a in reaches for b in reaches[a]
                        if a in reaches.get(b, ())})
    assert both_ways == []
    assert reaches["core"] == set(), "core imports no feature"


def test_no_module_imports_itself_back_through_others():
    graph = import_graph()
    state: dict[str, str] = {}
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for other in sorted(graph[module]):
            if state.get(other) == "open":
                cycles.append(path[path.index(other):] + [other])
            elif other not in state:
                visit(other, [*path, other])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    # A package's own __init__ is imported with each of its modules: not a loop of the code.
    cycles = [cycle for cycle in cycles if not any(
        name == "network" or other.startswith(name + ".")
        for name, other in zip(cycle, cycle[1:], strict=False))]
    assert cycles == []


def test_no_module_is_longer_than_the_limit():
    long = {name: lines for name, path in modules().items()
            if (lines := len(path.read_text().splitlines())) > LONGEST_MODULE}
    assert long == {}


def test_every_package_has_an_init():
    assert [str(folder.relative_to(PACKAGE)) for folder in PACKAGE.rglob("*")
            if folder.is_dir() and "__pycache__" not in folder.parts
            and any(folder.glob("*.py")) and not (folder / "__init__.py").exists()] == []


def route_modules() -> list[Path]:
    return [path for path in PACKAGE.rglob("*.py") if "@bp." in path.read_text()]


@pytest.mark.parametrize("habit", [
    "db.session.commit(", "db.session.rollback(", "request.htmx", "request.form",
    "submit_once(", "save_versioned(", "form_status(",
])
def test_routes_answer_forms_one_way(habit):
    """core.submit commits, rolls back and chooses the status; core.htmx answers htmx; a form
    field reads every input."""
    assert [str(path.relative_to(PACKAGE)) for path in route_modules()
            if habit in path.read_text()] == []
