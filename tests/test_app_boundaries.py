"""The question-bank app never imports the analyst app (assessment imports frameworks)."""

import ast
from pathlib import Path

import frameworks

FRAMEWORKS = Path(frameworks.__file__).resolve().parent


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_frameworks_imports_nothing_from_assessment():
    offenders = {
        str(path.relative_to(FRAMEWORKS)): sorted(
            m for m in imported_modules(path) if m.split(".")[0] == "assessment"
        )
        for path in FRAMEWORKS.rglob("*.py")
    }
    assert {path: mods for path, mods in offenders.items() if mods} == {}
    assert len(offenders) > 20  # the scan did find the app's modules
