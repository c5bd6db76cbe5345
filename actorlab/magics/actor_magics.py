"""The IPython magics: ``%actors`` (the tree), ``%actor VERB ...`` and ``%%actor trace``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, line_magic, magics_class

from .commands import Commands
from .parsing import ACTORS, HelpRequest, one_line, overview, parse, parse_actors


@magics_class
class ActorMagics(Magics):
    """``%actor`` and ``%actors``; ``%load_ext actorlab`` registers them."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self.commands = Commands(shell)

    @line_cell_magic
    def actor(self, line: str, cell: str | None = None) -> Any:
        __tracebackhide__ = True
        try:
            if cell is not None:
                return self._cell(line, cell)
            parsed = parse(line)
        except HelpRequest as request:
            print(request.text)
            return None
        return _one_line_errors(line, lambda: self.commands.run(parsed))

    actor.__doc__ = overview() + "\n\nCell magic: %%actor trace [--limit N] traces a whole cell."

    def _cell(self, line: str, cell: str) -> Any:
        __tracebackhide__ = True
        parsed = parse(line, cell=True)
        if parsed.verb.name != "trace":
            raise UsageError(
                f"%%actor: only %%actor trace is a cell magic, got %%actor {line.strip()!r}; "
                f"use %actor {parsed.verb.name} ... on a line"
            )
        return self.commands.traced(parsed.verb, cell, parsed.options)

    @line_magic
    def actors(self, line: str) -> Any:
        try:
            parsed = parse_actors(line)
        except HelpRequest as request:
            print(request.text)
            return None
        return _one_line_errors("", lambda: self.commands.actors(parsed), "%actors")

    actors.__doc__ = ACTORS.help()


#: Marks an error the commands did not turn into a usage error themselves (the fuzz test
#: fails on it): still one line, but it names no fix, so it is a bug to report.
UNEXPECTED = "unexpected"


def _one_line_errors(line: str, run: Callable[[], Any], magic: str = "%actor") -> Any:
    """Run a verb; whatever goes wrong reaches the user as a one-line ``UsageError``."""
    __tracebackhide__ = True
    try:
        return run()
    except UsageError as exc:
        text = str(exc)
        if "\n" not in text:
            raise
        raise UsageError(one_line(text)) from None
    except Exception as exc:
        verb = f"{magic} {line.strip().partition(' ')[0]}".rstrip()
        raise UsageError(
            f"{verb}: {UNEXPECTED} {type(exc).__name__}: {one_line(str(exc))} (this is a bug "
            f"in actorlab's magics; the Python API, e.g. ref.info(), shows the full error)"
        ) from None
