"""The snapshot inspector: header, by-value code warning, state fields, picklability report."""

from __future__ import annotations

import re
import socket
from types import SimpleNamespace
from typing import NamedTuple

from actorlab.views import snapshot_view as sv

from .synth import aid, rich_text

HEADER = SimpleNamespace(
    actor_id=str(aid("counter")),
    actor_class="__main__.Counter",
    created="2024-05-01T12:00:00.000+00:00",
    python="3.11.7",
    python_tag="cp311",
    implementation="cpython",
    dill="0.4.1",
    contains_code=True,
    code=("__main__.Counter",),
    anonymous_code=1,
    payload_len=412,
    payload_sha256="ab" * 32,
    signed=False,
    format=1,
    size=1034,
)


class Counter:
    def __init__(self):
        self.value = 41
        self.history = [1, 2, 3]
        self._al_ctx = "runtime-only"
        self.name = "x" * 100


class Item(NamedTuple):  # the shape of actorlab.persistence.diagnose.PicklabilityItem
    path: str
    type: str
    ok: bool
    error: str | None


REPORT = [
    Item("Counter.value", "int", True, None),
    Item("Counter.conn", "socket", False, "TypeError: cannot pickle 'socket' object"),
    Item("Counter.lock", "lock", True, "warning: a lock is recreated unlocked"),
]

GOLDEN = """\
╭─ snapshot · __main__.Counter · FileStorage('snapshots') ─────────────────────────────────────────╮
│ header                                                                                           │
│   actor id        c13ede72-2ac3-5325-a1f5-39900072a01a                                           │
│   class           __main__.Counter                                                               │
│   created         2024-05-01T12:00:00.000+00:00                                                  │
│   size            1034 bytes (payload 412)                                                       │
│   payload sha256  abababababababab…                                                              │
│   signed (HMAC)   no                                                                             │
│   format          1                                                                              │
│   written by      Python 3.11.7 (cp311, cpython), dill 0.4.1                                     │
│ code                                                                                             │
│   class source    by value (notebook)                                                            │
│   ⚠ class pickled by value (notebook): this snapshot carries its own copy of __main__.Counter    │
│   (and 1 lambda/closure), as defined when it was saved. Re-run the cells that define them before │
│   respawning so the actor uses the current code; the saved copy is used only when that name no   │
│   longer exists. The copy only loads on Python cp311.                                            │
│ state                                                                                            │
│   field     type   value                                                                         │
│   ─────────────────────────────────────────────────────────────────────────────                  │
│   value     int    41                                                                            │
│   history   list   [1, 2, 3]                                                                     │
│   name      str    'xxxxxxxxxxxxxxxxxxxxxxxxxxx...xxxxxxxxxxxxxxxxxxxxxxxxxxxx'                  │
│ picklability                                                                                     │
│   field           type     ok     problem                                                        │
│   ────────────────────────────────────────────────────────────────────────                       │
│   Counter.value   int      yes                                                                   │
│   Counter.conn    socket   NO     TypeError: cannot pickle 'socket' object                       │
│   Counter.lock    lock     warn   warning: a lock is recreated unlocked                          │
│   1 field(s) cannot be saved; see the problems above                                             │
│   1 value(s) pickle but will not mean the same after loading                                     │
╰──────────────────────────────────────────────────────────────────────────────────────────────────╯
"""


def test_snapshot_inspector_golden_with_state_and_report():
    model = sv.build_snapshot(HEADER, Counter(), report=REPORT, source="FileStorage('snapshots')")
    assert rich_text(sv.to_rich(model)) == GOLDEN


def test_module_class_is_by_reference_and_has_no_warning():
    header = SimpleNamespace(
        **{
            **vars(HEADER),
            "actor_class": "bank.accounts.Account",
            "contains_code": False,
            "code": (),
            "anonymous_code": 0,
            "signed": True,
        }
    )
    assert sv.by_value_warning(header) is None
    text = sv.to_plain(sv.build_snapshot(header))
    assert "  class source    by reference (module bank.accounts)" in text
    assert "  signed (HMAC)   yes" in text
    assert "state" not in text.splitlines() and "⚠" not in text


