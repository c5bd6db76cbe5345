"""What each ``%actor`` verb does: a thin layer over actorlab's public functions.

``Commands`` evaluates expressions in the user's namespace (one dict for globals and locals, so
names defined in cells resolve inside functions too), resolves actors (a variable holding a ref,
or a bound name), and turns misuse into one-line ``UsageError``s.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from IPython.core.error import UsageError

import actorlab as al
from actorlab.errors import ActorlabError, HandlerError
from actorlab.info import Status

from .parsing import Parsed, Verb, fail, is_identifier

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
        except HandlerError:
            raise  # the actor's own traceback is what the user needs
        except ActorlabError as exc:
            raise UsageError(f"{parsed.verb.prefix}: {exc}") from None

    # -- helpers -----------------------------------------------------------------------------------
    @property
    def ns(self) -> dict[str, Any]:
        return self.shell.user_ns

    def ev(self, verb: Verb, expr: str, what: str) -> Any:
        """Evaluate ``expr`` in the user namespace; a typo or unknown name is a usage error."""
        __tracebackhide__ = True
        try:
            code = compile(expr, f"<%actor {verb.name}>", "eval")
        except SyntaxError as exc:
            raise fail(verb, f"cannot read {what} {expr!r}: SyntaxError: {exc.msg}") from None
        try:
            return eval(code, self.ns)
        except NameError as exc:
            raise fail(
                verb, f"{what} {expr!r}: {exc} (run the cell that defines it first)"
            ) from None

    def resolve(self, verb: Verb, token: str) -> al.ActorRef[Any]:
        """A variable holding an ``ActorRef``, the live actor bound to that name (any string,
        e.g. ``member-0``), or an expression giving a ref (``team[0]``)."""
        value: Any = self.ns.get(token) if is_identifier(token) else None
        if isinstance(value, al.ActorRef):
            return value
        try:
            return al.lookup(token)
        except al.ActorNotFound:
            pass
        if not is_identifier(token):
            try:
                value = eval(compile(token, f"<%actor {verb.name}>", "eval"), self.ns)
            except (SyntaxError, NameError):
                value = None
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
        while ref.status is Status.STARTING and time.monotonic() < deadline:
            time.sleep(0.001)
        return ref

    def _storage(self, verb: Verb, expr: str | None) -> Any:
        """The storage expression's value; None means actorlab's default storage."""
        return self.ev(verb, expr, "the storage") if expr else None

    # -- verbs -------------------------------------------------------------------------------------
    def do_spawn(self, p: Parsed) -> Any:
        assert p.name is not None and p.expr is not None
        args = self.ev(p.verb, p.expr, "the actor")
        self._replace(p.name)
        try:
            ref = al.root().spawn(args, name=p.name)
        except TypeError as exc:
            raise fail(p.verb, str(exc)) from None
        return self._bind(p.name, ref)

    def do_tell(self, p: Parsed) -> None:
        ref = self.resolve(p.verb, p.target or "")
        ref.tell(self.ev(p.verb, p.expr or "", "the message"))

    def do_ask(self, p: Parsed) -> Any:
        __tracebackhide__ = True
        ref = self.resolve(p.verb, p.target or "")
        msg = self.ev(p.verb, p.expr or "", "the message")
        return ref.ask_sync(msg, timeout=p.options.get("timeout"))

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
        return al.root().save_snapshot_sync(ref, storage)

    def do_respawn(self, p: Parsed) -> Any:
        assert p.name is not None and p.expr is not None
        storage = self._storage(p.verb, p.options.get("storage"))
        # Evaluated now, so a typo fails before the live actor is stopped.
        default = self.ev(p.verb, p.expr, "the default actor")
        autosave_expr = p.options.get("autosave")
        autosave = self.ev(p.verb, autosave_expr, "the autosave policy") if autosave_expr else None
        self._replace(p.name)
        try:
            ref = al.root().respawn_or_sync(
                storage,
                al.ActorId.from_name(p.name),
                runtime_args=None,
                default_args=lambda: default,
                name=p.name,
                autosave=autosave,
            )
        except (TypeError, ValueError) as exc:
            raise fail(p.verb, str(exc)) from None
        return self._bind(p.name, ref)

    def do_snapshots(self, p: Parsed) -> Any:
        from actorlab.views.snapshot_view import snapshot_list

        storage = self._storage(p.verb, p.expr)
        entries = al.snapshots(storage)
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
