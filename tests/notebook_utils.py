"""Run notebooks and cells in real Jupyter kernels (nbclient) for the test suite.

- `kernel_name()`: a kernelspec that runs *this* interpreter (the venv's python).
- `execute_notebook(path, cwd)` / `run_cells(sources, cwd)`: a fresh kernel, every cell, outputs.
- `KernelSession(cwd)`: one kernel driven cell by cell; `restart()` is a real kernel restart
  (Kernel -> Restart in Lab) and `interrupt_cell()` presses Stop while a cell blocks.

Cell tags follow nbmake/nbclient: `skip-execution` cells are skipped, `raises-exception` cells
must raise (a tagged cell that runs cleanly fails the run: the tutorial promised an error).
"""

from __future__ import annotations

import asyncio
import functools
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from jupyter_core.utils import ensure_async, run_sync
from nbclient import NotebookClient
from nbformat import NotebookNode

CELL_TIMEOUT = 60  # seconds per cell
STARTUP_TIMEOUT = 60  # seconds for a kernel to answer kernel_info
RAISES = "raises-exception"
SKIP = "skip-execution"
_VENV_KERNEL = "actorlab-test-python"


@functools.lru_cache(maxsize=1)
def kernel_name() -> str:
    """Name of a kernelspec that launches `sys.executable` (installed into sys.prefix if needed).

    "python3" is used when its spec resolves to this interpreter (jupyter_client maps a bare
    `python`/`python3` argv[0] to sys.executable); a stray user-level spec pointing at another
    Python would run the notebooks without actorlab, so then a dedicated spec is installed.
    """
    ksm = KernelSpecManager()
    try:
        if _runs_this_python(ksm.get_kernel_spec("python3").argv):
            return "python3"
    except NoSuchKernel:
        pass
    from ipykernel.kernelspec import install

    install(kernel_name=_VENV_KERNEL, display_name="Python (actorlab tests)", prefix=sys.prefix)
    spec = KernelSpecManager().get_kernel_spec(_VENV_KERNEL)
    if not _runs_this_python(spec.argv):
        raise RuntimeError(f"kernelspec {_VENV_KERNEL!r} runs {spec.argv[0]}, not {sys.executable}")
    return _VENV_KERNEL


def _runs_this_python(argv: Sequence[str]) -> bool:
    exe = argv[0] if argv else ""
    bare = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}
    return exe in bare or os.path.abspath(exe) == os.path.abspath(sys.executable)


@dataclass
class CellResult:
    """What one executed code cell produced."""

    source: str
    tags: tuple[str, ...] = ()
    skipped: bool = False
    stdout: str = ""
    stderr: str = ""
    data: list[dict[str, Any]] = field(default_factory=list)  # display_data / execute_result
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"ename", "evalue", "traceback"}
    seconds: float = 0.0

    @property
    def mimetypes(self) -> list[str]:
        """Every mime type displayed by the cell, in order of first appearance."""
        return list(dict.fromkeys(m for bundle in self.data for m in bundle))

    @property
    def error_names(self) -> list[str]:
        return [e["ename"] for e in self.errors]

    @classmethod
    def from_cell(cls, cell: NotebookNode, seconds: float = 0.0, skipped: bool = False):
        result = cls(cell.source, tuple(cell.metadata.get("tags", ())), skipped, seconds=seconds)
        for out in cell.get("outputs", ()):
            kind = out["output_type"]
            if kind == "stream":
                if out["name"] == "stdout":
                    result.stdout += out["text"]
                else:
                    result.stderr += out["text"]
            elif kind in ("display_data", "execute_result"):
                result.data.append(dict(out["data"]))
            elif kind == "error":
                tb = "\n".join(out.get("traceback", ()))
                error = {"ename": out["ename"], "evalue": out["evalue"], "traceback": tb}
                result.errors.append(error)
        return result


@dataclass
class InterruptResult:
    """`KernelSession.interrupt_cell`: the cell's outputs and how long the kernel took to answer."""

    cell: CellResult
    seconds_to_reply: float


def new_notebook(sources: Iterable[str | tuple[str, Sequence[str]]]) -> NotebookNode:
    """A notebook of code cells; an item may be `(source, tags)`."""
    items = [(item, ()) if isinstance(item, str) else item for item in sources]
    cells = [_code_cell(source, tags) for source, tags in items]
    return nbformat.v4.new_notebook(cells=cells, metadata=_kernel_metadata())


def _code_cell(source: str, tags: Sequence[str] = ()) -> NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def write_notebook(path: Path, sources: Iterable[str | tuple[str, Sequence[str]]]) -> Path:
    nbformat.write(new_notebook(sources), path)
    return path


