"""The package's layers point inward, and ``__all__`` says exactly what ``actorlab`` exports.

Layers (outermost first; a module may import its own layer and the ones below it):

    actorlab/__init__.py, cli.py      the top: wires the outer layers into the core
    magics/                           IPython-facing: kernel output bridge, %actor magics
    views/, testing.py, teach.py      drawing and teaching, on the public API
    cluster/                          distribution (an optional extra)
    core                              everything else, trace/ and persistence/ included

The core imports neither the outer layers nor notebook libraries, not even through
``importlib.import_module("...")`` strings (modelled on trio's ``test_exports``).
"""

from __future__ import annotations

import ast
import textwrap
import types
from pathlib import Path

import actorlab

PACKAGE = Path(actorlab.__file__).parent
NOTEBOOK_LIBS = {"IPython", "ipykernel", "ipywidgets", "rich", "traitlets", "anywidget"}
OUTER = ("views", "magics", "testing", "teach", "cluster", "cli")
TOP = {"__init__.py", "cli.py"}


def layer_of(rel: Path) -> str:
    """'top', an outer layer's name, or 'core'."""
    if rel.as_posix() in TOP:
        return "top"
    first = rel.parts[0].removesuffix(".py")
    return first if first in OUTER else "core"


def _module_name(rel: Path) -> str:
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["actorlab", *parts])


def imported_names(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """Every module a source names: imports (relative ones resolved) and string arguments of
    ``import_module``/``__import__`` calls, with their line numbers."""
    base = module.split(".") if is_package else module.split(".")[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                stem = base[: len(base) - (node.level - 1)]
                target = ".".join(stem + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            found += [(node.lineno, f"{target}.{a.name}") for a in node.names]
        elif isinstance(node, ast.Call):
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            if name in ("import_module", "__import__") and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.append((node.lineno, arg.value))
    return found


def violations(package: Path) -> list[str]:
    """Imports that point outward, as 'file:line imports name (layer)'."""
    out = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package)
        layer = layer_of(rel)
        if layer == "top":
            continue
        module = _module_name(rel)
        for line, name in imported_names(path.read_text(), module, path.name == "__init__.py"):
            parts = name.split(".")
            if parts[0] in NOTEBOOK_LIBS and layer in ("core", "cluster"):
                out.append(f"{rel}:{line} imports {name} (a notebook library, in the {layer})")
            elif parts[0] == "actorlab" and len(parts) > 1:
                target = layer_of(Path(*parts[1:]).with_suffix(".py"))
                if target == "top" and parts[1] == "cli":
                    out.append(f"{rel}:{line} imports {name} (the top, from the {layer})")
                elif target in OUTER and target != layer and layer in ("core", "cluster"):
                    out.append(f"{rel}:{line} imports {name} ({target}, from the {layer})")
                elif target == "magics" and layer != "magics":
                    out.append(f"{rel}:{line} imports {name} (magics, from {layer})")
    return out


def test_the_core_never_reaches_up():
    assert violations(PACKAGE) == []


def _planted(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "actorlab"
    for rel, text in {"__init__.py": "", **files}.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    return root


def test_a_planted_string_import_of_the_views_is_caught(tmp_path):
    root = _planted(
        tmp_path,
        {
            "views/__init__.py": "",
            "ref.py": """
                import importlib
                def show(x):
                    return importlib.import_module("actorlab.views.mimebundle").mimebundle(x)
            """,
        },
    )
    assert violations(root) == [
        "ref.py:4 imports actorlab.views.mimebundle (views, from the core)"
    ]


def test_planted_relative_and_notebook_imports_in_the_core_are_caught(tmp_path):
    root = _planted(
        tmp_path,
        {
            "persistence/__init__.py": "",
            "persistence/browse.py": "from ..magics import kernel_bridge\n",
            "cell.py": "def f():\n    import rich.console\n",
            "views/tree.py": "import rich\nfrom actorlab import cell\n",  # allowed
        },
    )
    found = violations(root)
    assert found == [
        "cell.py:2 imports rich.console (a notebook library, in the core)",
        "persistence/browse.py:1 imports actorlab.magics (magics, from the core)",
        "persistence/browse.py:1 imports actorlab.magics.kernel_bridge (magics, from the core)",
    ]


# -- __all__ (httpx's test_all_imports, both directions) ----------------------------------------


def export_problems(module: types.ModuleType) -> list[str]:
    """Public names missing from ``__all__``, names in it that do not exist, and its order."""
    exported = list(module.__all__)
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name not in ("annotations", "Any")
    }
    problems = [f"{n} is public but not in __all__" for n in sorted(public - set(exported))]
    problems += [f"{n} is in __all__ but not defined" for n in exported if not hasattr(module, n)]
    if exported != sorted(exported):
        problems.append("__all__ is not sorted")
    if len(set(exported)) != len(exported):
        problems.append("__all__ has duplicates")
    return problems


def test_all_lists_every_public_name_of_actorlab():
    assert export_problems(actorlab) == []


def test_a_planted_export_gap_is_caught():
    fake = types.ModuleType("fake")
    fake.__all__ = ["b", "a", "ghost"]
    fake.a = fake.b = object()
    fake.hidden_public = 1
    assert export_problems(fake) == [
        "hidden_public is public but not in __all__",
        "ghost is in __all__ but not defined",
        "__all__ is not sorted",
    ]


def test_import_actorlab_loads_no_notebook_library():
    import subprocess
    import sys

    code = (
        "import sys, actorlab\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(NOTEBOOK_LIBS)!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


MAX_LINES = 600  # small modules, one concept each


def long_modules(package: Path) -> list[str]:
    out = []
    for path in sorted(package.rglob("*.py")):
        n = len(path.read_text().splitlines())
        if n > MAX_LINES:
            out.append(f"{path.relative_to(package)} has {n} lines")
    return out


def test_no_module_is_over_600_lines():
    assert long_modules(PACKAGE) == []


def test_a_planted_long_module_is_caught(tmp_path):
    root = _planted(tmp_path, {"big.py": "x = 1\n" * (MAX_LINES + 1)})
    assert long_modules(root) == [f"big.py has {MAX_LINES + 1} lines"]
