"""An actor's mailbox: its queued messages, in order, each with its envelope.

Runs: a plain tell from the same sender, origin (notebook cell) and handler as the envelope
last queued joins that envelope's run: the mailbox stores the envelope once, then the bare
messages of its run. A flood then costs one tracked object per message fewer for the garbage
collector, which is most of its cost. Only this class reads or writes that encoding; everything
else sees whole envelopes (``take``, ``envelopes``) or a message with ``head``, the envelope in
force for it (``pop_sync``).
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable, Iterator
from typing import Any

from .envelope import Envelope, member, tell_envelope
from .messages import HandlerSpec

#: ``pop_sync`` found no message it may take.
NOTHING: Any = object()
_NO_ITEMS: Any = ()  # shared stand-in until the first message: idle actors stay small


class Mailbox:
    """Queued messages of one actor. Runs on the runtime thread only."""

    __slots__ = ("_items", "_tail", "head", "hwm")

    def __init__(self) -> None:
        self._items: collections.deque[Any] = _NO_ITEMS
        self._tail: Envelope | None = None  # the last envelope queued, if a run may join it
        self.head: Envelope | None = None  # the envelope of the message taken last
        self.hwm = 0  # the most messages ever queued at once

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def put(self, env: Envelope, more: list[Any] = _NO_ITEMS) -> None:
        """Queue a message with its envelope. A plain tell's (one from another thread) may
        join the run before it, like ``tell``, and ``more`` (the rest of its burst: bare
        messages) follows it in its run; an ask's, forward's or traced tell's stands alone."""
        if env.reply is None and env.corr_id is None:
            self.tell(env.msg, env.spec, env.sender, env.origin, env)
            if more:
                items = self._items
                items.extend(more)
                if len(items) > self.hwm:
                    self.hwm = len(items)
            return
        items = self._items
        if items is _NO_ITEMS:
            items = self._items = collections.deque()
        items.append(env)
        self._tail = None
        if len(items) > self.hwm:
            self.hwm = len(items)

    def tell(
        self, msg: Any, spec: HandlerSpec, sender: Any, origin: object, env: Envelope | None = None
    ) -> None:
        """Queue a plain tell, joining the last envelope's run when it may (same handler,
        sender and origin); else its envelope (``env``, or one made now) starts a run."""
        items = self._items
        tail = self._tail
        if (
            tail is None
            or not items
            or tail.spec is not spec
            or tail.sender is not sender
            or tail.origin is not origin
            or type(msg) is Envelope
        ):
            if items is _NO_ITEMS:
                items = self._items = collections.deque()
            msg = self._tail = (
                env if env is not None else tell_envelope(msg, spec, sender, origin, time.time())
            )
        items.append(msg)
        if len(items) > self.hwm:
            self.hwm = len(items)

    def take_async(self) -> Envelope | None:
        """Take the first message as a whole envelope if its handler is async, else None."""
        item = self._items[0]
        if type(item) is Envelope:
            if not item.spec.is_async:
                return None
            self._items.popleft()
            self.head = item
            return item
        head = self.head
        assert head is not None
        if not head.spec.is_async:
            return None
        return member(head, self._items.popleft())

    def pop_sync(self) -> Any:
        """Take the first message if its handler is sync (``head`` is then its envelope);
        ``NOTHING`` when the mailbox is empty or the first handler is async."""
        items = self._items
        if not items:
            return NOTHING
        item = items[0]
        if type(item) is Envelope:
            if item.spec.is_async:
                return NOTHING
            items.popleft()
            self.head = item
            return item.msg
        head = self.head
        assert head is not None
        if head.spec.is_async:
            return NOTHING
        return items.popleft()

    def take(self) -> Envelope:
        """Take the first message as a whole envelope."""
        item = self._items.popleft()
        if type(item) is Envelope:
            self.head = item
            return item
        assert self.head is not None
        return member(self.head, item)

    def idle(self) -> bool:
        """If nothing is queued, forget the last envelopes (so no handled message is kept
        alive) and say so."""
        if self._items:
            return False
        self.head = self._tail = None
        return True

    def rebind(self, spec_for: Callable[[Envelope], HandlerSpec | None]) -> list[Envelope]:
        """Give every queued message the handler ``spec_for`` finds now (live code: the actor's
        class changed); removes and returns those it finds none for. Runs are undone."""
        kept: collections.deque[Any] = collections.deque()
        refused = []
        for env in self.envelopes():
            spec = spec_for(env)
            if spec is None:
                refused.append(env)
            else:
                kept.append(env._replace(spec=spec))
        if self._items:
            self._items = kept
        self._tail = None
        return refused

    def envelopes(self) -> Iterator[Envelope]:
        """The queued messages as whole envelopes, in order (without taking them)."""
        h = self.head
        for item in list(self._items):
            if type(item) is Envelope:
                h = item
                yield item
            else:
                assert h is not None
                yield member(h, item)
