"""Ask deadlines on one heap and one loop timer (``actorlab.deadlines``)."""

from __future__ import annotations

import asyncio

from actorlab.deadlines import Deadlines, Expired


def test_earliest_deadline_fires_first_with_a_single_timer() -> None:
    async def main() -> list[str]:
        loop = asyncio.get_running_loop()
        d = Deadlines(loop)
        late, early, answered = loop.create_future(), loop.create_future(), loop.create_future()
        d.add(late, 0.05)
        d.add(early, 0.01)  # earlier than the armed timer: re-armed for it
        d.add(answered, 0.02)
        answered.set_result("ok")
        timers = [h for h in loop._scheduled if not h.cancelled()]  # type: ignore[attr-defined]
        assert len(timers) == 1
        order: list[str] = []
        for name, fut in (("early", early), ("late", late)):
            try:
                await fut
            except Expired:
                order.append(name)
        assert answered.result() == "ok" and len(d) == 0
        return order

    assert asyncio.run(main()) == ["early", "late"]


def test_answered_asks_are_dropped_so_the_heap_stays_bounded() -> None:
    async def main() -> int:
        loop = asyncio.get_running_loop()
        d = Deadlines(loop)
        for _ in range(10_000):
            fut = loop.create_future()
            d.add(fut, 60.0)
            fut.set_result(None)
            d.done()
        return len(d)

    assert asyncio.run(main()) <= 66
