"""The top table: columns, sorting, rates since the previous call, narrow consoles."""

from __future__ import annotations

import pytest

from actorlab.views import top

from .synth import NOW, aid, bank, info, rich_text

RATES = {aid("acct-1"): 12.5, aid("bank"): 0.0}


def test_top_table_by_restarts_with_rates_golden():
    model = top.build_top(bank(), sort="restarts", n=3, rates=RATES, interval=2.0, now=NOW)
    assert (
        rich_text(top.to_rich(model))
        == """\
                                     MBox                        Handler ms  Last
Path               Class    Status  (hwm)  Done   Δ/s  Restarts     avg/max   msg    Age
────────────────────────────────────────────────────────────────────────────────────────
/bank/acct-1       Account  ● idle  3 (7)   120  12.5         2    2.0/11.0  0.5s  1m00s
/Counter#9faa7578  Counter  ● idle  0 (0)     0     –         0           –     –  1m00s
/bank              Bank     ● idle  0 (2)    12   0.0         0   0.00/0.00     –  1m00s
3 of 5 actors by restarts · Δ/s since last refresh (2.0s ago)
"""
    )


def test_plain_fallback_has_the_same_columns_and_rows():
    model = top.build_top(bank(), sort="restarts", n=3, rates=RATES, interval=2.0, now=NOW)
    assert (
        top.to_plain(model)
        == """\
Path               Class    Status  MBox (hwm)  Done   Δ/s  Restarts  Handler ms avg/max  Last msg    Age
─────────────────  ───────  ──────  ──────────  ────  ────  ────────  ──────────────────  ────────  ─────
/bank/acct-1       Account  ● idle       3 (7)   120  12.5         2            2.0/11.0      0.5s  1m00s
/Counter#9faa7578  Counter  ● idle       0 (0)     0     –         0                   –         –  1m00s
/bank              Bank     ● idle       0 (2)    12   0.0         0           0.00/0.00         –  1m00s
3 of 5 actors by restarts · Δ/s since last refresh (2.0s ago)
"""
    )


def _paths(model: top.TopModel) -> list[str]:
    return [row[0] for row in model.rows]


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("mailbox", "/bank/acct-1"),
        ("mbox", "/bank/acct-1"),
        ("rate", "/bank/acct-1"),
        ("restarts", "/bank/acct-1"),
        ("handler_time", "/logger"),  # mean 10 ms, the slowest per message
        ("handler", "/logger"),
        ("done", "/bank/acct-1"),
    ],
)
def test_each_sort_key_puts_the_right_actor_first(sort, first):
    model = top.build_top(bank(), sort=sort, rates=RATES, interval=1.0, now=NOW)
    assert _paths(model)[0] == first
    assert len(model.rows) == 5


def test_ties_are_broken_by_path_so_the_order_is_stable():
    model = top.build_top(bank(), sort="mailbox", now=NOW)
    assert _paths(model) == [
        "/bank/acct-1",
        "/Counter#9faa7578",
        "/bank",
        "/bank/acct-2",
        "/logger",
    ]


def test_first_call_explains_how_to_get_rates():
    model = top.build_top(bank(), now=NOW)
    assert {row[5] for row in model.rows} == {"–"}
    assert model.caption.endswith(
        "Δ/s: call top() again to see rates (change since the previous call)"
    )


def test_unknown_sort_key_names_the_valid_ones():
    with pytest.raises(
        ValueError,
        match="cannot sort top by 'size'; use one of mailbox, rate, restarts, handler_time",
    ):
        top.build_top(bank(), sort="size")
    with pytest.raises(ValueError, match="n must be >= 1"):
        top.build_top(bank(), n=0)


def test_rate_meter_gives_the_change_per_second_since_the_previous_call():
    clock = iter([100.0, 102.0, 102.0]).__next__
    meter = top.RateMeter(clock=clock)
    first = [info("a", processed=10), info("b", processed=5)]
    assert meter.update(first) == ({}, None)
    second = [info("a", processed=30), info("b", processed=5), info("new", processed=3)]
    rates, interval = meter.update(second)
    assert interval == 2.0
    assert rates == {aid("a"): 10.0, aid("b"): 0.0}  # "new" has no previous sample
    assert meter.update(second) == ({}, None)  # no time passed: no rate rather than a division by 0


def test_narrow_console_drops_low_priority_columns_but_keeps_the_path():
    model = top.build_top(bank(), now=NOW)
    text = rich_text(top.to_rich(model), width=40)
    header = text.splitlines()[1]
    assert header.split() == ["Path", "Status", "(hwm)", "Restarts"]
    assert "/bank/acc" in text
