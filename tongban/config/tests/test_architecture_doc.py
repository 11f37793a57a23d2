"""docs/architecture.md draws the arrows between contexts; the drawing stays true: every arrow it
shows is an import in the code (outside tests and migrations), and every such import is drawn."""

import re
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[3]
CONTEXTS = {"org", "accounts", "catalog", "cases", "notifications", "exchange", "licences", "portal", "workbench"}


def _drawn() -> set[tuple[str, str]]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\s+(\w+) --> (\w+)$", text, flags=re.MULTILINE))


def _imported() -> set[tuple[str, str]]:
    graph = grimp.build_graph("tongban")
    arrows = set()
    for module in graph.modules:
        parts = module.split(".")
        if len(parts) < 2 or parts[1] not in CONTEXTS or {"tests", "migrations"} & set(parts):
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            other = imported.split(".")[1:2]
            if other and other[0] in CONTEXTS and other[0] != parts[1]:
                arrows.add((parts[1], other[0]))
    return arrows


def test_the_drawing_of_the_contexts_is_the_code():
    assert _drawn() == _imported()