def test_main_class_warns_even_when_the_header_does_not_flag_code():
    header = SimpleNamespace(
        **{**vars(HEADER), "contains_code": False, "code": (), "anonymous_code": 0}
    )
    assert sv.by_value_warning(header).startswith(
        "⚠ class pickled by value (notebook): this snapshot carries its own copy of __main__.Counter,"
    )


def test_raw_json_header_dict_is_understood():
    raw = {
        "actor": {"id": "abc", "class": "__main__.Counter"},
        "python_tag": "cp312",
        "contains_code": True,
        "code": ["__main__.Counter"],
        "anonymous_code": 0,
        "format": 1,
    }
    text = sv.to_plain(sv.build_snapshot(raw))
    assert "  actor id        abc" in text
    assert "  written by      Python ? (cp312, ?), dill ?" in text
    assert "The copy only loads on Python cp312." in text


def test_state_fields_of_plain_values_and_broken_reprs():
    class Broken:
        def __repr__(self):
            raise RuntimeError("no")

    assert sv.state_fields(None) == [("(value)", "NoneType", "None")]
    assert sv.state_fields(7) == [("(value)", "int", "7")]
    assert sv.state_fields({"a": 1}) == [("(value)", "dict", "{'a': 1}")]
    [(name, kind, text)] = sv.state_fields(SimpleNamespace(bad=Broken()))
    assert (name, kind) == ("bad", "Broken")
    assert re.fullmatch(r"<Broken instance at 0x[0-9a-f]+>", text)  # reprlib's fallback


def test_report_all_ok_and_empty():
    ok = sv.to_plain(sv.build_snapshot(HEADER, report=[("value", True, "")]))
    assert "  every field pickles" in ok
    assert "  nothing to check" in sv.to_plain(sv.build_snapshot(HEADER, report=[]))
    as_dicts = sv.to_plain(sv.build_snapshot(HEADER, report=[{"field": "f", "problem": "boom"}]))
    assert "  f            NO  boom" in as_dicts
    as_tuples = sv.to_plain(sv.build_snapshot(HEADER, report=[("a", True, ""), ("b", False, "x")]))
    assert "  a            yes\n  b            NO   x\n" in as_tuples


class Holder:
    def __init__(self):
        self.value = 1
        self.conn = socket.socket()


def test_real_picklability_report_renders():
    from actorlab.persistence.diagnose import picklability_report

    holder = Holder()
    try:
        text = sv.to_plain(sv.build_snapshot(HEADER, holder, report=picklability_report(holder)))
    finally:
        holder.conn.close()
    rows = text[text.index("picklability") :].splitlines()
    assert rows[2].split()[:3] == ["Holder.value", "int", "yes"]
    assert rows[3].split()[:3] == ["Holder.conn", "socket", "NO"]
    assert "1 field(s) cannot be saved" in text


def test_snapshot_list_rows_from_entries_and_unreadable_ones():
    good = SimpleNamespace(
        actor_id=aid("counter"),
        header=SimpleNamespace(**vars(HEADER), raw={"actor": {"path": "/counter"}}),
        error=None,
        version=3,
    )
    bad = SimpleNamespace(
        actor_id=aid("broken"), header=None, error="snapshot of actor id x: truncated", version=None
    )
    text = sv.snapshot_list([good, bad], source="SQLiteStorage('h.db')").text(100)
    assert [line.rstrip() for line in text.splitlines()] == [
        "2 snapshots in SQLiteStorage('h.db')",
        "id           path      class             created (UTC)                      bytes  code",
        "─" * 91,
        "c13ede72 v3  /counter  __main__.Counter  2024-05-01 12:00:00                 1034  by value",
        "b0a19d4e     –         unreadable        snapshot of actor id x: truncated",
    ]
    plain = sv.snapshot_list([good, bad], source="SQLiteStorage('h.db')")._plain()
    assert (
        plain.splitlines()[3]
        == "b0a19d4e     –         unreadable        snapshot of actor id x: truncated"
    )
