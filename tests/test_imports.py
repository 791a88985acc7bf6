"""Imports go one way (STYLE.md): blueprints and jobs use workflows, which uses models;
workflows never imports Flask. Checked on the source of every module of the project's
packages, without importing any of them."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "models", "workflows", "jobs", "blueprints", "web")
WEB_SIDE = ("flask", "werkzeug", "blueprints", "jobs", "web")


def _modules() -> dict[str, Path]:
    found = {"app": ROOT / "app.py"}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


@dataclass(frozen=True)
class Import:
    importer: str
    target: str  # absolute: "flask_login", "workflows.engine"
    line: int
    at_import_time: bool  # False inside a function: it runs when the function is called


def _absolute(importer: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = importer.split(".")
    if MODULES[importer].name != "__init__.py":
        package = package[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join(package + ([node.module] if node.module else []))


class _Collector(ast.NodeVisitor):
    def __init__(self, importer: str) -> None:
        self.importer = importer
        self.depth = 0  # functions we are in
        self.found: list[Import] = []

    def _function(self, node) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def _add(self, target: str, node) -> None:
        self.found.append(Import(self.importer, target, node.lineno, self.depth == 0))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = _absolute(self.importer, node)
        if base == "__future__":
            return
        for alias in node.names:
            # `from . import views` names a module; `from .engine import fire` names a name.
            submodule = f"{base}.{alias.name}" if base else alias.name
            self._add(submodule if submodule in MODULES else base, node)


def imports_of(module: str) -> list[Import]:
    path = MODULES[module]
    collector = _Collector(module)
    collector.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return collector.found


ALL_IMPORTS = [i for module in MODULES for i in imports_of(module)]


def _project_module(target: str) -> str | None:
    """The project's module an import names (its innermost package when it names a
    function or class of it), or None for the standard library and third parties."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for i in ALL_IMPORTS:
        target = _project_module(i.target)
        if i.at_import_time and target and target != i.importer:
            graph[i.importer].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    cycles = []
    for group in groups:
        start = min(group)
        path, seen = [start], {start}
        while True:  # walk inside the group until we are back at a module already walked
            nxt = min(w for w in graph[path[-1]] if w in group)
            if nxt in seen:
                cycles.append(path[path.index(nxt) :] + [nxt])
                break
            path.append(nxt)
            seen.add(nxt)
    return cycles


def _root(target: str) -> str:
    return target.split(".")[0]


def _is_web_side(target: str) -> bool:
    root = _root(target)
    return root in WEB_SIDE or root.startswith("flask_")


def test_the_parser_sees_the_imports():
    """Not vacuous: known imports are found, at import time or inside a function."""
    graph = _graph()
    assert "models" in graph["workflows.engine.single"]
    assert "workflows.engine" in graph["workflows.definitions"]
    assert any(_root(i.target) == "flask" for i in imports_of("app"))
    assert len(MODULES) > 50


def test_no_import_cycle_among_the_projects_modules():
    cycles = [" → ".join(cycle) for cycle in _cycles(_graph())]
    assert cycles == [], "import cycles:\n" + "\n".join(cycles)


@pytest.mark.parametrize("package", ["workflows", "models"])
def test_the_domain_never_imports_the_web_side(package):
    found = [
        f"{i.importer}:{i.line} imports {i.target}"
        for i in ALL_IMPORTS
        if _root(i.importer) == package and _is_web_side(i.target)
    ]
    assert found == []


def test_models_never_import_workflows():
    found = [
        f"{i.importer}:{i.line} imports {i.target}"
        for i in ALL_IMPORTS
        if _root(i.importer) == "models" and _root(i.target) == "workflows"
    ]
    assert found == []
