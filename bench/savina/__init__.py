"""The Savina actor benchmarks (Imam & Sarkar, AGERE 2014), S1–S8, on four implementations.

``spec`` holds what every implementation shares (sizes, the computations, the expected answers),
``messages`` the message types; ``impl_actorlab`` (public API only), ``impl_floor`` (the tuned
asyncio floor of ``bench.floors``: a task, a deque and a waking Future per actor), ``impl_pykka``
and ``impl_thespian`` (``simpleSystemBase``) each write the eight benchmarks natively for their
library. Every pass creates its actors, runs to completion and checks its answer.
"""
