"""Exercises that answer back, predictions, hidden solutions: the tutorials' teaching helpers.

    from actorlab import teach

    ex = teach.Exercise("tally")              # re-running this cell undoes the last attempt
    tally = ex.spawn(Tally(), name="tally")   # owned: stopped when the cell runs again
    for w in "the cat saw the dog and the bird".split():
        tally.tell(Word(w))
    ex.check(lambda: tally.ask_sync(CountOf("the")), expected=3,
             wrong={1: "you store the word, not a count: a dict of counts is the state",
                    al.UnhandledMessage: "Tally has no handler for CountOf yet"},
             hint="keep a dict word -> count and add 1 in the Word handler",
             why="only Tally's handlers touch `counts`, one message at a time")

- ``ex.check(answer, expected=..., wrong=..., hint=..., why=...)``: ``answer`` is a value or a
  zero-argument callable (called once; what it raises is judged too). Prints ``✓ name: ...`` when
  right, else raises ``NotYet`` (an ``AssertionError``, so a notebook run in CI fails on a wrong
  solution) whose message names the misconception (``wrong``: keys are values compared with
  ``==``, predicates ``value -> bool`` or exception classes; a list of pairs works for unhashable
  keys) and then the hint. From the second failed attempt on, it also points to
  ``teach.solution(name)``. ``expected`` may be a predicate; omitted, a callable that returns
  without raising passes (put ``assert``s in it). ``...`` (Ellipsis) or ``NotImplementedError``
  or an undefined name mean "not answered yet": the learner gets the hint, never a bare assert.
- ``ex.spawn(args, name=None)``: an actor the exercise owns (a live actor already holding
  ``name`` is stopped first); ``ex.own(ref)`` adopts one spawned otherwise (``respawn_or_sync``).
  Creating ``Exercise(name)`` again stops them.
- ``ex.reset(*refs)``: actors the exercise borrows. Now, on a failed check and on re-run, each
  is set running again after its leftover mailbox is handled (a paused counter with queued
  messages from a failed attempt would otherwise break the next, correct attempt).
- ``q = teach.predict(question, choices)`` prints a question; the learner writes a guess in the
  next cell; ``teach.reveal(q, guess, answer=key, why=..., observed=...)`` says whether it was
  right and why (never raises: predictions are not graded).
- ``teach.solution(name)`` prints ``solutions/<name>.py`` (next to the notebook, else the copy
  packaged with actorlab). ``load=True`` also puts it into a new cell in Jupyter.
- ``teach.mark_kernel(tag)`` / ``teach.require_restart(tag, notebook)``: a notebook leaves a
  mark in the process; a later one that needs a fresh kernel raises ``NeedsRestart`` if it is
  there (10a -> Kernel -> Restart -> 10b).

Notebook convention (the suite in tests/notebooks/ relies on it): the cell the learner fills has
``metadata.actorlab.exercise = name`` and starts blank (``...`` or ``raise NotImplementedError``);
the cell(s) calling ``ex.check`` have ``metadata.actorlab.check = name`` and the tag
``raises-exception`` (the blank start raises ``NotYet``); ``notebooks/solutions/<name>.py`` is
the solution the tests put in the exercise cell. Put exercises last: a raising cell stops
"Run All". Public API only; nothing here imports IPython (``load=True`` uses the shell's own
``get_ipython`` builtin).
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import actorlab as al

__all__ = [
    "Exercise",
    "NeedsRestart",
    "NotYet",
    "Prediction",
    "mark_kernel",
    "predict",
    "require_restart",
    "reveal",
    "solution",
]

_UNSET: Any = object()
_exercises: dict[str, Exercise] = {}
_attempts: dict[str, int] = {}
_marks: dict[str, int] = {}

Wrong = Mapping[Any, str] | Iterable[tuple[Any, str]]


class NotYet(AssertionError):
    """A check found a wrong or missing answer; the message names the misconception and hints."""

    def __init__(self, exercise: str, problem: str, hint: str = "", attempt: int = 1) -> None:
        self.exercise, self.problem, self.hint, self.attempt = exercise, problem, hint, attempt
        lines = [f"✗ {exercise}: {problem}"]
        if hint:
            lines.append(f"Hint: {hint}")
        if attempt >= 2:
            lines.append(f"Still stuck? teach.solution({exercise!r}) shows a worked solution.")
        super().__init__("\n".join(lines))

    def _render_traceback_(self) -> list[str]:
        """IPython shows this instead of a traceback: the learner's code is not at fault here."""
        return str(self).splitlines()


