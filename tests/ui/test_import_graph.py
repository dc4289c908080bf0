"""The window's modules form no import circle: ui/main_window.py builds the window from the others, and
they see it only through the WindowModel and Protocols (ui/window_host.py), never by importing it.
grimp (which import-linter uses) counts imports under TYPE_CHECKING too."""

from __future__ import annotations

import grimp

UI = "genimg_desktop.ui"
WINDOW = f"{UI}.main_window"
# The modules main_window is built from (they were one import circle with it).
PARTS = ("actions", "file_ops", "job_runner", "model_folder", "sample_actions", "training.train_view")


def _ui_graph() -> tuple[set[str], dict[str, set[str]]]:
    graph = grimp.build_graph("genimg_desktop", cache_dir=None)
    modules = {m for m in graph.modules if m == UI or m.startswith(UI + ".")}
    return modules, {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}


def circles(edges: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def test_circles_finds_a_circle():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(edges) == [{"a", "b", "c"}]


def test_no_import_circle_among_ui_modules():
    _modules, edges = _ui_graph()
    assert circles(edges) == []


def test_the_window_parts_do_not_import_the_window():
    _modules, edges = _ui_graph()
    assert [part for part in PARTS if WINDOW in edges[f"{UI}.{part}"]] == []
