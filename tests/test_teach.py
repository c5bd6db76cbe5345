"""actorlab.teach: checks that name the misconception, self-resetting exercises, predictions,
solutions and kernel marks."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

import actorlab as al
from actorlab import teach


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    al.shutdown(timeout=2.0)
    monkeypatch.setattr(teach, "_exercises", {})
    monkeypatch.setattr(teach, "_attempts", {})
    monkeypatch.setattr(teach, "_marks", {})
    yield
    al.shutdown(timeout=2.0)


@dataclass
class Add:
    amount: int


@dataclass
class Get:
    pass


class Counter(al.Actor):
    def __init__(self) -> None:
        self.value = 0

    @al.handler
    def add(self, msg: Add) -> None:
        self.value += msg.amount

    @al.handler
    def get(self, msg: Get) -> int:
        return self.value


def test_right_answer_prints_a_tick_and_returns_the_value(capsys):
    ex = teach.Exercise("sum")
    assert ex.check(lambda: 2 + 2, expected=4, why="arithmetic") == 4
    assert capsys.readouterr().out == "✓ sum: right. arithmetic\n"


def test_wrong_answer_names_the_misconception_then_the_hint():
    ex = teach.Exercise("fifo")
    with pytest.raises(teach.NotYet) as caught:
        ex.check(
            100, expected=1, wrong={100: "a mailbox is a queue, not a stack"}, hint="oldest first"
        )
    assert isinstance(caught.value, AssertionError)
    assert str(caught.value) == "✗ fifo: a mailbox is a queue, not a stack\nHint: oldest first"
    assert (caught.value.exercise, caught.value.attempt) == ("fifo", 1)
    assert (
        caught.value._render_traceback_() == str(caught.value).splitlines()
    )  # IPython: no traceback


def test_predicates_and_pairs_and_exception_types_name_misconceptions():
    ex = teach.Exercise("kinds")
    wrong = [([1], "a list key works as a pair"), (lambda v: isinstance(v, str), "a string")]
    with pytest.raises(teach.NotYet, match="a list key works as a pair"):
        ex.check([1], expected=[2], wrong=wrong)
    with pytest.raises(teach.NotYet, match="a string"):
        ex.check("2", expected=2, wrong=wrong)

    def crash():
        raise KeyError("x")

    with pytest.raises(teach.NotYet, match="no such key: "):
        ex.check(crash, expected=1, wrong={KeyError: "no such key: "})
    with pytest.raises(teach.NotYet, match="your code raised KeyError: 'x'"):
        ex.check(crash, expected=1)


def test_expected_may_be_a_predicate_and_omitted_means_no_raise(capsys):
    ex = teach.Exercise("pred")
    assert ex.check(7, expected=lambda v: v > 5) == 7

    def asserts():
        assert 1 == 2, "one is not two"

    with pytest.raises(teach.NotYet, match="a check failed: one is not two"):
        ex.check(asserts)
    ex.check(lambda: None)
    assert capsys.readouterr().out.count("✓ pred") == 2


@pytest.mark.parametrize(
    ("answer", "text"),
    [
        (..., "not answered yet: replace the `...`"),
        (lambda: undefined_name, "not answered yet: name 'undefined_name' is not defined"),  # noqa: F821
        (lambda: (_ for _ in ()).throw(NotImplementedError), "not answered yet: write your code"),
    ],
    ids=["ellipsis", "undefined-name", "not-implemented"],
)
def test_a_blank_start_gets_the_hint_not_a_bare_assertion(answer, text):
    with pytest.raises(teach.NotYet) as caught:
        teach.Exercise("blank").check(answer, expected=3, hint="count in a dict")
    assert str(caught.value).startswith(f"✗ blank: {text}")
    assert str(caught.value).endswith("Hint: count in a dict")


def test_the_second_failure_points_to_the_solution_even_after_a_rerun():
    with pytest.raises(teach.NotYet) as first:
        teach.Exercise("again").check(1, expected=2)
    assert "teach.solution" not in str(first.value)
    with pytest.raises(teach.NotYet) as second:
        teach.Exercise("again").check(1, expected=2)
    assert "teach.solution('again') shows a worked solution" in str(second.value)


def test_handler_errors_are_judged_by_their_cause():
    class Broken(al.Actor):
        @al.handler
        def get(self, msg: Get) -> int:
            raise ZeroDivisionError("oops")

    ex = teach.Exercise("broken")
    ref = ex.spawn(Broken())
    with pytest.raises(teach.NotYet, match="divided by zero somewhere"):
        ex.check(
            lambda: ref.ask_sync(Get()),
            expected=1,
            wrong={ZeroDivisionError: "divided by zero somewhere"},
        )


def test_rerun_stops_the_actors_the_exercise_spawned():
    first = teach.Exercise("own")
    old = first.spawn(Counter(), name="tally")
    second = teach.Exercise("own")
    assert old.is_closed()
    new = second.spawn(Counter(), name="tally")
    assert al.lookup("tally") == new and not new.is_closed()


def test_own_adopts_an_actor_spawned_elsewhere():
    ex = teach.Exercise("own")
    ref = ex.own(al.root().spawn(Counter()))
    teach.Exercise("own")
    assert ref.is_closed()


def test_spawn_replaces_a_live_actor_holding_the_name():
    stray = al.root().spawn(Counter(), name="tally")
    ref = teach.Exercise("own").spawn(Counter(), name="tally")
    assert stray.is_closed() and al.lookup("tally") == ref


def _paused_attempt(ex, counter, answer):
    """Tutorial 02's exercise: pause, queue three, step once, check which one ran."""
    ex.reset(counter)
    counter.pause()
    start = int(counter.info().state_preview["value"])
    for amount in (1, 10, 100):
        counter.tell(Add(amount))
    counter.step()
    handled = int(counter.info().state_preview["value"]) - start
    assert handled == 1
    ex.check(answer, expected=handled, wrong={100: "LIFO"})
    counter.resume()