class NeedsRestart(RuntimeError):
    """A notebook that needs a fresh kernel was run in a kernel that ran an earlier notebook."""

    def _render_traceback_(self) -> list[str]:
        return [f"NeedsRestart: {self}"]


class Exercise:
    """One exercise of a notebook: checks, plus the actors it owns or borrows (see module doc)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._owned: list[al.ActorRef[Any]] = []
        self._borrowed: list[al.ActorRef[Any]] = []
        previous = _exercises.get(name)
        if previous is not None:
            previous.cleanup()
        _exercises[name] = self

    def __repr__(self) -> str:
        return f"<teach.Exercise {self.name!r}: {_attempts.get(self.name, 0)} failed attempt(s)>"

    def spawn(self, args: Any, *, name: str | None = None) -> al.ActorRef[Any]:
        """Spawn a top-level actor this exercise owns (stopped when the exercise runs again)."""
        if name is not None:
            try:
                al.lookup(name).stop()
            except al.ActorNotFound:
                pass
        ref = al.root().spawn(args, name=name)
        self._owned.append(ref)
        return ref

    def own(self, ref: al.ActorRef[Any]) -> al.ActorRef[Any]:
        """Adopt an actor spawned some other way (e.g. ``respawn_or_sync``); returns ``ref``."""
        self._owned.append(ref)
        return ref

    def reset(self, *refs: al.ActorRef[Any]) -> None:
        """Borrow ``refs``: run out what an earlier attempt left queued, and keep them running."""
        for ref in refs:
            if ref not in self._borrowed:
                self._borrowed.append(ref)
        _restore(refs)

    def cleanup(self) -> None:
        """Stop the owned actors and set the borrowed ones running (done on re-run by itself)."""
        for ref in self._owned:
            if not ref.is_closed():
                ref.stop()
        self._owned.clear()
        _restore(self._borrowed)

    def check(
        self,
        answer: Any,
        expected: Any = _UNSET,
        *,
        wrong: Wrong = (),
        hint: str = "",
        why: str = "",
    ) -> Any:
        """Judge ``answer`` (a value or a callable); print ✓ and return it, else raise ``NotYet``."""
        __tracebackhide__ = True
        value, error = _evaluate(answer)
        problem = _judge(value, error, expected, _pairs(wrong))
        if problem is None:
            print(f"✓ {self.name}: right." + (f" {why}" if why else ""))
            return value
        _attempts[self.name] = _attempts.get(self.name, 0) + 1
        _restore(self._borrowed)
        raise NotYet(self.name, problem, hint, _attempts[self.name])


def _evaluate(answer: Any) -> tuple[Any, BaseException | None]:
    if not callable(answer) or isinstance(answer, type):
        return answer, None
    try:
        return answer(), None
    except Exception as e:  # judged below: the learner's code raising is an answer too
        return None, e


def _judge(
    value: Any, error: BaseException | None, expected: Any, wrong: list[tuple[Any, str]]
) -> str | None:
    """``None`` when right, else the text that says what is wrong."""
    if error is not None:
        return _judge_error(error, wrong)
    if value is Ellipsis:
        return "not answered yet: replace the `...` with your answer."
    if _matches(expected, value):
        return None
    for key, text in wrong:
        if not _is_exception_type(key) and _matches(key, value):
            return text
    if expected is _UNSET:
        return f"got {value!r}, which is not what the exercise asks for."
    return f"got {value!r}; that is not it yet."


def _judge_error(error: BaseException, wrong: list[tuple[Any, str]]) -> str:
    causes = [error]
    if isinstance(error, al.HandlerError) and error.__cause__ is not None:
        causes.append(error.__cause__)
    for key, text in wrong:
        if _is_exception_type(key) and any(isinstance(e, key) for e in causes):
            return text
    cause = causes[-1]
    if isinstance(cause, NotImplementedError):
        return "not answered yet: write your code where the cell says so, then run it."
    if isinstance(cause, NameError):
        return f"not answered yet: {cause} (write it in the exercise cell and run that cell)."
    if isinstance(cause, AssertionError) and not isinstance(cause, NotYet):
        return f"a check failed: {cause}" if str(cause) else "a check failed."
    return f"your code raised {type(cause).__name__}: {cause}"


def _matches(key: Any, value: Any) -> bool:
    if key is _UNSET:
        return True  # no expectation: returning without raising is the answer
    if callable(key) and not isinstance(key, type):
        try:
            return bool(key(value))
        except Exception:
            return False
    try:
        return bool(key == value)
    except Exception:
        return False


def _is_exception_type(key: Any) -> bool:
    return isinstance(key, type) and issubclass(key, BaseException)


def _pairs(wrong: Wrong) -> list[tuple[Any, str]]:
    return list(wrong.items()) if isinstance(wrong, Mapping) else list(wrong)


def _restore(refs: Iterable[al.ActorRef[Any]]) -> None:
    """Handle what each (paused or not) ref has queued, then leave it running."""
    for ref in refs:
        if ref.is_closed():
            continue
        ref.pause()
        while ref.step() is not None:
            pass
        ref.resume()


# -- predict, then reveal ------------------------------------------------------------------------


@dataclass(frozen=True)
class Prediction:
    """A question shown by ``predict``; ``reveal`` answers it."""

    question: str
    choices: dict[str, str]

    def __repr__(self) -> str:
        return f"<teach.Prediction {self.question!r}>"


def predict(question: str, choices: Mapping[str, str] | Iterable[str]) -> Prediction:
    """Print ``question`` and its lettered choices; the learner writes a guess before revealing."""
    if isinstance(choices, Mapping):
        options = {str(k): str(v) for k, v in choices.items()}
    else:
        options = {chr(ord("a") + i): str(c) for i, c in enumerate(choices)}
    keys = ", ".join(repr(k) for k in options)
    print(f"Predict: {question}")
    for key, text in options.items():
        print(f"  {key}) {text}")
    print(f"Write your guess in the next cell (one of {keys}) before you run the reveal.")
    return Prediction(question, options)


def reveal(
    prediction: Prediction, guess: Any, *, answer: str, why: str, observed: Any = _UNSET
) -> bool:
    """Print what happened and why; returns whether ``guess`` was right (never raises)."""
    if answer not in prediction.choices:
        raise ValueError(f"reveal: answer {answer!r} is not one of {list(prediction.choices)}")
    if observed is not _UNSET:
        print(f"Observed: {observed!r}")
    right = str(guess) == answer
    if guess is Ellipsis or guess is None:
        print("You did not guess: guessing first is the point. ", end="")
    elif right:
        print("✓ You predicted it. ", end="")
    elif str(guess) in prediction.choices:
        print(f"✗ You guessed {guess}) {prediction.choices[str(guess)]}. ", end="")
    else:
        print(f"✗ {guess!r} is not one of the choices. ", end="")
    print(f"The answer is {answer}) {prediction.choices[answer]}.")
    print(f"Why: {why}")
    return right


# -- solutions and kernel marks ------------------------------------------------------------------


def solution_path(name: str) -> Path:
    """Where ``solution(name)`` reads from: ./solutions/, else the packaged tutorials."""
    package = Path(al.__file__).resolve().parent
    places = [
        Path.cwd() / "solutions",
        package / "_tutorials" / "solutions",
        package.parent / "notebooks" / "solutions",
    ]
    for folder in places:
        path = folder / f"{name}.py"
        if path.is_file():
            return path
    where = ", ".join(str(p) for p in places)
    raise FileNotFoundError(
        f"no solution named {name!r} (looked for {name}.py in {where}). Fix: check the name the "
        "exercise's message gives, or run `actorlab tutorial` to get the solutions folder."
    )


def solution(name: str, *, load: bool = False) -> None:
    """Print the worked solution of exercise ``name``; ``load=True`` also opens it in a new cell."""
    path = solution_path(name)
    source = path.read_text(encoding="utf-8")
    print(f"# Solution of {name!r} ({path.name}): paste it into the exercise cell and run it.\n")
    print(source)
    if load:
        # IPython puts get_ipython in builtins in its shells and kernels: no import needed here.
        get_ipython = getattr(builtins, "get_ipython", None)
        shell = get_ipython() if get_ipython is not None else None
        if shell is not None:
            shell.set_next_input(source, replace=False)


def mark_kernel(tag: str) -> None:
    """Leave ``tag`` in this process for a later ``require_restart(tag, ...)`` to find."""
    _marks[tag] = os.getpid()


def require_restart(tag: str, notebook: str = "this notebook") -> None:
    """Raise ``NeedsRestart`` if this process ran the notebook that called ``mark_kernel(tag)``."""
    __tracebackhide__ = True
    if tag in _marks:
        raise NeedsRestart(
            f"this kernel (process {_marks[tag]}) already ran {tag}: its actors, classes and "
            f"runtime are still in memory, so {notebook} would prove nothing about a restart. "
            f"Fix: Kernel -> Restart Kernel, then run {notebook} again from the top."
        )
