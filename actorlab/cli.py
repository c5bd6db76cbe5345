"""The `actorlab` command.

    actorlab tutorial [DIR] [--force] [--no-browser] [--dry-run] [--from SRC] [-- LAB_ARGS...]
    actorlab snapshot inspect FILE [--json]

`tutorial` copies the tutorial notebooks (and their solutions/) into DIR (default
./actorlab-tutorials), keeping any notebook the user already has there unless --force, then runs
JupyterLab on the first one, in DIR: the originals are never opened, so running the tutorials
leaves them (and a git checkout) untouched. Only tutorial files are copied (notebooks, solution
scripts, images), never snapshots, checkpoints or caches. As root (containers) `--allow-root` is
passed to JupyterLab, which otherwise refuses to start. `make lab` is
`actorlab tutorial tutorials-work --from notebooks`.
`snapshot inspect` prints a snapshot's header without unpickling anything.
"""

from __future__ import annotations

import argparse
import dataclasses
import filecmp
import importlib
import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

DEFAULT_DIR = "actorlab-tutorials"
FIRST_NOTEBOOK = "01_quickstart.ipynb"
_PACKAGE = Path(__file__).resolve().parent


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in args:  # everything after `--` goes to `jupyter lab` untouched
        cut = args.index("--")
        args, extra = args[:cut], args[cut + 1 :]
    parser = _parser()
    opts = parser.parse_args(args)
    if opts.command == "tutorial":
        source = None if opts.source is None else Path(opts.source)
        return tutorial(Path(opts.dir), opts.force, opts.no_browser, opts.dry_run, extra, source)
    if extra:
        parser.error("`--` arguments are only for `actorlab tutorial` (passed to jupyter lab)")
    return inspect_snapshot(Path(opts.file), opts.json)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="actorlab", description="actorlab: actors in Jupyter.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    tut = sub.add_parser(
        "tutorial",
        help="copy the tutorial notebooks into DIR and open them in JupyterLab",
        description="Copy the tutorial notebooks into DIR and open the first one in JupyterLab. "
        "Arguments after `--` are passed to `jupyter lab` (e.g. -- --port=8899 --allow-root).",
    )
    tut.add_argument("dir", nargs="?", default=DEFAULT_DIR, metavar="DIR",
                     help=f"where to put the notebooks (default: ./{DEFAULT_DIR})")  # fmt: skip
    tut.add_argument("--force", action="store_true",
                     help="overwrite notebooks in DIR that differ from the originals")  # fmt: skip
    tut.add_argument("--no-browser", action="store_true",
                     help="start JupyterLab without opening a browser")  # fmt: skip
    tut.add_argument("--dry-run", action="store_true",
                     help="print what would be copied and run; change nothing")  # fmt: skip
    tut.add_argument("--from", dest="source", metavar="SRC",
                     help="copy from SRC instead of the installed tutorials")  # fmt: skip
    snap = sub.add_parser("snapshot", help="look at saved actor snapshots")
    snap_sub = snap.add_subparsers(dest="action", required=True, metavar="ACTION")
    ins = snap_sub.add_parser("inspect", help="print a snapshot's header (never unpickles)")
    ins.add_argument("file", metavar="FILE", help="a snapshot file (e.g. .actorlab/snapshots/…)")
    ins.add_argument("--json", action="store_true", help="print the raw JSON header")
    return parser


# -- actorlab tutorial ---------------------------------------------------------------------------


def tutorials_source() -> Path | None:
    """The packaged notebooks (`actorlab/_tutorials` in a wheel) or, in an editable checkout,
    the repository's `notebooks/`."""
    packaged = _PACKAGE / "_tutorials"
    if packaged.is_dir():
        return packaged
    checkout = _PACKAGE.parent / "notebooks"
    if checkout.is_dir() and (_PACKAGE.parent / "pyproject.toml").is_file():
        return checkout
    return None


# What a tutorial folder is made of; anything else there (snapshots a notebook wrote, traces,
# checkpoints, caches) is the learner's or a run's output and is never copied or packaged.
TUTORIAL_SUFFIXES = frozenset({".ipynb", ".py", ".md", ".png", ".svg", ".gif", ".jpg", ".csv"})


def is_tutorial_file(rel: Path) -> bool:
    """True for the files `actorlab tutorial` copies (`rel` is relative to the tutorials)."""
    parts = rel.parts
    if any(p.startswith(".") or p == "__pycache__" for p in parts):
        return False
    if len(parts) > 1 and parts[0] not in ("solutions", "images"):
        return False  # e.g. tutorial_snapshots/ written by 10a
    return rel.suffix in TUTORIAL_SUFFIXES


