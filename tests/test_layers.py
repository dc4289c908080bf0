"""The layering rule (ui -> jobs -> engine -> core) is checked by import-linter's contracts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    proc = subprocess.run([exe], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def test_core_imports_without_qt_or_torch() -> None:
    code = (
        "import sys, pkgutil, importlib, genimg_desktop.core as c\n"
        "for m in pkgutil.iter_modules(c.__path__):\n"
        "    importlib.import_module('genimg_desktop.core.' + m.name)\n"
        "bad = [m for m in ('torch', 'PySide6') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def _imported_modules(path: Path) -> set[str]:
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_jobs_use_only_qtcore() -> None:
    """Workers run without widgets: the jobs layer may use QtCore, never QtGui/QtWidgets."""
    for path in (REPO / "genimg_desktop" / "jobs").rglob("*.py"):
        qt = {m for m in _imported_modules(path) if m.startswith("PySide6")}
        assert qt <= {"PySide6", "PySide6.QtCore"}, f"{path.name} imports {qt}"


def test_no_import_circles_anywhere_in_the_package() -> None:
    """No module reaches itself again through its imports, in any layer (grimp's graph, as
    import-linter builds it: imports under TYPE_CHECKING and inside functions count too). A circle
    is reported once, as the chain of modules that closes it."""
    import grimp

    graph = grimp.build_graph("genimg_desktop", cache_dir=None)
    circles: dict[frozenset[str], str] = {}
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                circles.setdefault(frozenset(back), " -> ".join((importer, *back)))
    assert not circles, "import circles:\n" + "\n".join(sorted(circles.values()))
