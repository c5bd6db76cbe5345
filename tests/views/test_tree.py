"""The supervision tree: glyphs, counts, errors, collapse, depth, subtree; rich and plain agree."""

from __future__ import annotations

import pytest

from actorlab.info import Status
from actorlab.views import tree

from .synth import aid, bank, error, info, rich_text

BANK = """\
actorlab · 5 actors: 3 idle, 1 processing, 1 failed
├── ● bank  Bank  mbox=0 done=12
│   ├── ● acct-1  Account  mbox=3 done=120 ↻2
│   └── ✖ acct-2  Account  mbox=0 done=4  ZeroDivisionError: division by zero
├── ▶ logger  Logger  mbox=0 done=7
└── ● Counter#9faa7578  mbox=0 done=0
"""

BANK_FULL = """\
actorlab · 5 actors: 3 idle, 1 processing, 1 failed
├── ● bank  Bank #57c4f26f  mbox=0 done=12  age 1m00s
│   ├── ● acct-1  Account #86293b1e  mbox=3 done=120 ↻2  age 1m00s
│   └── ✖ acct-2  Account #052a7d62  mbox=0 done=4  age 1m00s  ZeroDivisionError: division by zero
├── ▶ logger  Logger #ed708285  mbox=0 done=7  age 1m00s  in write for 1.2s
└── ● Counter#9faa7578  mbox=0 done=0  age 1m00s
"""


def test_tree_shows_glyphs_names_classes_counts_and_failures():
    assert rich_text(tree.to_rich(tree.build_tree(bank()))) == BANK


def test_plain_fallback_draws_the_same_tree_without_rich():
    assert tree.to_plain(tree.build_tree(bank())) == BANK


def test_full_mode_adds_ids_ages_and_current_handler():
    assert rich_text(tree.to_rich(tree.build_tree(bank(), show="full"))) == BANK_FULL


def _pool(workers: int, failing: tuple[int, ...]) -> list:
    infos = [info("pool", "Pool", children=tuple(f"w{i}" for i in range(workers)))]
    for i in range(workers):
        failed = i in failing
        infos.append(
            info(
                None,
                "Worker",
                key=f"w{i}",
                parent="pool",
                path=f"/pool/w{i}",
                status=Status.FAILED if failed else Status.IDLE,
                processed=10,
                mailbox=1 if i < 5 else 0,
                last_error=error() if failed else None,
            )
        )
    infos.append(info("sub", "Sub", parent="w0", path="/pool/w0/sub"))
    infos.append(info("monitor", "Monitor", parent="pool", path="/pool/monitor"))
    return infos


def test_large_sibling_groups_collapse_into_one_line_listing_failing_members():
    expected = """\
actorlab · 33 actors: 31 idle, 2 failed
└── ● pool  Pool  mbox=0 done=0
    ├── ≡ Worker ×30  28 idle, 2 failed  mbox=5 done=300  (+1 below)
    │   ├── ✖ Worker#614dbdbc  mbox=1 done=10  ZeroDivisionError: division by zero
    │   └── ✖ Worker#eccc6e6b  mbox=0 done=10  ZeroDivisionError: division by zero
    └── ● monitor  Monitor  mbox=0 done=0
"""
    model = tree.build_tree(_pool(30, failing=(3, 17)), collapse_over=10)
    assert rich_text(tree.to_rich(model)) == expected
    assert tree.to_plain(model) == expected


def test_collapsed_group_lists_at_most_five_failing_members():
    model = tree.build_tree(_pool(12, failing=tuple(range(8))), collapse_over=10)
    group = model.children[0].children[0]
    assert group.text.startswith("≡ Worker ×12  4 idle, 8 failed")
    assert [c.text[:2] for c in group.children[:5]] == ["✖ "] * 5
    assert group.children[5].text == "… 3 more failing"


def test_groups_at_or_below_the_threshold_are_drawn_one_by_one():
    model = tree.build_tree(_pool(10, failing=()), collapse_over=10)
    assert len(model.children[0].children) == 11  # 10 workers + monitor


def test_depth_limit_summarizes_what_is_below():
    text = tree.to_plain(tree.build_tree(bank(), depth=1))
    assert "├── ● bank  Bank  mbox=0 done=12\n│   └── … 2 more below (depth=1)\n" in text
    assert "acct-1" not in text


def test_empty_runtime_says_how_to_start():
    assert tree.to_plain(tree.build_tree([])) == (
        "actorlab · no actors (spawn one with al.root().spawn(...))\n"
    )


def test_subtree_of_one_actor_has_no_title():
    text = rich_text(tree.to_rich(tree.build_tree(bank(), root=aid("bank"))))
    assert text == (
        "● bank  Bank  mbox=0 done=12\n"
        "├── ● acct-1  Account  mbox=3 done=120 ↻2\n"
        "└── ✖ acct-2  Account  mbox=0 done=4  ZeroDivisionError: division by zero\n"
    )


def test_actor_whose_parent_is_not_listed_is_drawn_at_the_top():
    orphan = info("orphan", "Child", parent="gone", path="/gone/orphan")
    assert tree.to_plain(tree.build_tree([orphan])).splitlines()[1].startswith("└── ● orphan")


def test_status_styles_colour_the_glyph_and_name():
    bank_line, logger_line = tree.build_tree(bank()).children[:2]
    failed = bank_line.children[1]
    assert [(p.text, p.style) for p in failed.parts[:2]] == [
        ("✖ ", "bold red"),
        ("acct-2", "bold red"),
    ]
    assert [p.style for p in bank_line.parts[:2]] == ["green", "bold green"]
    assert [p.style for p in logger_line.parts[:2]] == ["bold cyan", "bold cyan"]
    mbox = next(p for p in bank_line.children[0].parts if p.text.startswith("mbox="))
    assert (mbox.text, mbox.style) == ("mbox=3", "yellow")  # a non-empty mailbox stands out


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"show": "wide"}, "show='wide' is not a tree mode"),
        ({"collapse_over": 0}, "collapse_over must be >= 1"),
    ],
)
def test_bad_options_are_refused_with_the_valid_ones(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tree.build_tree(bank(), **kwargs)
