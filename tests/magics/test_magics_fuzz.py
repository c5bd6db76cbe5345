"""Seeded fuzz of the magics (issue 10, item 17): over 1000 random ``%actor``/``%actors`` lines,
right and wrong, and the only error a user ever gets is a one-line ``UsageError``, never a raw
exception, and never the catch-all "unexpected" one (a cause the commands did not handle).

Hypothesis draws the lines (``derandomize=True``: the same lines every run, no example
database); each example is a session of 50 lines from a fresh runtime, and a failure names the line
and the lines before it.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from IPython.core.error import UsageError

import actorlab as al
from actorlab.magics.actor_magics import UNEXPECTED
from actorlab.magics.parsing import VERBS

SESSIONS, LINES_PER_SESSION = 24, 50  # 1200 lines

NOTEBOOK = '''
class Account(al.Actor, snapshot=True):
    def __init__(self, owner, balance=0):
        self.owner, self.balance = owner, balance

    @al.handler
    def deposit(self, msg: Add) -> None:
        self.balance += msg.amount

    @al.handler
    def get(self, msg: Get) -> int:
        return self.balance

store = al.FileStorage("snaps")
'''

FRESH = '''
c = al.root().spawn(Counter(0), name="c")
d = al.root().spawn(Counter(0), name="d"); d.stop()
acct = al.root().respawn_or_sync(store, al.ActorId.from_name("acct"), default_args=Account("a"),
                                 name="acct")
refs, n = [c, acct], 5
'''

TARGETS = [
    "c", "d", "acct", "nobody", "c[0]", "refs[5]", "refs[0]", "refs", "5", "n", "al", "store",
    "None", "1/0", "(", "member-0", "'c'", "c.x", "-x", "c.ask_sync(Get())",
]  # fmt: skip
EXPRS = [
    "Add(1)", "Get()", "Boom()", "Add('x')", "Add()", "1/0", "5", "'x'", "None", "[", "lambda: 0",
    "undefined", "2**100000", "float('nan')", "c", "refs", "Counter(0)", "Counter", "Account('a')",
    "al.FileStorage", "al.FileStorage('snaps')", "store", "al.MemoryStorage()", "al.Every()",
    "al.Every(messages=1)", "al.OnStop()", "(al.OnStop(), 5)", "al.ActorId.from_name('acct')",
    "'%actor reset'", "\\x00", "--help", "-h", "c.tell(Add(1))", "x = 1",
]  # fmt: skip
OPTIONS = [
    "-t 0.2", "-t inf", "-t 1e400", "-t nan", "-t -1", "-t 0", "-t abc", "-t -inf", "-t",
    "--timeout=0.1", "--timeout=", "-x", "-n 3", "-n 0", "-n x", "--limit 5", "--limit -1",
    "-s store", "-s 5", "-s al.FileStorage", "-s (", "-a al.Every(messages=1)", "-a 5",
    "-a al.Every()", "-a (al.OnStop(),)", "--full", "-d 2", "-c 0", "--depth=x",
]  # fmt: skip
NAMES = ["x", "c", "acct", "if", "1x", "_", "member"]
VERB_WORDS = sorted(VERBS) + ["help", "--help", "", "spwan", "ask?", "%actor"]

words = st.sampled_from(TARGETS + EXPRS)
assignment = st.builds(
    "{}{}{}".format, st.sampled_from(NAMES), st.sampled_from([" = ", "=", " == ", " "]), words
)
line = st.builds(
    lambda verb, opts, args: " ".join(w for w in [verb, *opts, *args] if w),
    st.sampled_from(VERB_WORDS),
    st.lists(st.sampled_from(OPTIONS), max_size=2),
    st.one_of(st.lists(words, max_size=3), st.lists(assignment, min_size=1, max_size=1)),
)
magic_line = st.one_of(
    st.tuples(st.just("actor"), line),
    st.tuples(st.just("actors"), st.lists(st.sampled_from(OPTIONS + TARGETS), max_size=2).map(" ".join)),
)


@pytest.fixture
def notebook(ip, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # snapshots and al.default_storage() go to the test's folder
    ip.run_cell(NOTEBOOK)
    before = al.settings().ask_timeout
    al.configure(ask_timeout=0.2)  # an ask to a paused actor gives up quickly
    try:
        yield ip
    finally:
        al.configure(ask_timeout=before)


def _resume_everyone() -> None:
    """Before an ask without a time limit: no paused actor may keep it waiting for ever."""
    for info in al.inspect():
        if info.status is al.Status.PAUSED and info.name:
            al.lookup(info.name).resume()


def _run(ip, magic: str, text: str, before: list[str]) -> None:
    verb = text.partition(" ")[0]
    if verb == "ask" and ("inf" in text or "1e400" in text):
        _resume_everyone()
    where = f"%{magic} {text}   (after: {' | '.join(before[-5:])})"
    try:
        ip.run_line_magic(magic, text)
    except UsageError as exc:
        message = str(exc)
        assert "\n" not in message, (where, message)
        assert UNEXPECTED not in message.split(":", 2)[1], (where, message)
    except Exception as exc:
        pytest.fail(f"{where} raised {type(exc).__name__}: {exc}")


def test_random_magic_lines_give_only_one_line_usage_errors(notebook, capsys):
    ran: list[str] = []

    @settings(
        max_examples=SESSIONS,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],  # no shrinking: the failure names the line and its context
        suppress_health_check=list(HealthCheck),
    )
    @given(st.lists(magic_line, min_size=LINES_PER_SESSION, max_size=LINES_PER_SESSION))
    def session(lines):
        al.shutdown(timeout=2.0)
        notebook.run_cell(FRESH)
        for magic, text in lines:
            _run(notebook, magic, text, ran)
            ran.append(f"%{magic} {text}")

    session()
    capsys.readouterr()  # help texts, step reports, traced cells' tracebacks
    assert len(ran) >= 1000
    verbs = {t.split()[1] for t in ran if t.startswith("%actor ") and len(t.split()) > 1}
    assert set(VERBS) <= verbs, set(VERBS) - verbs  # every verb was tried


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("save c", "%actor save: Counter is not persistent, so it has no snapshot. Fix: declare"),
        ("save c 5", "%actor save: 5 is not a snapshot storage"),
        ("snapshots 5", "%actor snapshots: 5 is not a snapshot storage"),
        ("snapshots al.FileStorage", "%actor snapshots: the storage 'al.FileStorage' is the class "
         "FileStorage itself, not a storage; make one, e.g. al.FileStorage('snapshots')"),
        ("save c al.FileStorage", "%actor save: the storage 'al.FileStorage' is the class"),
        ("ask -t nan c Get()", "%actor ask: bad value 'nan' for --timeout: must be a number > 0"),
        ("ask -t -inf c Get()", "%actor ask: bad value '-inf' for --timeout: must be a number > 0"),
        ("info c[0]", "%actor info: the actor 'c[0]' raised TypeError: 'ActorRef' object is not "
         "subscriptable. Usage: %actor info TARGET"),
        ("stop refs[5]", "%actor stop: the actor 'refs[5]' raised IndexError: list index out of "
         "range. Usage: %actor stop TARGET"),
        ("tell c 1/0", "%actor tell: the message '1/0' raised ZeroDivisionError: division by zero"),
        ("tell c Add()", "%actor tell: the message 'Add()' raised TypeError: Add.__init__() missing"),
        ("respawn -a 5 x = Counter(0)", "%actor respawn: the autosave policy '5' is a int; use "
         "al.Every(messages=N)"),
        ("ask c Boom()", "%actor ask: the actor's handler raised ZeroDivisionError: boom in "
         "boom() line "),
    ],
)
def test_each_reported_leak_is_a_one_line_usage_error(notebook, text, message):
    notebook.run_cell('c = al.root().spawn(Counter(0), name="c")\nrefs = [c]')
    with pytest.raises(UsageError) as info:
        notebook.run_line_magic("actor", text)
    assert str(info.value).startswith(message), str(info.value)
    assert "\n" not in str(info.value)


def test_an_infinite_ask_timeout_waits_without_limit(notebook):
    c = notebook.run_line_magic("actor", "spawn c = Counter(3)")
    assert notebook.run_line_magic("actor", "ask -t inf c Get()") == 3
    assert notebook.run_line_magic("actor", "ask -t 1e400 c Get()") == 3
    assert c.info().processed == 2


def test_a_handler_failure_names_where_to_find_its_traceback(notebook):
    notebook.run_cell('c = al.root().spawn(Counter(0), name="c")')
    with pytest.raises(UsageError, match=r"\(its traceback: c\.info\(\)\.last_error\)$"):
        notebook.run_line_magic("actor", "ask c Boom()")
    last = notebook.user_ns["c"].info().last_error
    assert last.type == "ZeroDivisionError" and "raise ZeroDivisionError" in last.traceback
