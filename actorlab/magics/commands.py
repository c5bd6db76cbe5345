"""What each ``%actor`` verb does: a thin layer over actorlab's public functions.

``Commands`` evaluates expressions in the user's namespace (one dict for globals and locals, so
names defined in cells resolve inside functions too), resolves actors (a variable holding a ref,
or a bound name), and turns misuse into one-line ``UsageError``s: a bad argument refused by
actorlab, an error raised by the user's own expression, or a handler failing during an ask
(what and where, in one line).
"""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from IPython.core.error import UsageError

import actorlab as al

from .parsing import Parsed, Verb, fail, is_identifier, one_line

T = TypeVar("T")

#: How long spawn waits for the actor to finish starting before showing it.
_START_WAIT = 2.0


def _loop_running() -> bool:
    """True when this thread runs an event loop (a Jupyter kernel), not terminal IPython."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


_MAX_LISTED = 10


class Commands:
    """Runs parsed ``%actor`` lines against the runtime, in ``shell``'s user namespace."""

    def __init__(self, shell: Any) -> None:
        self.shell = shell

    def run(self, parsed: Parsed) -> Any:
        __tracebackhide__ = True
        method = getattr(self, "do_" + parsed.verb.name)
        try:
            return method(parsed)
        except al.HandlerError as exc:
            raise _handler_failed(parsed, exc) from None
        except al.ActorlabError as exc:
            raise UsageError(f"{parsed.verb.prefix}: {one_line(str(exc))}") from None

    # -- helpers -----------------------------------------------------------------------------------
    @property
    def ns(self) -> dict[str, Any]:
        return self.shell.user_ns

    def ev(self, verb: Verb, expr: str, what: str) -> Any:
        """Evaluate ``expr`` in the user namespace; a typo, an unknown name or any exception the
        expression raises is a one-line usage error."""
        __tracebackhide__ = True
        try:
            code = compile(expr, f"<%actor {verb.name}>", "eval")
        except (SyntaxError, ValueError) as exc:  # ValueError: a null byte in the line
            msg = exc.msg if isinstance(exc, SyntaxError) else str(exc)
            raise fail(verb, f"cannot read {what} {expr!r}: {type(exc).__name__}: {msg}") from None
        try:
            return eval(code, self.ns)
        except NameError as exc:
            raise fail(
                verb, f"{what} {expr!r}: {exc} (run the cell that defines it first)"
            ) from None
        except Exception as exc:
            raise fail(verb, f"{what} {expr!r} raised {_exc_text(exc)}") from None

    def api(self, verb: Verb, call: Callable[[], T]) -> T:
        """Call actorlab; a ``TypeError``/``ValueError`` it raises for a bad argument (they say
        what to pass instead) becomes a one-line usage error."""
        __tracebackhide__ = True
        try:
            return call()
        except (TypeError, ValueError) as exc:
            if isinstance(exc, al.ActorlabError):
                raise
            raise fail(verb, one_line(str(exc))) from None

    def resolve(self, verb: Verb, token: str) -> al.ActorRef[Any]:
        """A variable holding an ``ActorRef``, the live actor bound to that name (any string,
        e.g. ``member-0``), or an expression giving a ref (``team[0]``)."""
        __tracebackhide__ = True
        value: Any = self.ns.get(token) if is_identifier(token) else None
        if isinstance(value, al.ActorRef):
            return value
        try:
            return al.lookup(token)
        except (al.ActorNotFound, TypeError, ValueError):
            pass
        if not is_identifier(token):
            try:
                value = eval(compile(token, f"<%actor {verb.name}>", "eval"), self.ns)
            except (SyntaxError, NameError, ValueError):
                value = None  # not an expression after all: "no actor ..." below
            except Exception as exc:
                raise fail(verb, f"the actor {token!r} raised {_exc_text(exc)}") from None
            if isinstance(value, al.ActorRef):
                return value
        live = [i.label for i in al.inspect()]
        listed = ", ".join(live[:_MAX_LISTED]) + (", …" if len(live) > _MAX_LISTED else "")
        what = (
            f"{token!r} is a {type(value).__name__}, not an actor ref"
            if value is not None
            else f"no actor {token!r} (neither a variable holding a ref nor a bound name)"
        )
        raise fail(verb, f"{what}; live actors: {listed or 'none'}")

    def _replace(self, name: str) -> None:
        """Stop the live actor named ``name`` (re-running a spawn cell replaces it)."""
        try:
            old = al.lookup(name)
        except al.ActorNotFound:
            return
        old.stop()

    def _bind(self, name: str, ref: al.ActorRef[Any]) -> al.ActorRef[Any]:
        self.ns[name] = ref
        deadline = time.monotonic() + _START_WAIT
        while ref.status is al.Status.STARTING and time.monotonic() < deadline:
            time.sleep(0.001)
        return ref

    def _storage(self, verb: Verb, expr: str | None) -> Any:
        """The storage expression's value; None means actorlab's default storage."""
        if not expr:
            return None
        storage = self.ev(verb, expr, "the storage")
        if isinstance(storage, type):
            raise fail(
                verb,
                f"the storage {expr!r} is the class {storage.__name__} itself, not a storage; "
                f"make one, e.g. al.FileStorage('snapshots')",
            )
        return storage  # anything else is checked by actorlab (self.api)

    # -- verbs -------------------------------------------------------------------------------------
    def do_spawn(self, p: Parsed) -> Any:
        assert p.name is not None and p.expr is not None
        args = self.ev(p.verb, p.expr, "the actor")
        self._replace(p.name)
        ref = self.api(p.verb, lambda: al.root().spawn(args, name=p.name))
        return self._bind(p.name, ref)

    def do_tell(self, p: Parsed) -> None:
        ref = self.resolve(p.verb, p.target or "")
        ref.tell(self.ev(p.verb, p.expr or "", "the message"))

    def do_ask(self, p: Parsed) -> Any:
        __tracebackhide__ = True
        ref = self.resolve(p.verb, p.target or "")
        msg = self.ev(p.verb, p.expr or "", "the message")
        return self.api(p.verb, lambda: ref.ask_sync(msg, timeout=p.options.get("timeout")))

    def do_info(self, p: Parsed) -> Any:
        return self.resolve(p.verb, p.target or "").info()

    def do_top(self, p: Parsed) -> Any:
        sort = p.words[0] if p.words else "mailbox"
        try:
            return al.top(sort=sort, n=p.options.get("n", 20))
        except ValueError as exc:
            raise fail(p.verb, str(exc)) from None

    def do_stop(self, p: Parsed) -> Any:
        ref = self.resolve(p.verb, p.target or "")
        ref.stop()
        return ref

    def do_restart(self, p: Parsed) -> Any:
        ref = self.resolve(p.verb, p.target or "")
        ref.restart()
        return ref

    def do_pause(self, p: Parsed) -> Any:
        ref = self.resolve(p.verb, p.target or "")
        ref.pause()
        return ref

    def do_resume(self, p: Parsed) -> Any:
        ref = self.resolve(p.verb, p.target or "")
        ref.resume()
        return ref

    def do_step(self, p: Parsed) -> None:
        ref = self.resolve(p.verb, p.target or "")
        before = ref.info().mailbox  # read-your-writes: after this cell's tells
        msg = ref.step()
        left = ref.info().mailbox
        if msg is None and before == 0:
            print(f"{ref.label}: the mailbox is empty, nothing to step (tell it something first)")
            return
        print(f"{ref.label} handled {msg!r}; {left} message{'s' if left != 1 else ''} left")

    def do_save(self, p: Parsed) -> Any:
        ref = self.resolve(p.verb, p.target or "")
        storage = self._storage(p.verb, p.expr)
        return self.api(p.verb, lambda: al.root().save_snapshot_sync(ref, storage))

    def do_respawn(self, p: Parsed) -> Any:
        assert p.name is not None and p.expr is not None
        storage = self._storage(p.verb, p.options.get("storage"))
        # Evaluated now, so a typo fails before the live actor is stopped.
        default = self.ev(p.verb, p.expr, "the default actor")
        autosave_expr = p.options.get("autosave")
        autosave = self.ev(p.verb, autosave_expr, "the autosave policy") if autosave_expr else None
        policies = autosave if isinstance(autosave, (tuple, list)) else [autosave]
        if autosave is not None and not all(isinstance(a, (al.Every, al.OnStop)) for a in policies):
            raise fail(
                p.verb,
                f"the autosave policy {autosave_expr!r} is a {type(autosave).__name__}; use "
                f"al.Every(messages=N), al.Every(seconds=S), al.OnStop() or a tuple of them",
            )
        name = p.name
        self._replace(name)
        ref = self.api(
            p.verb,
            lambda: al.root().respawn_or_sync(
                storage,
                al.ActorId.from_name(name),
                runtime_args=None,
                default_args=lambda: default,
                name=name,
                autosave=autosave,
            ),
        )
        return self._bind(name, ref)

    def do_snapshots(self, p: Parsed) -> Any:
        from actorlab.views.snapshot_view import snapshot_list

        storage = self._storage(p.verb, p.expr)
        entries = self.api(p.verb, lambda: al.snapshots(storage))
        shown = storage if storage is not None else al.default_storage()
        return snapshot_list(entries, source=repr(shown))

    def do_trace(self, p: Parsed) -> Any:
        return self.traced(p.verb, p.expr or "", p.options)

    def traced(self, verb: Verb, code: str, options: dict[str, Any]) -> Any:
        """Run ``code`` (a statement or a whole cell, magics allowed) under ``al.trace()``."""
        __tracebackhide__ = True
        if self._needs_await(code) and _loop_running():
            raise UsageError(
                f"{verb.prefix}: this code uses top-level await, which a cell magic cannot run "
                f"inside Jupyter's event loop. Fix: use c.ask_sync(...) or %actor ask in the "
                f"traced cell, or write `async with al.trace() as t:` around the awaits, then "
                f"show t"
            )
        with al.trace(limit=options.get("limit", 1000)) as t:
            result = self.shell.run_cell(code, store_history=False)
        if not result.success:
            from IPython.display import display

            display(t)
            error = result.error_in_exec or result.error_before_exec
            raise UsageError(
                f"{verb.prefix}: the traced code raised {type(error).__name__} (traceback above); "
                f"the diagram shows what the actors did until then"
            )
        return t

    def _needs_await(self, code: str) -> bool:
        try:
            transformed = self.shell.transform_cell(code)
        except SyntaxError:
            return False  # run_cell reports it
        return bool(self.shell.should_run_async(code, transformed_cell=transformed))

    def do_reset(self, p: Parsed) -> None:
        from actorlab.views import api

        before = len(al.inspect())
        al.reset()
        api.reset_rates()
        print(
            f"actorlab reset: stopped {before} actor{'s' if before != 1 else ''}; a fresh "
            f"runtime is running (refs to old actors are closed)"
        )

    def do_dashboard(self, p: Parsed) -> Any:
        if getattr(self.shell, "kernel", None) is None:
            raise fail(
                p.verb,
                "the dashboard is made of ipywidgets and needs Jupyter (a notebook kernel); "
                "in a terminal use %actors and %actor top",
            )
        try:
            return al.dashboard()
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.split(".")[0] in ("ipywidgets", "traitlets"):
                raise fail(
                    p.verb, "needs ipywidgets: pip install 'actorlab[widgets]', then restart"
                ) from None
            if exc.name and exc.name.startswith("actorlab.views.dashboard"):
                raise fail(
                    p.verb, "this actorlab build has no dashboard yet (the widgets feature)"
                ) from None
            raise

    def actors(self, p: Parsed) -> Any:
        return al.tree(
            show="full" if p.options.get("full") else "compact",
            depth=p.options.get("depth"),
            collapse_over=p.options.get("collapse_over", 20),
        )


def _exc_text(exc: BaseException) -> str:
    """``TypeError: message`` on one line (long messages cut)."""
    text = one_line(str(exc))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _handler_failed(p: Parsed, exc: al.HandlerError) -> UsageError:
    """A handler raised during ``%actor ask``: one line saying what and where. (The runtime
    reports a failed top-level actor with its traceback; ``info().last_error`` keeps it.)"""
    cause = exc.__cause__ if exc.__cause__ is not None else exc
    frames = traceback.extract_tb(cause.__traceback__)
    where = f" in {frames[-1].name}() line {frames[-1].lineno}" if frames else ""
    return UsageError(
        f"{p.verb.prefix}: the actor's handler raised {_exc_text(cause)}{where} (its traceback: "
        f"{p.target or 'ref'}.info().last_error)"
    )
