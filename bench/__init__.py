"""actorlab benchmarks: the same workloads against actorlab, asyncio floors and pykka.

Run ``python -m bench`` (full, a few minutes) or ``python -m bench --quick`` (smoke test, used by
``make test``). Every (workload, implementation) pair runs in a fresh interpreter; see
``bench/runner.py`` for the method and ``bench/RESULTS.md`` for the committed numbers.
"""