def plan_copy(src: Path, dest: Path, force: bool) -> list[tuple[str, Path, Path]]:
    """`(action, source, target)` for every tutorial file: "copy", "overwrite" (--force),
    "keep" (the user's edited copy stays) or "same" (already identical)."""
    plan = []
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if path.is_dir() or not is_tutorial_file(rel):
            continue
        target = dest / rel
        if not target.exists():
            action = "copy"
        elif filecmp.cmp(path, target, shallow=False):
            action = "same"
        else:
            action = "overwrite" if force else "keep"
        plan.append((action, path, target))
    return plan


def tutorial(
    dest: Path,
    force: bool,
    no_browser: bool,
    dry_run: bool,
    extra: list[str],
    source: Path | None = None,
) -> int:
    src = tutorials_source() if source is None else source
    if source is not None and not source.is_dir():
        return _fail(f"--from {source}: no such folder. Fix: point it at a folder of notebooks.")
    if src is None:
        return _fail(
            "the tutorial notebooks are not installed with this actorlab (no actorlab/_tutorials "
            "and no notebooks/ in a source checkout). Fix: reinstall it from a wheel "
            "(pip install --force-reinstall 'actorlab[notebook]') or run from a git checkout."
        )
    plan = plan_copy(src, dest, force)
    notebooks = sorted(t for _, _, t in plan if t.suffix == ".ipynb" and t.parent == dest)
    if not notebooks:
        return _fail(f"no notebooks in {src}. Fix: reinstall actorlab (the package is incomplete).")
    verb = {"copy": "copy", "overwrite": "overwrite", "same": "unchanged", "keep": "keep"}
    for action, origin, target in plan:
        note = " (yours differs; --force overwrites it)" if action == "keep" else ""
        would = "would " if dry_run and action in ("copy", "overwrite") else ""
        print(f"{would}{verb[action]} {target}{note}")
        if not dry_run and action in ("copy", "overwrite"):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(origin, target)
    first = dest / FIRST_NOTEBOOK if dest / FIRST_NOTEBOOK in notebooks else notebooks[0]
    command = [sys.executable, "-m", "jupyterlab", str(first)]
    command += ["--no-browser"] if no_browser else []
    if _is_root() and "--allow-root" not in extra:
        print("running as root: passing --allow-root to JupyterLab (it refuses root otherwise)")
        command += ["--allow-root"]
    command += extra
    if dry_run:
        print(f"would run: {shlex.join(command)}")
        return 0
    if importlib.util.find_spec("jupyterlab") is None:
        return _fail(
            f"the notebooks are in {dest}, but JupyterLab is not installed in this environment "
            f"({sys.executable}). Fix: pip install 'actorlab[notebook]', then run this again."
        )
    print(f"running: {shlex.join(command)}", flush=True)
    if os.name == "posix":
        os.execv(sys.executable, command)  # JupyterLab takes over this process (Ctrl-C stops it)
    return subprocess.call(command)


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


# -- actorlab snapshot inspect ------------------------------------------------------------------


def inspect_snapshot(path: Path, as_json: bool) -> int:
    try:
        fmt = importlib.import_module("actorlab.persistence.format")
        errors = importlib.import_module("actorlab.errors")
    except ImportError as e:
        return _fail(
            f"this actorlab cannot read snapshots ({e}). Fix: upgrade actorlab "
            "(pip install -U actorlab); snapshot support lives in actorlab.persistence."
        )
    try:
        data = path.read_bytes()
    except OSError as e:
        return _fail(f"cannot read {path}: {e.strerror}. Fix: check the path to the snapshot.")
    try:
        header = fmt.read_header(data, source=str(path))
    except errors.SnapshotError as e:
        return _fail(str(e))
    if as_json:
        raw = {k: v for k, v in header.raw.items() if not k.startswith("_")}
        print(json.dumps(raw, indent=2, sort_keys=True))
        return 0
    print(f"{path}: actorlab snapshot of {header.label}, {len(data)} bytes (not unpickled)")
    for field in dataclasses.fields(header):
        if field.name != "raw":
            print(f"  {field.name.replace('_', ' '):<16} {_show(getattr(header, field.name))}")
    return 0


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (tuple, list)):
        return ", ".join(map(str, value)) or "-"
    return str(value)


def _fail(message: str) -> int:
    print(f"actorlab: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
