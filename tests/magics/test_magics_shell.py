"""%actor / %actors in an in-process IPython shell (no kernel)."""

from __future__ import annotations

import re

import pytest
from IPython.core.error import UsageError

import actorlab as al
from actorlab.magics.parsing import VERBS
from actorlab.testing import wait_idle


def line(ip, text):
    return ip.run_line_magic("actor", text)


def test_spawn_binds_the_variable_and_names_the_actor(ip):
    ref = line(ip, "spawn c = Counter(5)")
    assert ip.user_ns["c"] is ref
    assert ref.name == "c" and al.lookup("c") == ref
    assert ref.status is al.Status.IDLE  # spawn waits until the actor has started
    assert line(ip, "ask c Get()") == 5


def test_rerunning_spawn_replaces_the_actor_instead_of_duplicating_it(ip):
    first = line(ip, "spawn c = Counter(0)")
    line(ip, "tell c Add(3)")
    assert line(ip, "ask c Get()") == 3
    second = line(ip, "spawn c = Counter(0)")
    assert first.is_closed() and not second.is_closed()
    assert [i.name for i in al.inspect()] == ["c"]
    assert line(ip, "ask c Get()") == 0


def test_spawn_with_a_bad_expression_keeps_the_old_actor(ip):
    old = line(ip, "spawn c = Counter(1)")
    with pytest.raises(UsageError, match=r"name 'Countr' is not defined \(run the cell that defines it first\)"):
        line(ip, "spawn c = Countr(0)")
    assert not old.is_closed()


def test_spawn_of_a_class_instead_of_an_instance_is_a_usage_error(ip):
    with pytest.raises(UsageError, match=r"%actor spawn: spawn\(\) got the class Counter itself"):
        line(ip, "spawn c = Counter")


def test_target_may_be_a_variable_a_bound_name_or_an_expression(ip):
    ip.run_cell("x = al.root().spawn(Counter(1), name='other-name')\nrefs = [x]")
    assert line(ip, "ask x Get()") == 1  # a variable holding a ref
    assert line(ip, "ask other-name Get()") == 1  # a bound name that is not an identifier
    line(ip, "spawn named = Counter(2)")
    del ip.user_ns["named"]
    assert line(ip, "ask named Get()") == 2  # the bound name, no variable
    assert line(ip, "ask refs[0] Get()") == 1  # an expression giving a ref


def test_unknown_target_lists_the_live_actors(ip):
    line(ip, "spawn c = Counter()")
    ip.user_ns["n"] = 3
    with pytest.raises(UsageError, match=r"%actor tell: no actor 'd' \(neither a variable holding a ref nor a bound name\); live actors: c\. Usage: %actor tell TARGET MESSAGE"):
        line(ip, "tell d Add(1)")
    with pytest.raises(UsageError, match=r"'n' is a int, not an actor ref; live actors: c"):
        line(ip, "tell n Add(1)")


def test_messages_are_evaluated_in_one_user_namespace(ip):
    # A name defined in a cell must be visible inside functions defined in cells (pitfall 9.10).
    ip.run_cell("step = 4\ndef amount():\n    return step")
    line(ip, "spawn c = Counter()")
    line(ip, "tell c Add(amount())")
    assert line(ip, "ask c Get()") == 4


def test_unhandled_message_and_stopped_actor_are_one_line_usage_errors(ip):
    line(ip, "spawn c = Counter()")
    with pytest.raises(UsageError, match=r"%actor tell: Counter has no handler for float"):
        line(ip, "tell c 1.5")
    line(ip, "stop c")
    with pytest.raises(UsageError, match=r"%actor tell: actor c has stopped"):
        line(ip, "tell c Add(1)")


def test_handler_error_is_one_line_naming_the_error_its_place_and_its_traceback(ip):
    line(ip, "spawn c = Counter()")
    with pytest.raises(UsageError) as info:
        line(ip, "ask c Boom()")
    assert re.fullmatch(
        r"%actor ask: the actor's handler raised ZeroDivisionError: boom in boom\(\) line \d+ "
        r"\(its traceback: c\.info\(\)\.last_error\)",
        str(info.value),
    )
    assert "ZeroDivisionError" in ip.user_ns["c"].info().last_error.traceback


def test_ask_timeout_option(ip):
    line(ip, "spawn c = Counter()")
    line(ip, "pause c")
    with pytest.raises(UsageError, match=r"%actor ask: .*"):
        line(ip, "ask -t 0.05 c Get()")
    line(ip, "resume c")
    assert line(ip, "ask --timeout=2 c Get()") == 0


