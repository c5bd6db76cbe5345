"""dill semantics at stdlib speed: notebook code survives a fresh process; current definitions
win over the pickled copies; ``contains_code`` is truthful."""

from __future__ import annotations

import functools
import os
import pickle
from dataclasses import dataclass

import dill
import pytest

from actorlab.persistence import pickling

from .helpers import run_script

SAVER = """
from dataclasses import dataclass
from pathlib import Path
from actorlab.persistence import pickling

SCALE = 3

def helper(x):
    return x * SCALE

@dataclass
class Add:
    amount: int

class Counter:
    def __init__(self):
        self.n = 1
        self.log = [Add(1)]
    def receive(self, msg):
        if isinstance(msg, Add):
            self.n += helper(msg.amount)
        return self.n
    def cls(self):
        return Counter

def make_closure(y):
    def inner(x):
        return x + y
    return inner

k = 7
state = {
    "counter": Counter(), "helper": helper, "Add": Add,
    "lam": lambda x: x + k, "closure": make_closure(5),
}
p = pickling.dumps(state)
Path("state.pkl").write_bytes(p.data)
print(sorted(p.code), p.anonymous_code)
"""


@pytest.fixture
def saved(tmp_path):
    out = run_script(tmp_path, SAVER, name="saver.py")
    assert out.strip() == "['__main__:Add', '__main__:Counter', '__main__:helper'] 2"
    return tmp_path


def test_main_code_is_restored_in_a_fresh_process_without_the_definitions(saved):
    out = run_script(
        saved,
        """
        from pathlib import Path
        from actorlab.persistence import pickling
        s = pickling.loads(Path("state.pkl").read_bytes())
        c = s["counter"]
        print(type(c).__name__, c.n, c.receive(s["Add"](2)), c.receive(c.log[0]))
        print(s["helper"](2), s["lam"](1), s["closure"](1), c.cls() is type(c))
        print(isinstance(c.log[0], s["Add"]))
        again = pickling.loads(Path("state.pkl").read_bytes())
        print(type(again["counter"]) is type(c))  # one fallback class per process
    """,
        name="loader.py",
    )
    assert out.split("\n")[:4] == ["Counter 1 7 10", "6 8 6 True", "True", "True"]


def test_current_definitions_replace_the_pickled_ones(saved):
    """After a 'kernel restart' the cells are re-run with an edited handler."""
    out = run_script(
        saved,
        """
        from dataclasses import dataclass
        from pathlib import Path
        from actorlab.persistence import pickling

        @dataclass
        class Add:
            amount: int

        class Counter:
            def receive(self, msg):
                if isinstance(msg, Add):
                    self.n += 100 * msg.amount
                return self.n

        s = pickling.loads(Path("state.pkl").read_bytes())
        c = s["counter"]
        print(type(c) is Counter, s["Add"] is Add, type(c.log[0]) is Add)
        print(c.n, c.receive(Add(1)))
        print(s["helper"](2))  # helper was not redefined: the pickled copy, with its global
    """,
        name="rebinder.py",
    )
    assert out.split("\n")[:3] == ["True True True", "1 101", "6"]


def test_fallback_class_uses_current_nested_definitions(saved):
    """Counter was deleted but Add exists: the by-value Counter matches the new Add."""
    out = run_script(
        saved,
        """
        from dataclasses import dataclass
        from pathlib import Path
        from actorlab.persistence import pickling

        @dataclass
        class Add:
            amount: int

        s = pickling.loads(Path("state.pkl").read_bytes())
        c = s["counter"]
        print(c.receive(Add(2)), type(c.log[0]) is Add)
    """,
        name="partial.py",
    )
    assert out.split() == ["7", "True"]


@dataclass
class Plain:
    x: int


def module_level(x: int) -> int:
    return x


@pytest.mark.parametrize(
    ("value", "code", "anonymous"),
    [
        ({"a": [1, 2.5, "s", b"b", None, (1,), {1}]}, (), 0),
        (Plain(1), (), 0),
        (module_level, (), 0),
        (functools.partial(module_level, 1), (), 0),
        (os, (), 0),
        (lambda: 1, (), 1),
    ],
)
def test_contains_code_is_truthful(value, code, anonymous):
    p = pickling.dumps(value)
    assert p.code == code and p.anonymous_code == anonymous
    assert p.contains_code is bool(code or anonymous)


def test_a_local_class_is_pickled_by_value_and_restored():
    def make():
        class Local:
            def __init__(self):
                self.v = 3

            def twice(self):
                return self.v * 2

        return Local()

    p = pickling.dumps(make())
    assert p.anonymous_code == 1 and p.contains_code
    assert pickling.loads(p.data).twice() == 6


def test_importable_objects_stay_by_reference_and_byte_identical_to_stdlib():
    value = {"p": Plain(2), "f": module_level, "l": list(range(50))}
    assert pickling.dumps(value).data == pickle.dumps(value, protocol=pickling.PROTOCOL)


def test_dill_settings_are_never_mutated():
    before = dict(dill.settings)
    pickling.dumps({"f": lambda: 1})
    assert dill.settings == before


