"""The grammar of ``%actor``: verbs, their forms, options, and one-line usage errors.

A line is ``VERB [OPTIONS] ARGS``. Options come before the arguments (the arguments may be a
Python expression that contains anything, so nothing after them is taken as an option). Every
mistake raises ``UsageError`` with one line: what is wrong and the correct form.
"""

from __future__ import annotations

import difflib
import keyword
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from IPython.core.error import UsageError

#: What follows the verb (and its options).
NONE = "none"  # nothing
TARGET = "target"  # one actor: a variable holding a ref, or a bound name
TARGET_EXPR = "target expr"  # an actor, then a Python expression (the message)
ASSIGN = "assign"  # NAME = EXPRESSION
WORDS = "words"  # optional plain words (top's sort key)
TARGET_OPT_EXPR = "target [expr]"  # an actor, then an optional expression (save's storage)
OPT_EXPR = "[expr]"  # an optional expression (snapshots' storage)
CODE = "code"  # a Python statement (trace)

_NAME = re.compile(r"[A-Za-z_]\w*\Z")
_ASSIGN = re.compile(r"\s*([A-Za-z_]\w*)\s*=(?!=)\s*(.*)\Z", re.S)


@dataclass(frozen=True)
class Option:
    flags: tuple[str, ...]
    dest: str
    convert: Callable[[str], Any] | None  # None: a flag without a value (stores True)
    metavar: str
    help: str


@dataclass(frozen=True)
class Verb:
    name: str
    form: str  # the arguments, for "Usage: %actor <name> <form>"
    summary: str
    shape: str
    example: str
    options: tuple[Option, ...] = ()
    details: str = ""
    magic: str = "%actor"

    @property
    def prefix(self) -> str:
        return f"{self.magic} {self.name}".rstrip()

    @property
    def usage(self) -> str:
        return f"{self.prefix} {self.form}".rstrip()

    def help(self) -> str:
        lines = [f"Usage: {self.usage}", "", self.summary]
        if self.details:
            lines += ["", self.details]
        if self.options:
            lines.append("")
            lines.append("Options:")
            for opt in self.options:
                flags = ", ".join(f"{f} {opt.metavar}".rstrip() for f in opt.flags)
                lines.append(f"  {flags:<24} {opt.help}")
        lines += ["", f"Example: {self.example}"]
        return "\n".join(lines)


@dataclass
class Parsed:
    verb: Verb
    options: dict[str, Any] = field(default_factory=dict)
    target: str | None = None
    name: str | None = None  # ASSIGN: the variable (and actor name)
    expr: str | None = None
    words: list[str] = field(default_factory=list)


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:  # nan too
        raise ValueError("must be a number > 0 (inf: no limit)")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("must be >= 1")
    return value


_TIMEOUT = Option(("-t", "--timeout"), "timeout", _positive_float, "SECONDS", "ask timeout")
_STORAGE = Option(
    ("-s", "--storage"),
    "storage",
    str,
    "EXPR",
    "storage expression (default: al.default_storage())",
)

VERBS: dict[str, Verb] = {
    v.name: v
    for v in (
        Verb(
            "spawn",
            "NAME = ACTOR",
            "Spawn ACTOR (an al.Actor instance or al.ActorArgs) as a top-level actor named NAME "
            "and bind the ref to the variable NAME.",
            ASSIGN,
            "%actor spawn c = Counter(0)",
            details="Re-running the cell replaces the live actor named NAME (it is stopped "
            "first) instead of making a second one.",
        ),
        Verb(
            "tell",
            "TARGET MESSAGE",
            "Send MESSAGE (a Python expression) to TARGET without waiting.",
            TARGET_EXPR,
            "%actor tell c Add(1)",
        ),
        Verb(
            "ask",
            "[-t SECONDS] TARGET MESSAGE",
            "Send MESSAGE to TARGET and show the handler's reply (Stop interrupts the wait).",
            TARGET_EXPR,
            "%actor ask c Get()",
            (_TIMEOUT,),
        ),
        Verb("info", "TARGET", "Show TARGET's info panel.", TARGET, "%actor info c"),
        Verb(
            "top",
            "[SORT] [-n N]",
            "The busiest actors. SORT: mailbox (default), rate, restarts, handler_time, done, "
            "age. Δ/s is the change since the previous %actor top.",
            WORDS,
            "%actor top restarts -n 5",
            (Option(("-n",), "n", _positive_int, "N", "rows to show (default 20)"),),
        ),
        Verb("stop", "TARGET", "Stop TARGET (children first) and wait.", TARGET, "%actor stop c"),
        Verb(
            "restart",
            "TARGET",
            "Restart TARGET from its original args (its id and queued messages survive).",
            TARGET,
            "%actor restart c",
        ),
        Verb(
            "pause",
            "TARGET",
            "Hold TARGET's mailbox after the current message; messages queue up.",
            TARGET,
            "%actor pause c",
        ),
        Verb("resume", "TARGET", "Continue after pause.", TARGET, "%actor resume c"),
        Verb(
            "step",
            "TARGET",
            "Process exactly one message of a paused TARGET and show which.",
            TARGET,
            "%actor step c",
        ),
        Verb(
            "save",
            "TARGET [STORAGE]",
            "Save a snapshot of TARGET now, into STORAGE (an expression; default "
            "al.default_storage()).",
            TARGET_OPT_EXPR,
            "%actor save c al.FileStorage('snapshots')",
        ),
        Verb(
            "respawn",
            "[-s STORAGE] [-a AUTOSAVE] NAME = DEFAULT",
            "Respawn the actor saved under the stable id ActorId.from_name(NAME) from its "
            "snapshot, or spawn DEFAULT when there is none; name it NAME and bind the variable.",
            ASSIGN,
            "%actor respawn c = Counter(0)",
            (
                _STORAGE,
                Option(
                    ("-a", "--autosave"),
                    "autosave",
                    str,
                    "EXPR",
                    "autosave policy, e.g. al.Every(messages=1) or al.OnStop()",
                ),
            ),
            details="Re-running the cell replaces the live actor named NAME.",
        ),
        Verb(
            "snapshots",
            "[STORAGE]",
            "List the snapshots in STORAGE (default al.default_storage()) without loading them.",
            OPT_EXPR,
            "%actor snapshots al.FileStorage('snapshots')",
        ),
        Verb(
            "trace",
            "[--limit N] STATEMENT",
            "Run STATEMENT and show the messages it caused as a sequence diagram. The cell form "
            "%%actor trace traces a whole cell.",
            CODE,
            "%actor trace c.ask_sync(Get())",
            (Option(("--limit",), "limit", _positive_int, "N", "stop recording after N events"),),
        ),
        Verb(
            "reset",
            "",
            "Stop every actor and start a fresh runtime (old refs become closed).",
            NONE,
            "%actor reset",
        ),
        Verb(
            "dashboard",
            "",
            "Open the live dashboard (needs ipywidgets in Jupyter).",
            NONE,
            "%actor dashboard",
        ),
    )
}


