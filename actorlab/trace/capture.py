"""Message traces: ``with al.trace() as t: ...`` records what a block makes the actors do.

A ``Trace`` subscribes to the runtime's event ring (which turns per-message events on while it
listens), keeps the events that pass its filters, and switches itself off, visibly, when it
reaches ``limit``. It renders as a sequence diagram in notebooks (``image/svg+xml`` and a
``text/plain`` ladder; ``renderer="mermaid"`` sends ``text/vnd.mermaid`` instead of the SVG,
since JupyterLab ranks mermaid above SVG) and exports Chrome Trace
Event JSON for Perfetto. Notebook-free: this module imports no IPython/rich/ipywidgets.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..events import LIFECYCLE_KINDS, MESSAGE_KINDS, Event
from ..ids import ActorId
from ..info import Status
from . import chrome, render, svg

if TYPE_CHECKING:
    from ..runtime import Runtime

#: Every kind a trace can record.
TRACE_KINDS = MESSAGE_KINDS | LIFECYCLE_KINDS
_KIND_GROUPS = {"messages": MESSAGE_KINDS, "lifecycle": LIFECYCLE_KINDS, "all": TRACE_KINDS}
#: Statuses in which an actor is still doing something (a trace waits for them on exit).
_BUSY = frozenset(
    {Status.STARTING, Status.PROCESSING, Status.RESTARTING, Status.STOPPING, Status.FAILED}
)
#: Statuses in which a non-empty mailbox will not move by itself.
_HELD = frozenset({Status.PAUSED, Status.SUSPENDED, Status.STOPPED})


def _kinds(kinds: str | Iterable[str] | None) -> frozenset[str]:
    if kinds is None:
        return TRACE_KINDS
    items = [kinds] if isinstance(kinds, str) else list(kinds)
    out: set[str] = set()
    for k in items:
        if k in _KIND_GROUPS:
            out |= _KIND_GROUPS[k]
        elif k in TRACE_KINDS:
            out.add(k)
        else:
            raise ValueError(
                f"al.trace(kinds=...) got the unknown kind {k!r}; use any of "
                f"{', '.join(sorted(TRACE_KINDS))} or the groups messages, lifecycle, all"
            )
    return frozenset(out)


class _ActorFilter:
    """Matches actor ids against refs, ids, names and glob patterns over name/path."""

    def __init__(self, actors: Iterable[Any] | Any) -> None:
        if isinstance(actors, (str, ActorId)) or hasattr(actors, "id"):
            actors = [actors]
        self.ids: set[ActorId] = set()
        self.patterns: list[str] = []
        for a in actors:
            if isinstance(a, ActorId):
                self.ids.add(a)
            elif isinstance(a, str):
                self.patterns.append(a)
            elif isinstance(getattr(a, "id", None), ActorId):
                self.ids.add(a.id)
            else:
                raise TypeError(
                    f"al.trace(actors=...) accepts refs, ActorIds, names or glob patterns "
                    f"like 'client/*', got {a!r}"
                )
        self._cache: dict[ActorId, bool] = {}

    def __call__(self, actor: ActorId | None, names: tuple[str, ...]) -> bool:
        if actor is None:
            return False
        if actor in self.ids:
            return True
        hit = self._cache.get(actor)
        if hit is None:
            hit = any(
                fnmatch.fnmatchcase(n, p) or fnmatch.fnmatchcase(n.lstrip("/"), p)
                for p in self.patterns
                for n in names
            )
            if names:
                self._cache[actor] = hit
        return hit


class Trace:
    """A recording of runtime events, rendered as a sequence diagram.

    Use ``with al.trace() as t:`` (or ``async with``). Inside the block every tell, ask, reply,
    handled message, failure, restart, spawn, stop and dead letter is recorded (filtered by
    ``actors`` and ``kinds``). On leaving the block the trace waits up to ``settle`` seconds for
    the actors to go quiet, so the consequences of the block's messages are in the picture.

    Example::

        with al.trace() as t:
            counter.tell(Add(1))
            counter.ask_sync(Get())
        t                       # the diagram
        t.events, t.to_mermaid(), t.to_svg(), t.to_text(), t.to_chrome_trace()
    """

    def __init__(
        self,
        actors: Iterable[Any] | Any | None = None,
        kinds: str | Iterable[str] | None = None,
        limit: int = 1000,
        *,
        settle: float = 1.0,
        message_label: Callable[[Event], str | None] | None = None,
        title: str | None = None,
        renderer: str = "auto",
        max_rows: int = 400,
        runtime: Runtime | None = None,
    ) -> None:
        if not isinstance(limit, int) or limit <= 0:
            raise ValueError(f"al.trace(limit=...) needs a positive int, got {limit!r}")
        if renderer not in ("auto", "svg", "mermaid", "text"):
            raise ValueError(
                f"al.trace(renderer=...) must be 'auto', 'svg', 'mermaid' or 'text', "
                f"got {renderer!r}"
            )
        self.kinds = _kinds(kinds)
        self.limit = limit
        self.settle = settle
        self.title = title
        self.virtual = False  # set at start: recorded on actorlab.testing's virtual clock
        self.renderer = renderer
        self.max_rows = max_rows
        self.message_label = message_label
        self.limit_reached = False
        self._filter = _ActorFilter(actors) if actors is not None else None
        self._runtime = runtime
        self._events: list[Event] = []
        self._labels: dict[ActorId, str] = {}
        self._lock = threading.Lock()
        self._unsubscribe: Callable[[], None] | None = None
        self._started_at: float | None = None
        self._stopped_at: float | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """True while recording."""
        return self._unsubscribe is not None

    def start(self) -> Trace:
        """Start recording (``with`` does this for you)."""
        if self.active:
            return self
        rt = self._rt()
        for cell in list(rt.cells.values()):
            self._labels[cell.id] = cell.label
        self._started_at = rt.events.now()
        self.virtual = bool(getattr(rt.clock, "virtual", False))  # times are virtual seconds
        self._unsubscribe = rt.events.subscribe(self._listen, messages=True)
        return self

    def stop(self) -> Trace:
        """Stop recording now (no settling)."""
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()
            self._stopped_at = self._rt().events.now()
        return self

    def __enter__(self) -> Trace:
        return self.start()

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if et is None and self.active:
                self.wait_quiet(self.settle)
        finally:
            self.stop()

    async def __aenter__(self) -> Trace:
        return self.start()

    async def __aexit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if et is None and self.active:
                await self.wait_quiet_async(self.settle)
        finally:
            self.stop()

    def _rt(self) -> Runtime:
        if self._runtime is None or self._runtime.closed:
            from ..runtime import get_runtime

            self._runtime = get_runtime()
        return self._runtime

    # -- recording (any thread: the runtime thread or the sending thread) ---------------------
    def _listen(self, ev: Event) -> None:
        if ev.kind not in self.kinds:
            return
        rt = self._runtime
        names: dict[ActorId, tuple[str, ...]] = {}
        for actor in (ev.src, ev.dst):
            if actor is not None and rt is not None:
                cell = rt.cells.get(actor)
                if cell is not None:
                    self._labels.setdefault(actor, cell.label)
                    names[actor] = (cell.label, cell.path)
        f = self._filter
        if (
            f is not None
            and not (f(ev.src, names.get(ev.src, ())) if ev.src is not None else False)
            and not (f(ev.dst, names.get(ev.dst, ())) if ev.dst is not None else False)
        ):
            return
        unsubscribe = None
        with self._lock:
            if self.limit_reached:
                return
            self._events.append(ev)
            if len(self._events) >= self.limit:
                self.limit_reached = True
                unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()
            self._stopped_at = rt.events.now() if rt is not None else ev.t

    # -- settling ------------------------------------------------------------------------------
    def _quiet(self) -> bool:
        """True when no actor is busy and no runnable mailbox has messages (runtime thread)."""
        rt = self._rt()
        for cell in list(rt.cells.values()):
            status = cell.status
            if status in _BUSY or (len(cell.mailbox) and status not in _HELD):
                return False
        return True

    def wait_quiet(self, timeout: float) -> bool:
        """Block up to ``timeout`` s until the actors are quiet; False if they never were."""
        rt = self._rt()
        if timeout <= 0 or rt.on_loop_thread():
            return False
        deadline = time.monotonic() + timeout
        version = -1
        while True:
            quiet = bool(rt.call(self._quiet, timeout=max(0.01, deadline - time.monotonic())))
            if quiet and rt.version == version:
                return True
            version = rt.version if quiet else -1
            if time.monotonic() >= deadline:
                return False
            threading.Event().wait(0.005)

    async def wait_quiet_async(self, timeout: float) -> bool:
        """``wait_quiet`` for async code: polls without blocking the caller's loop."""
        rt = self._rt()
        if timeout <= 0 or rt.on_loop_thread():
            return False
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        version = -1

        async def quiet() -> bool:
            return self._quiet()

        while True:
            fut = rt.submit(quiet())
            ok = await asyncio.wait_for(asyncio.wrap_future(fut), max(0.01, deadline - loop.time()))
            if ok and rt.version == version:
                return True
            version = rt.version if ok else -1
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(0.005)

    # -- data ----------------------------------------------------------------------------------
    @property
    def events(self) -> list[Event]:
        """The recorded events, oldest first (a copy)."""
        with self._lock:
            return list(self._events)

    @property
    def labels(self) -> dict[ActorId, str]:
        """Display names of the actors seen while recording."""
        return dict(self._labels)

    @property
    def notice(self) -> str | None:
        """The line rendered under the diagram, e.g. when the limit switched the trace off."""
        if self.limit_reached:
            return (
                f"trace switched itself off after {self.limit} events (limit={self.limit}); "
                f"use al.trace(limit=...) or filter with actors=/kinds="
            )
        return None

    def diagram(self) -> render.Diagram:
        """The laid-out sequence diagram (what every renderer draws)."""
        title = self.title
        if self.virtual:
            title = f"{title} · virtual time" if title else "virtual time"
        return render.layout(
            self.events,
            self._labels,
            notice=self.notice,
            title=title,
            message_label=self.message_label,
            max_rows=self.max_rows,
        )

    # -- renderings ----------------------------------------------------------------------------
    def to_svg(self) -> str:
        """The diagram as a standalone SVG document."""
        return svg.to_svg(self.diagram())

    def to_mermaid(self) -> str:
        """The diagram as mermaid source (paste into a ```` ```mermaid ```` Markdown fence)."""
        return render.to_mermaid(self.diagram())

    def to_text(self) -> str:
        """The diagram as a text ladder (terminals, CI logs)."""
        return render.to_text(self.diagram())

    def to_chrome_trace(self) -> dict[str, Any]:
        """Chrome Trace Event JSON (open in https://ui.perfetto.dev or chrome://tracing)."""
        return chrome.to_chrome_trace(self.events, self._labels)

    def save_chrome_trace(self, path: str | Path) -> Path:
        """Write ``to_chrome_trace()`` to ``path``; returns the path."""
        p = Path(path)
        p.write_text(json.dumps(self.to_chrome_trace()), encoding="utf-8")
        return p

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
    ) -> dict[str, str]:
        d = self.diagram()
        bundle: dict[str, str] = {"text/plain": render.to_text(d)}
        if self.renderer in ("auto", "svg"):
            bundle["image/svg+xml"] = svg.to_svg(d)
        if self.renderer == "mermaid":  # on request: JupyterLab would rank it above the SVG
            bundle["text/vnd.mermaid"] = render.to_mermaid(d)
        if include is not None:
            keep = set(include)
            bundle = {k: v for k, v in bundle.items() if k in keep}
        if exclude is not None:
            drop = set(exclude)
            bundle = {k: v for k, v in bundle.items() if k not in drop}
        return bundle

    def __repr__(self) -> str:
        state = "recording" if self.active else "stopped"
        if self.limit_reached:
            state = f"switched off at limit={self.limit}"
        actors = len({a for e in self._events for a in (e.src, e.dst) if a is not None})
        return f"<Trace {len(self._events)} events, {actors} actors, {state}>"

    def __str__(self) -> str:
        return self.to_text()


def trace(
    actors: Iterable[Any] | Any | None = None,
    kinds: str | Iterable[str] | None = None,
    limit: int = 1000,
    **options: Any,
) -> Trace:
    """Record what the actors do inside a ``with`` (or ``async with``) block.

    Args:
        actors: only events involving these (refs, ids, names or globs like ``"client/*"``).
        kinds: event kinds to keep (``"messages"``, ``"lifecycle"`` or kinds like ``"tell"``).
        limit: stop recording after this many events; the diagram says so.
        **options: ``settle`` (seconds to wait for quiet on exit, default 1), ``message_label``
            (``fn(event) -> str | None``), ``title``, ``renderer`` (``"auto"`` and ``"svg"``: the
            SVG diagram; ``"mermaid"``: mermaid source instead; ``"text"``), ``max_rows``.
    """
    return Trace(actors, kinds, limit, **options)
