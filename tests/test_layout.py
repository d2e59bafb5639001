"""The code's shape, kept true: small modules and functions with a purpose docstring, the
libraries below the application, imports pointing down the flow and no import cycles.
docs/architecture.md describes the same layout."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("voices", "schedules", "playout", "radio", "receiver", "bench")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# What each part may import, of ours (the flow: text -> reading -> segments -> program ->
# airing -> channel -> stream -> receiver; the application on top, tools above that).
MAY_IMPORT = {
    "schedules": {"schedules"},
    "voices": {"voices"},
    "playout": {"playout", "voices"},
    "receiver": {"receiver", "playout", "voices"},
    "radio": {"radio", "voices", "schedules", "playout"},
    "bench": {"bench", "radio", "voices", "schedules", "playout"},
}
# The command line sits on top of everything: it also runs the reference loudspeaker
# (`radio receiver`, the demo) and hands `radio bench` to the source checkout's bench/.
COMMAND_LINE = {"radio.cli": {"receiver"}, "radio.cli.bench": {"bench"}}
# Inside the application, the layers below the web never reach up into it.
BELOW_WEB = ("radio.access", "radio.airtime", "radio.models", "radio.speech", "radio.services")


def modules() -> Iterator[tuple[str, Path, ast.Module]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            yield name.removesuffix(".__init__"), path, ast.parse(path.read_text("utf-8"))


def top_level_imports(tree: ast.Module) -> Iterator[str]:
    """Imports made when the module loads (not inside functions or TYPE_CHECKING)."""
    for node in tree.body:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def all_imports(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_modules_and_functions_are_small_and_say_what_they_are_for() -> None:
    too_big = []
    for name, path, tree in modules():
        lines = len(path.read_text("utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            too_big.append(f"{name}: {lines} lines")
        if ast.get_docstring(tree) is None and path.stat().st_size > 0:
            too_big.append(f"{name}: no docstring")
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_big.append(f"{name}.{node.name}: {length} lines")
    assert not too_big, "\n".join(too_big)


@pytest.mark.parametrize("package", PACKAGES)
def test_each_part_imports_only_what_lies_below_it(package: str) -> None:
    allowed = MAY_IMPORT[package]
    ours = set(PACKAGES)
    wrong = [
        f"{name} imports {imported}"
        for name, _, tree in modules()
        if name.split(".")[0] == package
        for imported in all_imports(tree)
        if imported.split(".")[0] in ours
        and imported.split(".")[0] not in allowed | _command_line(name)
    ]
    assert not wrong, "\n".join(wrong)


def _command_line(module: str) -> set[str]:
    return {
        package
        for prefix, packages in COMMAND_LINE.items()
        if module == prefix or module.startswith(prefix + ".")
        for package in packages
    }


def test_the_application_below_the_web_never_reaches_up_into_it() -> None:
    wrong = [
        f"{name} imports {imported}"
        for name, _, tree in modules()
        if name.startswith(BELOW_WEB)
        for imported in all_imports(tree)
        if imported.startswith(("radio.web", "radio.cli", "radio.onair"))
    ]
    assert not wrong, "\n".join(wrong)


def test_there_are_no_import_cycles() -> None:
    known = {name for name, _, _ in modules()}
    graph = {
        name: {i for i in top_level_imports(tree) if i in known and i != name}
        for name, _, tree in modules()
    }
    cycles = []
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "\n".join(cycles)