def test_types_dill_names_itself_are_not_code():
    import types

    p = pickling.dumps({"t": types.FunctionType, "m": types.MappingProxyType})
    assert not p.contains_code
    assert pickling.loads(p.data, allow_code=False)["t"] is types.FunctionType


def test_code_can_be_forbidden_on_load():
    p = pickling.dumps(lambda: 1)
    with pytest.raises(pickling.CodeNotAllowed, match="lambda"):
        pickling.loads(p.data, allow_code=False)


class Conn:
    __snapshot_exclude__ = ("sock", "cache")

    def __init__(self):
        self.host = "db"
        self.sock = object()
        self.cache = {1: 2}


class Slotted:
    __slots__ = ("a", "tmp")
    __snapshot_exclude__ = "tmp"

    def __init__(self):
        self.a = 1
        self.tmp = object()


def test_snapshot_exclude_saves_the_attributes_as_none():
    c = pickling.loads(pickling.dumps({"c": Conn()}).data)["c"]
    assert (c.host, c.sock, c.cache) == ("db", None, None)
    s = pickling.loads(pickling.dumps(Slotted()).data)
    assert (s.a, s.tmp) == (1, None)


SHAPES = """
import enum, typing
from dataclasses import dataclass
from pathlib import Path
import actorlab as al
from actorlab.persistence import codec

class Color(enum.Enum):
    RED = 1
    BLUE = 2

class Point(typing.NamedTuple):
    x: int
    y: int = 0

@dataclass(frozen=True)
class Frozen:
    a: int

T = typing.TypeVar("T")

class Box(typing.Generic[T]):
    def __init__(self, v):
        self.v = v
    def get(self) -> T:
        return self.v

state = {{"p": Point(1, 2), "f": Frozen(3), "b": Box[int](4){extra}}}
aid = al.ActorId.from_name("shapes")
Path("shapes.snap").write_bytes(codec.dump(state, actor_id=aid, actor_class="__main__.State"))
"""


def test_namedtuple_frozen_dataclass_and_generic_classes_restore_without_definitions(tmp_path):
    run_script(tmp_path, SHAPES.format(extra=""), name="saver.py")
    out = run_script(
        tmp_path,
        """
        from pathlib import Path
        from actorlab.persistence import codec
        header, s = codec.load(Path("shapes.snap").read_bytes())
        print(s["p"], s["p"].y, s["f"], s["b"].get(), header.requires)
        """,
        name="loader.py",
    )
    assert out.strip() == "Point(x=1, y=2) 2 Frozen(a=3) 4 ()"


def test_notebook_enum_needs_its_definition_and_says_so_before_unpickling(tmp_path):
    run_script(tmp_path, SHAPES.format(extra=', "c": Color.BLUE'), name="saver.py")
    out = run_script(
        tmp_path,
        """
        from pathlib import Path
        import actorlab as al
        from actorlab.persistence import codec, format
        data = Path("shapes.snap").read_bytes()
        print(format.read_header(data).requires)
        try:
            codec.load(data)
        except al.SnapshotError as e:
            print(e)
        """,
        name="without.py",
    )
    first, message = out.strip().split("\n", 1)
    assert first == "('__main__:Color',)"
    assert "needs __main__.Color, which this process does not define" in message
    assert "not unpickled. Fix: re-run the cell(s) that define them" in message
    out = run_script(
        tmp_path,
        """
        import enum
        from pathlib import Path
        from actorlab.persistence import codec
        class Color(enum.Enum):
            RED = 1
            BLUE = 2
        header, s = codec.load(Path("shapes.snap").read_bytes())
        print(s["c"] is Color.BLUE)
        """,
        name="with.py",
    )
    assert out.strip() == "True"


CYCLE_SAVER = """
import warnings
from pathlib import Path
import dill
from actorlab.persistence import pickling

warnings.simplefilter("error", dill.PicklingWarning)

def make():
    return A()

class A:
    partner = None
    def again(self):
        return make()

class B:
    def back(self) -> "A":
        return A()

A.partner = B
p = pickling.dumps({"a": A(), "make": make, "B": B})
Path("cycle.pkl").write_bytes(p.data)
print(sorted(p.code))
"""


def test_classes_and_functions_that_refer_to_each_other_survive_a_fresh_process(tmp_path):
    """Mutual references between ``__main__`` classes/functions (a class and its snapshot type,
    a factory and its class) are copied together, without dill's recursion fallback."""
    out = run_script(tmp_path, CYCLE_SAVER, name="saver.py")
    assert out.strip() == "['__main__:A', '__main__:B', '__main__:make']"
    out = run_script(
        tmp_path,
        """
        from pathlib import Path
        from actorlab.persistence import pickling
        s = pickling.loads(Path("cycle.pkl").read_bytes())
        A = type(s["a"])
        print(type(s["a"].again()) is A, type(s["make"]()) is A)
        print(type(A.partner().back()).__name__, s["B"].__name__)
        """,
        name="loader.py",
    )
    assert out.split() == ["True", "True", "A", "B"]
