"""The tree keeps the shape ARCHITECTURE.md describes: stage packages, small modules, imports
in one direction (from the CLI down to core), no two modules importing each other."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "leadbook"
MAX_LINES = 600

# What each stage package may import (besides itself). ARCHITECTURE.md says the same in words.
ALLOWED = {
    "core": set(),
    "read": {"core"},
    "check": {"core", "read"},
    "workbook": {"core"},
    "history": {"core"},
    "merge": {"core", "read", "check", "workbook", "history"},
    "team": {"core", "read", "check", "workbook", "merge", "history"},
    "metrics": {"core", "read", "check", "history"},
    "report": {"core", "metrics"},
    "sample": {"core", "workbook"},
    "cli": {
        "core",
        "read",
        "check",
        "workbook",
        "history",
        "merge",
        "team",
        "metrics",
        "report",
        "sample",
    },  # fmt: skip
}
TOP_LEVEL = {"__init__", "__main__", "docs"}  # the only modules outside a stage package


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path) -> set[str]:
    """The leadbook modules ``name`` imports, anywhere in it (function-level imports too)."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # ``from pkg import module`` imports the module; ``from module import name``, the module
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target.startswith("leadbook") and target != name:
                found.add(target)
    return found


GRAPH = {name: imported(name, path) for name, path in MODULES.items()}


def stage(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and (PACKAGE / parts[1]).is_dir() else None


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_is_small(name):
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines: split it along its seams"


def test_modules_live_in_stage_packages():
    loose = {p.stem for p in PACKAGE.glob("*.py")} - TOP_LEVEL
    assert not loose, f"modules outside a stage package: {sorted(loose)}"
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(ALLOWED), "a new stage package needs its line in ALLOWED"
    for name in packages:
        doc = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text()))
        assert doc, f"leadbook/{name}/__init__.py should say what the package owns"


def test_no_import_cycle():
    """No module reaches itself through the imports of others (Tarjan's SCC)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for dep in GRAPH[node]:
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in GRAPH:
        if node not in index:
            visit(node)
    assert cycles == []


def test_imports_go_down_the_pipeline():
    wrong = []
    for name, deps in GRAPH.items():
        own = stage(name)
        if own is None:
            continue
        for dep in deps:
            other = stage(dep)
            if other is None and dep != "leadbook":
                wrong.append(f"{name} -> {dep} (a stage imports a top-level module)")
            elif other not in (None, own) and other not in ALLOWED[own]:
                wrong.append(f"{name} -> {dep}")
    assert wrong == []


def test_the_check_sees_an_import():
    """The walk itself works: known edges are found (a walk that finds nothing passes all)."""
    assert "leadbook.core.catalog" in GRAPH["leadbook.check.codes"]
    assert "leadbook.check.validate" in GRAPH["leadbook.metrics.tables"]
    cli = set().union(*(deps for name, deps in GRAPH.items() if name.startswith("leadbook.cli")))
    assert any(dep.startswith("leadbook.merge.") for dep in cli)


def test_architecture_names_every_module():
    """ARCHITECTURE.md describes the tree as it is: each module is named on its package's line
    of the module map."""
    text = (PACKAGE.parent / "ARCHITECTURE.md").read_text(encoding="utf-8")
    lines = {
        m.group(1): m.group(0) for m in re.finditer(r"^- `(\w+)/`:(.*(?:\n  .*)*)", text, re.M)
    }
    nested = [name.split(".") for name in MODULES if name.count(".") == 2]
    missing = [".".join(p) for p in nested if f"`{p[2]}`" not in lines.get(p[1], "")]
    assert missing == [], "add these to ARCHITECTURE.md's module map"