def test_a_failed_check_leaves_no_paused_actor_and_the_rerun_passes():
    counter = al.root().spawn(Counter(), name="counter")
    with pytest.raises(teach.NotYet, match="LIFO"):
        _paused_attempt(teach.Exercise("order"), counter, 100)
    assert counter.info().status is not al.Status.PAUSED
    assert counter.ask_sync(Get()) == 111  # the queued messages of the failed attempt ran
    _paused_attempt(teach.Exercise("order"), counter, 1)


def test_a_rerun_after_an_error_mid_cell_resets_the_borrowed_actor():
    counter = al.root().spawn(Counter(), name="counter")
    ex = teach.Exercise("order")
    ex.reset(counter)
    counter.pause()
    counter.tell(Add(5))
    # the cell raised here (say a typo): the counter is paused with a message queued
    _paused_attempt(teach.Exercise("order"), counter, 1)
    assert counter.ask_sync(Get()) == 116


def test_predict_then_reveal(capsys):
    q = teach.predict("Which is handled first?", ["Add(1)", "Add(100)"])
    out = capsys.readouterr().out
    assert out.startswith("Predict: Which is handled first?\n  a) Add(1)\n  b) Add(100)\n")
    assert teach.reveal(q, "a", answer="a", why="FIFO per sender", observed=1) is True
    out = capsys.readouterr().out
    assert (
        out == "Observed: 1\n✓ You predicted it. The answer is a) Add(1).\nWhy: FIFO per sender\n"
    )
    assert teach.reveal(q, "b", answer="a", why="FIFO") is False
    assert "✗ You guessed b) Add(100)." in capsys.readouterr().out
    assert teach.reveal(q, ..., answer="a", why="FIFO") is False
    assert "You did not guess" in capsys.readouterr().out
    with pytest.raises(ValueError, match="'z' is not one of"):
        teach.reveal(q, "a", answer="z", why="")


def test_solution_prints_the_file_next_to_the_notebook(tmp_path, monkeypatch, capsys):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "tally.py").write_text("class Tally: ...\n")
    monkeypatch.chdir(tmp_path)
    teach.solution("tally")
    out = capsys.readouterr().out
    assert out.endswith("class Tally: ...\n\n") and "Solution of 'tally'" in out
    with pytest.raises(FileNotFoundError, match="no solution named 'nope'"):
        teach.solution("nope")


def test_require_restart_fires_only_in_the_marked_process():
    teach.require_restart("10a", "10b")
    teach.mark_kernel("10a")
    with pytest.raises(teach.NeedsRestart, match="Kernel -> Restart Kernel, then run 10b"):
        teach.require_restart("10a", "10b")


def test_teach_imports_no_ipython_at_import_time():
    import subprocess
    import sys

    code = "import actorlab.teach, sys; print('IPython' in sys.modules)"
    env_out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert env_out.stdout.strip() == "False"


def test_solution_load_puts_it_into_the_next_cell_through_the_shells_builtin(monkeypatch, capsys):
    import builtins

    from actorlab import teach

    got = []

    class Shell:
        def set_next_input(self, text, replace=False):
            got.append((text, replace))

    monkeypatch.setattr(builtins, "get_ipython", lambda: Shell(), raising=False)
    teach.solution("tally", load=True)
    assert got and "class Tally" in got[0][0] and got[0][1] is False
    monkeypatch.delattr(builtins, "get_ipython")
    teach.solution("tally", load=True)  # outside IPython: printed only
    assert len(got) == 1 and "class Tally" in capsys.readouterr().out