ACTORS = Verb(
    "",
    "[--full] [--depth N] [--collapse N]",
    "The supervision tree of every live actor: status glyph, name, class, mbox=queued "
    "done=processed ↻restarts.",
    WORDS,
    "%actors --full",
    (
        Option(("-f", "--full"), "full", None, "", "ids, ages, current handler, last error"),
        Option(("-d", "--depth"), "depth", _positive_int, "N", "draw at most N levels"),
        Option(
            ("-c", "--collapse"),
            "collapse_over",
            _positive_int,
            "N",
            "draw more than N siblings of one class as one line (default 20)",
        ),
    ),
    magic="%actors",
)


def parse_actors(line: str) -> Parsed:
    """Parse the arguments of ``%actors``."""
    parsed = Parsed(ACTORS)
    _parse_words(parsed, line)
    if parsed.words:
        raise fail(ACTORS, f"takes only options, got {' '.join(parsed.words)!r}")
    return parsed


#: One line per verb for the overview (``%actor``, ``%actor?``).
SHORT = {
    "spawn": "spawn an actor, name it and bind it to NAME",
    "tell": "send a message, don't wait",
    "ask": "send a message and show the reply",
    "info": "the actor's info panel",
    "top": "the busiest actors",
    "stop": "stop an actor",
    "restart": "restart an actor from its original args",
    "pause": "hold the mailbox (step mode)",
    "resume": "continue after pause",
    "step": "process exactly one message of a paused actor",
    "save": "save a snapshot now",
    "respawn": "respawn from a snapshot, or spawn DEFAULT",
    "snapshots": "list saved snapshots",
    "trace": "trace a statement as a sequence diagram",
    "reset": "stop everything, start a fresh runtime",
    "dashboard": "the live ipywidgets dashboard",
}


def overview() -> str:
    """``%actor`` / ``%actor help``: every verb with its form."""
    width = max(len(v.usage) for v in VERBS.values())
    lines = ["%actor VERB ...   (each verb has --help; %actors shows the tree)", ""]
    lines += [f"  {v.usage:<{width}}  {SHORT[v.name]}" for v in VERBS.values()]
    lines += ["", "TARGET: a variable holding an ActorRef, or the name of a live actor."]
    lines += ["MESSAGE, ACTOR, STORAGE: Python expressions, evaluated in the notebook."]
    return "\n".join(lines)


