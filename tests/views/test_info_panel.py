"""The info panel of one actor: meta, links & supervision, work, mailbox preview, state, errors."""

from __future__ import annotations

from dataclasses import replace

from actorlab.info import Status
from actorlab.views import info_panel

from .synth import NOW, aid, bank, error, preview, rich_text

FULL = """\
╭─ ● acct-1 · Account ─────────────────────────────────────╮
│ meta                                                     │
│   id               86293b1e-bbf7-508c-ab8b-bea5ee60541d  │
│   path             /bank/acct-1                          │
│   class            __main__.Account                      │
│   status           ● idle                                │
│   age              1m00s                                 │
│   persistent       yes, last saved 30s ago               │
│ links & supervision                                      │
│   parent           bank                                  │
│   children         1: #977a7d6d                          │
│   supervises with  default (terminate the failing child) │
│   failures         2                                     │
│   restarts         2                                     │
│ work                                                     │
│   processed        120                                   │
│   handler ms       avg 2.0 · max 11.0 · total 240        │
│   current handler  –                                     │
│   last message     0.5s ago                              │
│ mailbox                                                  │
│   length           3 (high-water 7)                      │
│   #   kind   type   message         from       waiting   │
│   ────────────────────────────────────────────────────   │
│   4   tell   Add    Add(amount=1)   notebook   1.5s      │
│   5   ask    Get    Get()           bank       0.2s      │
│   … 1 more not shown                                     │
│ state                                                    │
│   value            41                                    │
│   history          [1, 2, 3]                             │
│ last errors                                              │
│   KeyError: 'db'                                         │
│     in on_start, 3.0s ago                                │
│   ZeroDivisionError: first                               │
│     in handler on Add, 1m40s ago                         │
╰──────────────────────────────────────────────────────────╯
"""


def _account():
    first = error(at=NOW - 100, message="first")
    last = error(kind="on_start", type_="KeyError", message="'db'", msg_type=None, at=NOW - 3)
    return replace(
        bank()[1],
        mailbox_preview=(
            preview(4, "Add(amount=1)"),
            preview(5, "Get()", kind="ask", sender="bank", waited=0.25),
        ),
        state_preview={"value": "41", "history": "[1, 2, 3]"},
        persistent=True,
        last_snapshot_at=NOW - 30,
        children=(aid("x"),),
        errors=(first, last),
        last_error=last,
        failures=2,
    )


def _labels():
    return {i.id: i.label for i in bank()}


def test_info_panel_golden():
    model = info_panel.build_info(_account(), labels=_labels(), now=NOW)
    assert rich_text(info_panel.to_rich(model)) == FULL


def test_plain_fallback_has_every_section_and_value():
    text = info_panel.to_plain(info_panel.build_info(_account(), labels=_labels(), now=NOW))
    assert text.splitlines()[:3] == [
        "● acct-1 · Account",
        "meta",
        "  id               86293b1e-bbf7-508c-ab8b-bea5ee60541d",
    ]
    for line in (
        "links & supervision",
        "  parent           bank",
        "  #  kind  type  message        from      waiting",
        "  5  ask   Get   Get()          bank      0.2s",
        "  KeyError: 'db'",
        "    in handler on Add, 1m40s ago",
    ):
        assert line in text.splitlines()


def test_top_level_idle_actor_without_errors_has_no_error_or_state_section():
    text = info_panel.to_plain(info_panel.build_info(bank()[4], now=NOW))
    assert "  parent           root (top-level actor)" in text
    assert "last errors" not in text and "state" not in text.splitlines()
    assert "  handler ms       –" in text


def test_processing_actor_shows_its_current_handler_and_time_in_it():
    text = info_panel.to_plain(info_panel.build_info(bank()[3], now=NOW))
    assert "  current handler  write for 1.2s" in text
    assert text.startswith("▶ logger · Logger\n")


def test_many_children_and_errors_are_capped():
    errors = tuple(error(message=f"boom {i}", at=NOW - 10 + i) for i in range(5))
    many = replace(
        bank()[0],
        children=tuple(aid(f"c{i}") for i in range(11)),
        errors=errors,
        last_error=errors[-1],
        status=Status.FAILED,
    )
    text = info_panel.to_plain(info_panel.build_info(many, now=NOW))
    assert "  children         11: #" in text and ", +3 more" in text
    assert [line for line in text.splitlines() if "boom" in line] == [
        "  ZeroDivisionError: boom 4",
        "  ZeroDivisionError: boom 3",
        "  ZeroDivisionError: boom 2",
    ]
    assert "  … 2 earlier" in text
