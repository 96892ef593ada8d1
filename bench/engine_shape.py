"""The shape of the code, for notes that compare before and after a change.

Prints the floors inside ``qbt_bridge/engine`` (the longest chain of imports between its
modules, ``__init__`` left out: a module that imports none of its siblings is floor 1), the
largest modules and classes of the library and the integration, and the engine classes the
``Bridge`` is made of (its method resolution order). Run from a checkout:
``.venv/bin/python bench/engine_shape.py [ROOT]`` (ROOT: another checkout, default this one).
"""

from __future__ import annotations

import ast
import functools
import sys
from pathlib import Path


def _imports(path: Path, package: str) -> set[str]:
    """The sibling modules of ``package`` that the module at ``path`` imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith(package + "."):
                found.add(node.module.split(".")[2])
            elif node.module == package:
                found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[2] for a in node.names if a.name.startswith(package + ".")}
    return found


def floors(root: Path) -> dict[str, int]:
    """Each module of qbt_bridge/engine with its floor."""
    folder = root / "qbt_bridge" / "engine"
    modules = {p.stem: p for p in folder.glob("*.py") if p.stem != "__init__"}
    deps = {
        name: _imports(path, "qbt_bridge.engine") & set(modules) for name, path in modules.items()
    }

    @functools.cache
    def floor(name: str) -> int:
        return 1 + max((floor(d) for d in deps[name] if d != name), default=0)

    return {name: floor(name) for name in sorted(modules, key=floor)}


def sizes(root: Path) -> tuple[list[tuple[int, str]], list[tuple[int, int, str]]]:
    """(lines, module) and (lines, methods, class) of qbt_bridge and the integration."""
    modules, classes = [], []
    for path in [*root.glob("qbt_bridge/**/*.py"), *root.glob("custom_components/**/*.py")]:
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(root))
        modules.append((len(text.splitlines()), where))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                methods = sum(
                    isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) for n in node.body
                )
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                classes.append((lines, methods, f"{where}:{node.name}"))
    return sorted(modules), sorted(classes)


def bridge_bases(root: Path) -> list[str]:
    """The engine classes of the Bridge, read from the source (no import: any checkout)."""
    classes: dict[str, list[str]] = {}
    for path in (root / "qbt_bridge" / "engine").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                classes[node.name] = [b.id for b in node.bases if isinstance(b, ast.Name)]
    order: list[str] = []

    def walk(name: str) -> None:
        if name in classes and name not in order:
            order.append(name)
            for base in classes[name]:
                walk(base)

    walk("Bridge")
    return order


def main() -> None:
    """Print the figures."""
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[1]
    found = floors(root)
    print(f"floors inside engine/: {max(found.values())} for {len(found)} modules")
    for name, floor in found.items():
        print(f"  {floor:2d} {name}")
    modules, classes = sizes(root)
    print("largest modules (lines):", ", ".join(f"{w} {n}" for n, w in reversed(modules[-3:])))
    print(
        "largest classes (lines, methods):",
        ", ".join(f"{w} {n}/{m}" for n, m, w in reversed(classes[-3:])),
    )
    bases = bridge_bases(root)
    print(f"Bridge is made of {len(bases)} engine classes: {', '.join(bases)}")


if __name__ == "__main__":
    main()