class HelpRequest(Exception):
    """``--help`` was given: show this text instead of running the verb."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def fail(verb: Verb, problem: str) -> UsageError:
    """A one-line ``UsageError``: the problem, then the correct form and an example."""
    return UsageError(
        f"{verb.prefix}: {one_line(problem)}. Usage: {verb.usage}  (e.g. {verb.example})"
    )


_LONGEST = 400  # characters of a message shown in a usage error (a huge repr is cut)


def one_line(text: str) -> str:
    """``text`` with its line breaks folded into spaces, cut to a readable length."""
    text = " ".join(text.split())
    return text if len(text) <= _LONGEST else text[: _LONGEST - 1] + "…"


def parse(line: str, *, cell: bool = False) -> Parsed:
    """Parse everything after ``%actor`` (``%%actor`` when ``cell``: the code is the cell body).

    Raises ``HelpRequest`` or ``UsageError``.
    """
    verb_name, _, rest = line.strip().partition(" ")
    if verb_name in ("", "help", "-h", "--help"):
        raise HelpRequest(overview())
    verb = VERBS.get(verb_name)
    if verb is None:
        close = difflib.get_close_matches(verb_name, list(VERBS), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise UsageError(
            f"%actor: unknown verb {verb_name!r}; {hint}use one of {', '.join(VERBS)} "
            f"(%actor --help lists them)"
        )
    parsed = Parsed(verb)
    if verb.shape in (NONE, WORDS, TARGET):
        _parse_words(parsed, rest)
    else:
        rest = _parse_leading_options(parsed, rest)
        if not (cell and verb.shape == CODE):
            _parse_args(parsed, rest.strip())
        elif rest.strip():
            raise UsageError(
                "%%actor trace: the code goes in the cell body, not after %%actor trace. "
                "Usage: %%actor trace [--limit N]"
            )
    return parsed


def _option(verb: Verb, token: str) -> tuple[Option, str | None]:
    flag, eq, value = token.partition("=")
    for opt in verb.options:
        if flag in opt.flags:
            return opt, (value if eq else None)
    known = ", ".join(f for o in verb.options for f in o.flags) or "none"
    raise fail(verb, f"unknown option {flag!r} (options: {known}, --help)")


def _store(parsed: Parsed, opt: Option, value: str | None) -> None:
    if opt.convert is None:
        parsed.options[opt.dest] = True
        return
    if value is None:
        raise fail(parsed.verb, f"option {opt.flags[-1]} needs a value ({opt.metavar})")
    try:
        parsed.options[opt.dest] = opt.convert(value)
    except ValueError as exc:
        raise fail(parsed.verb, f"bad value {value!r} for {opt.flags[-1]}: {exc}") from None


def _parse_words(parsed: Parsed, rest: str) -> None:
    try:
        tokens = shlex.split(rest)
    except ValueError as exc:
        raise fail(parsed.verb, f"cannot split {rest!r} ({exc})") from None
    words: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in ("-h", "--help"):
            raise HelpRequest(parsed.verb.help())
        if token.startswith("-") and not _is_number(token):
            opt, value = _option(parsed.verb, token)
            if value is None and opt.convert is not None and i + 1 < len(tokens):
                i += 1
                value = tokens[i]
            _store(parsed, opt, value)
        else:
            words.append(token)
        i += 1
    verb = parsed.verb
    if verb.shape == NONE and words:
        raise fail(verb, f"takes no arguments, got {' '.join(words)!r}")
    if verb.shape == TARGET:
        if len(words) != 1:
            problem = "needs an actor" if not words else f"takes one actor, got {len(words)}"
            raise fail(verb, problem)
        parsed.target = words[0]
    if verb.shape == WORDS:
        if len(words) > 1:
            raise fail(verb, f"takes at most one sort key, got {' '.join(words)!r}")
        parsed.words = words


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _parse_leading_options(parsed: Parsed, rest: str) -> str:
    while True:
        stripped = rest.lstrip()
        if not stripped.startswith("-"):
            return stripped
        token, _, after = stripped.partition(" ")
        if token in ("-h", "--help"):
            raise HelpRequest(parsed.verb.help())
        opt, value = _option(parsed.verb, token)
        if value is None and opt.convert is not None:
            value, _, after = after.lstrip().partition(" ")
            value = value or None
        _store(parsed, opt, value)
        rest = after


def _parse_args(parsed: Parsed, rest: str) -> None:
    verb = parsed.verb
    if rest in ("-h", "--help") or rest.endswith((" --help", " -h")):
        raise HelpRequest(verb.help())
    if verb.shape == ASSIGN:
        match = _ASSIGN.match(rest)
        if match is None or not match.group(2).strip():
            raise fail(verb, f"expected NAME = ..., got {rest!r}" if rest else "needs NAME = ...")
        name, expr = match.group(1), match.group(2).strip()
        if keyword.iskeyword(name):
            raise fail(verb, f"{name!r} is a Python keyword, not a usable name")
        parsed.name, parsed.expr = name, expr
    elif verb.shape in (TARGET_EXPR, TARGET_OPT_EXPR):
        target, _, expr = rest.partition(" ")
        if not target:
            raise fail(verb, "needs an actor")
        parsed.target, parsed.expr = target, expr.strip() or None
        if verb.shape == TARGET_EXPR and parsed.expr is None:
            raise fail(verb, f"needs a message after the actor {target!r}")
    elif verb.shape == OPT_EXPR:
        parsed.expr = rest or None
    elif verb.shape == CODE:
        if not rest:
            raise fail(verb, "needs a statement to trace (or use the cell magic %%actor trace)")
        parsed.expr = rest


def is_identifier(text: str) -> bool:
    return bool(_NAME.match(text)) and not keyword.iskeyword(text)