@pytest.mark.parametrize(("text", "message"), [
    ("spawn", "%actor spawn: needs NAME = .... Usage: %actor spawn NAME = ACTOR  (e.g. %actor spawn c = Counter(0))"),
    ("spawn Counter(0)", "%actor spawn: expected NAME = ..., got 'Counter(0)'. Usage: %actor spawn NAME = ACTOR"),
    ("spawn class = Counter(0)", "%actor spawn: 'class' is a Python keyword, not a usable name"),
    ("tell", "%actor tell: needs an actor. Usage: %actor tell TARGET MESSAGE  (e.g. %actor tell c Add(1))"),
    ("tell c", "%actor tell: needs a message after the actor 'c'. Usage: %actor tell TARGET MESSAGE"),
    ("ask c", "%actor ask: needs a message after the actor 'c'. Usage: %actor ask [-t SECONDS] TARGET MESSAGE"),
    ("ask -t c Get()", "%actor ask: bad value 'c' for --timeout: could not convert string to float: 'c'"),
    ("ask -x 1 c Get()", "%actor ask: unknown option '-x' (options: -t, --timeout, --help)"),
    ("info", "%actor info: needs an actor. Usage: %actor info TARGET  (e.g. %actor info c)"),
    ("stop a b", "%actor stop: takes one actor, got 2. Usage: %actor stop TARGET"),
    ("top mailbox rate", "%actor top: takes at most one sort key, got 'mailbox rate'"),
    ("top size", "%actor top: cannot sort top by 'size'; use one of mailbox, rate, restarts, handler_time, done, age"),
    ("top -n 0", "%actor top: bad value '0' for -n: must be >= 1"),
    ("reset now", "%actor reset: takes no arguments, got 'now'. Usage: %actor reset"),
    ("trace", "%actor trace: needs a statement to trace (or use the cell magic %%actor trace)"),
    ("spwan c = Counter()", "%actor: unknown verb 'spwan'; did you mean 'spawn'? use one of spawn, tell, ask"),
])
def test_misuse_is_a_one_line_usage_error_with_the_right_form(ip, text, message):
    with pytest.raises(UsageError) as info:
        line(ip, text)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_every_verb_has_help(ip, capsys, verb):
    assert line(ip, f"{verb} --help") is None
    out = capsys.readouterr().out
    assert out.startswith(f"Usage: %actor {verb}")
    assert f"Example: %actor {verb}" in out


def test_overview_and_actors_help(ip, capsys):
    line(ip, "")
    assert "%actor step TARGET" in capsys.readouterr().out
    ip.run_line_magic("actors", "--help")
    assert capsys.readouterr().out.startswith("Usage: %actors [--full] [--depth N] [--collapse N]")
    assert "%actor spawn NAME = ACTOR" in ip.find_line_magic("actor").__doc__


def test_run_cell_shows_one_line_and_no_traceback(ip, capsys):
    result = ip.run_cell("%actor tell nobody Add(1)")
    err = capsys.readouterr().err
    assert isinstance(result.error_in_exec, UsageError)
    assert err.startswith("UsageError: %actor tell: no actor 'nobody'")
    assert "Traceback" not in err and err.count("\n") == 1


def test_step_mode_pause_step_resume(ip, capsys):
    line(ip, "spawn c = Counter()")
    paused = line(ip, "pause c")
    assert paused.status is al.Status.PAUSED
    line(ip, "tell c Add(1)")
    line(ip, "tell c Add(10)")
    info = line(ip, "info c")
    assert info.mailbox == 2 and [p.msg_repr for p in info.mailbox_preview] == ["Add(amount=1)", "Add(amount=10)"]
    line(ip, "step c")
    assert capsys.readouterr().out == "c handled Add(amount=1); 1 message left\n"
    assert ip.user_ns["c"].info().state_preview["value"] == "1"
    line(ip, "resume c")
    assert line(ip, "ask c Get()") == 11
    line(ip, "pause c")
    line(ip, "step c")
    assert capsys.readouterr().out == "c: the mailbox is empty, nothing to step (tell it something first)\n"


def test_step_on_a_running_actor_says_to_pause_first(ip):
    line(ip, "spawn c = Counter()")
    with pytest.raises(UsageError, match=r"%actor step: step\(\) processes one message of a paused actor, but c is not paused. Fix: call ref.pause\(\) first"):
        line(ip, "step c")


