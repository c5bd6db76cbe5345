"""What one process does with a batch that another sent it: tells, spawns, forwards and asks,
in the order they were sent (a node runtime's ``deliver``, the notebook's relay loop).

A batch is a list of ``(address, payload)``: an actor id and a message for a tell, or one of the
marks below (ids are never empty, never start with ``?``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from actorlab.errors import ActorlabError

SPAWN = ""  # (args, name, actor id): a top-level spawn
FORWARD = "?forward"  # (actor id, message, target ref): the reply is told to target
ASK = "?ask"  # (token, actor id, message, timeout, asker's home): the reply goes back there

log = logging.getLogger("actorlab")


def receive(
    batch: list[tuple[str, Any]],
    find: Callable[[str], Any],
    spawn: Callable[[Any, str | None, str], None] | None = None,
    reply: Callable[[str, str, tuple[str, Any]], None] | None = None,
) -> None:
    """Deliver ``batch`` here; ``find(actor_id)`` is the local ref or None. A message for an
    actor that is gone is dropped (at most once)."""
    for address, payload in batch:
        try:
            if address == SPAWN and spawn is not None:
                spawn(*payload)
            elif address == FORWARD:
                actor_id, msg, target = payload
                ref = find(actor_id)
                if ref is not None:
                    ref.forward(msg, target)
            elif address == ASK and reply is not None:
                _ask(find, reply, *payload)
            else:
                ref = find(address)
                if ref is not None:
                    ref.tell(payload)
        except ActorlabError:
            pass  # stopped meanwhile: at most once
        except Exception:
            log.exception("actorlab: a message from another process could not be delivered")


def _ask(
    find: Callable[[str], Any],
    reply: Callable[[str, str, tuple[str, Any]], None],
    token: str,
    actor_id: str,
    msg: Any,
    timeout: float | None,
    home: str,
) -> None:
    from .host import _error_tuple

    ref = find(actor_id)
    if ref is None:
        from actorlab.errors import ActorClosed

        reply(home, token, ("error", _error_tuple(ActorClosed(f"actor {actor_id} has stopped"))))
        return
    fut = ref._live(allow_closed=True).runtime.submit(ref.ask(msg, timeout=timeout))

    def done(f: Any) -> None:
        exc = f.exception()
        reply(home, token, ("ok", f.result()) if exc is None else ("error", _error_tuple(exc)))

    fut.add_done_callback(done)
