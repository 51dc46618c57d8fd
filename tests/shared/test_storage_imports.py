"""shared.storage imports flow one way: the writer builds on the log, the log knows no writer."""

from __future__ import annotations

import ast
from pathlib import Path

import shared.storage

STORAGE = Path(shared.storage.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_event_log_does_not_import_the_writer() -> None:
    assert "shared.storage.event_writer" not in _imported_modules(STORAGE / "event_log.py")
    assert "shared.storage.event_log" in _imported_modules(STORAGE / "event_writer.py")


def test_no_storage_module_imports_inside_functions() -> None:
    """Deferred imports were how the circle was hidden; storage modules import at the top."""
    for path in sorted(STORAGE.glob("*.py")):
        tree = ast.parse(path.read_text())
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                nested = [
                    node.module
                    for node in ast.walk(func)
                    if isinstance(node, ast.ImportFrom)
                    and (node.module or "").startswith("shared.storage")
                ]
                assert nested == [], f"{path.name}:{func.name} imports {nested}"