def test_stop_and_restart_return_the_ref_showing_its_state(ip):
    line(ip, "spawn c = Counter(7)")
    line(ip, "tell c Add(1)")
    assert line(ip, "ask c Get()") == 8
    restarted = line(ip, "restart c")
    assert line(ip, "ask c Get()") == 7  # re-initialized from the original args
    assert restarted.info().restarts == 1
    stopped = line(ip, "stop c")
    assert stopped.is_closed()
    assert stopped._repr_mimebundle_()["text/plain"] == "■ c  Counter  stopped"


def test_top_and_actors_render(ip):
    line(ip, "spawn a = Counter()")
    line(ip, "spawn b = Counter()")
    for _ in range(3):
        line(ip, "tell b Add(1)")
    line(ip, "ask b Get()")
    wait_idle()  # a reply can arrive before the actor marks itself idle again
    table = line(ip, "top done -n 1").text(120)
    rows = [r for r in table.splitlines() if r.startswith("/")]
    assert [r.split()[0] for r in rows] == ["/b"]
    tree = ip.run_line_magic("actors", "").text(100)
    assert tree.splitlines() == [
        "actorlab · 2 actors: 2 idle",
        "├── ● a  Counter  mbox=0 done=0",
        "└── ● b  Counter  mbox=0 done=4",
    ]
    full = ip.run_line_magic("actors", "--full --depth 1").text(100)
    assert "├── ● a  Counter #" in full and "age " in full


def test_reset_starts_clean(ip, capsys):
    old = line(ip, "spawn c = Counter()")
    runtime_before = al.root().runtime
    line(ip, "reset")
    assert capsys.readouterr().out.startswith("actorlab reset: stopped 1 actor; a fresh runtime is running")
    assert old.is_closed() and al.inspect() == []
    assert al.root().runtime is not runtime_before and not runtime_before.thread.is_alive()
    assert line(ip, "spawn c = Counter(1)") is ip.user_ns["c"]
    assert line(ip, "ask c Get()") == 1


def test_dashboard_in_a_terminal_says_what_is_needed(ip):
    with pytest.raises(UsageError, match=r"%actor dashboard: the dashboard is made of ipywidgets and needs Jupyter"):
        line(ip, "dashboard")


def test_trace_line_magic_returns_the_trace_of_the_statement(ip):
    line(ip, "spawn c = Counter()")
    t = line(ip, "trace --limit 50 c.ask_sync(Get())")
    assert isinstance(t, al.Trace)
    kinds = [e.kind for e in t.events]
    assert "ask" in kinds and "reply" in kinds


def test_trace_cell_magic_traces_a_cell_with_magics_inside(ip):
    line(ip, "spawn c = Counter()")
    t = ip.run_cell_magic("actor", "trace", "%actor tell c Add(2)\nc.ask_sync(Get())\n")
    assert [e.msg_type for e in t.events if e.kind in ("tell", "ask")] == ["Add", "Get"]
    assert ip.user_ns["c"].ask_sync(ip.user_ns["Get"]()) == 2


def test_trace_cell_that_raises_shows_the_diagram_and_fails(ip, capsys):
    line(ip, "spawn c = Counter()")
    with pytest.raises(UsageError, match=r"%actor trace: the traced code raised ZeroDivisionError"):
        ip.run_cell_magic("actor", "trace", "c.tell(Add(1))\n1 / 0\n")


def test_only_trace_is_a_cell_magic(ip):
    with pytest.raises(UsageError, match=r"%%actor: only %%actor trace is a cell magic"):
        ip.run_cell_magic("actor", "tell c Add(1)", "x = 1")


def test_unload_removes_the_magics(ip):
    ip.extension_manager.unload_extension("actorlab")
    try:
        assert ip.find_line_magic("actor") is None
    finally:
        ip.extension_manager.load_extension("actorlab")
    assert ip.find_line_magic("actor") is not None


def test_loading_the_extension_again_or_reloading_keeps_one_runtime_and_the_actors(ip):
    import threading

    c = line(ip, "spawn c = Counter(4)")
    ip.run_line_magic("load_ext", "actorlab")  # "already loaded": nothing happens
    ip.run_line_magic("reload_ext", "actorlab")
    assert line(ip, "ask c Get()") == 4 and not c.is_closed()
    assert sum(t.name == "actorlab-runtime" for t in threading.enumerate()) == 1


def test_trace_cell_with_await_works_outside_jupyter(ip):
    line(ip, "spawn c = Counter(2)")
    t = ip.run_cell_magic("actor", "trace", "x = await c.ask(Get())\n")
    assert ip.user_ns["x"] == 2
    assert [e.kind for e in t.events if e.kind in ("ask", "reply")] == ["ask", "reply"]
