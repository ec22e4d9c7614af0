"""No import circles: no module under src/nsra imports a module that imports it back.

The graph is built from the source with :mod:`ast`, not by importing: every ``import`` and
``from ... import`` counts wherever it is written (at the top, inside a function, under
``if TYPE_CHECKING``), since an import deferred into a function is still a circle, only a
hidden one. ``from nsra.x import y`` is an edge to the module ``nsra.x.y`` when that is a
module, else to ``nsra.x``. Only modules of nsra are nodes; the implicit import of a parent
package (importing ``nsra.x.y`` first runs ``nsra/x/__init__.py``) is not an edge, so a package
that gathers its modules' names in its ``__init__`` is not a circle by that alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from tests.helpers import ROOT

SRC = ROOT / "src"
PACKAGE = "nsra"

Graph = dict[str, set[str]]


def module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(node: ast.Import | ast.ImportFrom, name: str, is_package: bool) -> Iterable[str]:
    """The modules one import statement names (not yet filtered to known modules)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
        return
    if node.level:  # relative: from the module's package, one level up per extra dot
        here = name.split(".") if is_package else name.split(".")[:-1]
        base = here[: len(here) - (node.level - 1)]
        module = ".".join(base + ([node.module] if node.module else []))
    else:
        module = node.module or ""
    yield module
    for alias in node.names:
        yield f"{module}.{alias.name}"


def import_graph(src: Path, package: str = PACKAGE) -> Graph:
    """Module -> the modules of ``package`` it imports, for every ``.py`` file under
    ``src/package``."""
    files = {module_name(p, src): p for p in sorted((src / package).rglob("*.py"))}
    graph: Graph = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            named = list(_imported(node, name, is_package))
            if isinstance(node, ast.ImportFrom):
                module, members = named[0], named[1:]
                # ``from m import y``: the module m.y where it is one, else m itself
                targets = [m for m in members if m in files]
                if len(targets) < len(members):
                    targets.append(module)
            else:
                targets = named
            edges.update(t for t in targets if t in files and t != name)
        graph[name] = edges
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """One circle per strongly connected component with more than one module (Tarjan's
    algorithm), each as a path ``[a, b, ..., a]``, shortest from its first module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_shortest_circle(graph, c) for c in sorted(components)]


def _shortest_circle(graph: Graph, component: list[str]) -> list[str]:
    start, members = component[0], set(component)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for v in frontier:
            for w in sorted(graph[v] & members):
                if w == start:
                    return [*paths[v], start]
                if w not in paths:
                    paths[w] = [*paths[v], w]
                    following.append(w)
        frontier = following
    raise AssertionError(f"no circle through {start}")  # a component always has one


def test_no_module_of_nsra_imports_a_module_that_imports_it_back() -> None:
    graph = import_graph(SRC)
    assert len(graph) > 50 and "nsra.server.api.app" in graph  # the whole package was read
    found = [" -> ".join(circle) for circle in cycles(graph)]
    assert found == [], "import circles:\n" + "\n".join(found)


# -- the checker itself, on a package written here ------------------------------------------------


def _write(root: Path, files: dict[str, str]) -> Path:
    src = root / "src"
    for rel, text in files.items():
        path = src / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return src


def test_an_import_inside_a_function_closes_a_circle(tmp_path: Path) -> None:
    src = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/api/__init__.py": "",
            "pkg/api/auth.py": "from pkg.api.deps import write\n",
            "pkg/api/deps.py": "def user():\n    from pkg.api.auth import request_user\n",
            "pkg/other.py": "import pkg.api.deps\n",
        },
    )
    graph = import_graph(src, "pkg")
    assert graph["pkg.api.deps"] == {"pkg.api.auth"}
    assert graph["pkg.other"] == {"pkg.api.deps"}
    assert cycles(graph) == [["pkg.api.auth", "pkg.api.deps", "pkg.api.auth"]]


def test_from_a_package_import_a_module_is_an_edge_to_that_module(tmp_path: Path) -> None:
    src = _write(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.core import run\n",
            "pkg/core.py": "from pkg import text\n",  # the module pkg.text, not pkg
            "pkg/text.py": "from . import core\n",  # relative: pkg.core
            "pkg/sub/__init__.py": "from .leaf import f\n",
            "pkg/sub/leaf.py": "from ..text import t\nfrom pkg import sub\n",
            "pkg/free.py": "from pkg.core import run\n",
        },
    )
    graph = import_graph(src, "pkg")
    assert graph["pkg"] == {"pkg.core"}
    assert graph["pkg.core"] == {"pkg.text"}
    assert graph["pkg.text"] == {"pkg.core"}
    assert graph["pkg.sub"] == {"pkg.sub.leaf"}
    assert graph["pkg.sub.leaf"] == {"pkg.text", "pkg.sub"}
    assert cycles(graph) == [
        ["pkg.core", "pkg.text", "pkg.core"],
        ["pkg.sub", "pkg.sub.leaf", "pkg.sub"],
    ]


def test_a_longer_circle_is_listed_in_full(tmp_path: Path) -> None:
    src = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "import pkg.b\n",
            "pkg/b.py": "if True:\n    from pkg.c import x\n",
            "pkg/c.py": "class C:\n    def m(self):\n        import pkg.a\n",
            "pkg/d.py": "import pkg.a\nimport os\n",
        },
    )
    assert cycles(import_graph(src, "pkg")) == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]
