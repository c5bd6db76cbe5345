"""The IPython magics: ``%actors`` (the tree), ``%actor VERB ...`` and ``%%actor trace``."""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, line_magic, magics_class

from .commands import Commands
from .parsing import ACTORS, HelpRequest, overview, parse, parse_actors


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
        return self.commands.run(parsed)

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
        return self.commands.actors(parsed)

    actors.__doc__ = ACTORS.help()