def _kernel_metadata() -> dict[str, Any]:
    name = kernel_name()
    return {
        "kernelspec": {"name": name, "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }


class KernelSession:
    """A real kernel whose working directory is `cwd`, driven one cell at a time.

    Use as a context manager; the kernel is shut down on exit. Outputs of each cell are returned
    as `CellResult`; a cell that raises fails with nbclient's `CellExecutionError` unless it is
    tagged `raises-exception` (then its `errors` are filled and it must not run cleanly).
    """

    def __init__(self, cwd: Path | str, *, timeout: int = CELL_TIMEOUT):
        self.cwd = Path(cwd)
        self.nb = nbformat.v4.new_notebook(metadata=_kernel_metadata())
        self.client = NotebookClient(
            self.nb,
            timeout=timeout,
            startup_timeout=STARTUP_TIMEOUT,
            kernel_name=kernel_name(),
            resources={"metadata": {"path": str(self.cwd)}},
        )
        self._ctx: Any = None

    def __enter__(self) -> KernelSession:
        self._ctx = self.client.setup_kernel()
        self._ctx.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        ctx, self._ctx = self._ctx, None
        ctx.__exit__(*exc)

    def run(self, source: str, tags: Sequence[str] = ()) -> CellResult:
        """Execute one cell (honouring `skip-execution` / `raises-exception` tags)."""
        return self.run_cell(_code_cell(source, tags))

    def run_cell(self, cell: NotebookNode) -> CellResult:
        """Execute a cell object (e.g. one of a notebook read from disk) in this kernel."""
        if cell.cell_type != "code":
            return CellResult.from_cell(cell, skipped=True)
        tags = cell.metadata.get("tags", [])
        if SKIP in tags or not cell.source.strip():
            return CellResult.from_cell(cell, skipped=True)
        self.nb.cells.append(cell)
        start = time.perf_counter()
        self.client.execute_cell(cell, len(self.nb.cells) - 1)
        result = CellResult.from_cell(cell, time.perf_counter() - start)
        if RAISES in tags and not result.errors:
            raise AssertionError(f"cell tagged {RAISES!r} ran without error:\n{cell.source}")
        return result

    def run_all(self, cells: Iterable[NotebookNode]) -> list[CellResult]:
        return [self.run_cell(cell) for cell in cells]

    def restart(self) -> None:
        """Restart the kernel (a new process, same working directory) and wait until it answers."""
        run_sync(self._restart)()

    async def _restart(self) -> None:
        await ensure_async(self.client.km.restart_kernel(now=False))
        await ensure_async(self.client.kc.wait_for_ready(timeout=STARTUP_TIMEOUT))
        self.client.reset_execution_trackers()

    def interrupt_cell(
        self, source: str, *, ready_marker: str, timeout: float = CELL_TIMEOUT
    ) -> InterruptResult:
        """Run `source`, interrupt the kernel once `ready_marker` shows in its stdout, and time
        how long the kernel takes to reply (the Stop button, as a user would press it).

        Print the marker from something that proves the cell is blocked where you want it
        (e.g. a handler the cell is waiting on), not just before the blocking call.
        """
        return run_sync(self._interrupt)(_code_cell(source, [RAISES]), ready_marker, timeout)

    async def _interrupt(self, cell: NotebookNode, marker: str, timeout: float) -> InterruptResult:
        self.nb.cells.append(cell)
        task = asyncio.ensure_future(self.client.async_execute_cell(cell, len(self.nb.cells) - 1))
        deadline = time.monotonic() + timeout
        while marker not in CellResult.from_cell(cell).stdout:
            if task.done():
                task.result()  # raises what went wrong
                raise AssertionError(f"cell finished before printing {marker!r}:\n{cell.source}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{marker!r} not printed within {timeout} s:\n{cell.source}")
            await asyncio.sleep(0.005)
        start = time.perf_counter()
        await ensure_async(self.client.km.interrupt_kernel())
        await asyncio.wait_for(task, timeout)
        return InterruptResult(CellResult.from_cell(cell), time.perf_counter() - start)


def execute_notebook(
    path: Path | str, cwd: Path | str | None = None, *, timeout: int = CELL_TIMEOUT
) -> list[CellResult]:
    """Execute a notebook file in a fresh kernel (working directory `cwd`, default its folder)."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    with KernelSession(cwd or path.parent, timeout=timeout) as session:
        return session.run_all(nb.cells)


def run_cells(
    sources: Iterable[str | tuple[str, Sequence[str]]],
    cwd: Path | str,
    *,
    timeout: int = CELL_TIMEOUT,
) -> list[CellResult]:
    """Execute code cells (`source` or `(source, tags)`) in a fresh kernel, one result each."""
    with KernelSession(cwd, timeout=timeout) as session:
        return session.run_all(new_notebook(sources).cells)
