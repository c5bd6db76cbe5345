"""Tests that kill mutants of ``persistence/pickling.py`` (``make mutation``), in process.

Code "defined in a notebook cell" is source run with ``__name__ == "__main__"`` and bound in
the real ``__main__``; removing it from ``__main__`` before loading is what a fresh process
without the definitions sees (tests/persistence/test_pickling.py and test_fresh_process.py do it
in real subprocesses). Covered: what ``dumps`` reports (named code, anonymous code, required
enums), which definition loading uses (the current one, else the copy, one copy per blob), code
refused on load and the text it names, nested named code inside a copy, mutually referring
classes, string annotations, generic bases, TypeVars, modules, excluded attributes, and
``lookup``/``missing_code`` (imports a module only when asked)."""

from __future__ import annotations

import pickle
import sys
import textwrap
import typing
import warnings

import dill
import pytest

from actorlab.persistence import pickling

T = typing.TypeVar("T")


class Plain:
    def __init__(self, v: int = 1) -> None:
        self.v = v


class Outer:
    class Inner:
        def __init__(self) -> None:
            self.x = 1


class Msg:
    """A message class the notebook code annotates with (a string, with __future__)."""


class Generic(typing.Generic[T]):
    """An importable generic base (like ``al.ActorArgs``) of a class defined in a notebook."""


@pytest.fixture
def main(monkeypatch):
    """``define(source, *names)``: run ``source`` as a notebook cell, bind ``names`` in
    ``__main__``; ``forget(*names)``: remove them (a fresh process without the cells)."""
    import __main__

    class Notebook:
        def __init__(self) -> None:
            self.ns: dict[str, typing.Any] = {
                "__name__": "__main__",
                "Msg": Msg,
                "Generic": Generic,
                "typing": typing,
            }

        def define(self, source: str, *names: str) -> list[typing.Any]:
            exec(textwrap.dedent(source), self.ns)
            for name in names:
                monkeypatch.setattr(__main__, name, self.ns[name], raising=False)
            return [self.ns[n] for n in names]

        def forget(self, *names: str) -> None:
            for name in names:
                monkeypatch.delattr(__main__, name)

        def bind(self, name: str, value: typing.Any) -> None:
            monkeypatch.setattr(__main__, name, value, raising=False)

    return Notebook()


COUNTER = """
SCALE = 3

def helper(x):
    return x * SCALE

class Counter:
    def __init__(self):
        self.n = 1
    def add(self, k):
        self.n += helper(k)
        return self.n
"""


# -- what dumps reports ------------------------------------------------------------------------


def test_named_notebook_code_is_reported_once_with_the_code_it_uses(main):
    counter, helper = main.define(COUNTER, "Counter", "helper")
    p = pickling.dumps({"c": counter(), "again": counter(), "f": helper})
    assert sorted(p.code) == ["__main__:Counter", "__main__:helper"]
    assert (p.anonymous_code, p.requires, p.contains_code) == (0, (), True)
    # the methods stay inside Counter's copy, they are not separate named code
    assert pickling.dumps(counter()).code == ("__main__:helper", "__main__:Counter")


def test_anonymous_code_is_counted_one_by_one(main):
    def make(y):
        return lambda x: x + y

    code = compile("1 + 1", "<cell>", "eval")
    p = pickling.dumps({"a": lambda: 1, "b": make(2), "c": make(3), "code": code})
    assert (p.code, p.anonymous_code) == ((), 4)
    exec("def f():\n    return 5\n", loose := {})  # no __name__: its __module__ is None
    p = pickling.dumps(loose["f"])
    assert (p.code, p.anonymous_code) == ((), 1)
    assert pickling.loads(p.data)() == 5


def test_a_code_object_is_anonymous_code_and_restored():
    code = compile("6 * 7", "<cell>", "eval")
    p = pickling.dumps(code)
    assert (p.code, p.anonymous_code) == ((), 1)
    assert eval(pickling.loads(p.data)) == 42


def test_importable_things_are_byte_identical_to_stdlib():
    value = {"inner": Outer.Inner(), "anystr": typing.AnyStr, "t": T, "p": Plain(3)}
    data = pickling.dumps(value).data
    assert data == pickle.dumps(value, protocol=pickling.PROTOCOL)
    assert data[:2] == b"\x80\x05"
    assert not pickling.dumps(value).contains_code


def test_a_module_is_pickled_by_name_and_main_is_refused(main):
    import json

    p = pickling.dumps({"json": json})
    assert pickling.loads(p.data)["json"] is json and not p.contains_code
    with pytest.raises(TypeError, match="module"):
        pickling.dumps(sys.modules["__main__"])
    (uses,) = main.define("import json\ndef uses():\n    return json.dumps([1])\n", "uses")
    p = pickling.dumps(uses)
    main.forget("uses")
    assert pickling.loads(p.data)() == "[1]"
    assert b"json" in p.data and b"JSONEncoder" not in p.data  # json by name, not its globals


def test_types_dill_names_itself_are_not_code():
    import types

    p = pickling.dumps({"t": types.FunctionType, "m": types.MappingProxyType})
    assert (p.contains_code, p.code, p.anonymous_code) == (False, (), 0)
    assert pickling.loads(p.data, allow_code=False)["m"] is types.MappingProxyType


# -- which definition loading uses -------------------------------------------------------------


def test_loading_uses_the_current_definitions_while_they_exist(main):
    counter, helper = main.define(COUNTER, "Counter", "helper")
    s = pickling.loads(pickling.dumps({"c": counter(), "f": helper, "cls": counter}).data)
    assert type(s["c"]) is counter and s["cls"] is counter and s["f"] is helper


def test_loading_without_the_definitions_uses_one_copy_per_blob(main):
    counter, helper = main.define(COUNTER, "Counter", "helper")
    p = pickling.dumps({"c": counter(), "f": helper, "cls": counter})
    main.forget("Counter", "helper")
    s = pickling.loads(p.data)
    assert type(s["c"]) is not counter and type(s["c"]) is s["cls"]
    assert s["cls"].__name__ == "Counter" and s["c"].add(2) == 7 and s["f"](2) == 6
    again = pickling.loads(p.data)
    assert again["cls"] is s["cls"] and again["f"] is s["f"]  # isinstance-compatible


def test_a_name_now_bound_to_something_else_loads_the_copy(main):
    counter, helper = main.define(COUNTER, "Counter", "helper")
    p = pickling.dumps({"cls": counter, "f": helper})
    main.bind("Counter", helper)  # callable, but not a class
    main.bind("helper", 3)  # defined, but not callable
    s = pickling.loads(p.data)
    assert isinstance(s["cls"], type) and s["cls"]().add(1) == 4
    assert callable(s["f"]) and s["f"](1) == 3


def test_code_refused_on_load_is_named(main):
    counter, helper = main.define(COUNTER, "Counter", "helper")
    p_cls, p_fn = pickling.dumps(counter), pickling.dumps(helper)
    main.forget("Counter", "helper")
    with pytest.raises(pickling.CodeNotAllowed) as info:
        pickling.loads(p_cls.data, allow_code=False)
    assert info.value.what == "class __main__.Counter" == str(info.value)
    with pytest.raises(pickling.CodeNotAllowed) as info:
        pickling.loads(p_fn.data, allow_code=False)
    assert info.value.what == "function __main__.helper" == str(info.value)
    with pytest.raises(pickling.CodeNotAllowed) as info:
        pickling.loads(pickling.dumps(lambda: 1).data, allow_code=False)
    assert info.value.what == "a lambda, closure or other unnamed code" == str(info.value)


def test_refused_code_does_not_stop_loading_current_definitions(main):
    counter, _ = main.define(COUNTER, "Counter", "helper")
    s = pickling.loads(pickling.dumps({"c": counter()}).data, allow_code=False)
    assert type(s["c"]) is counter


def test_only_what_a_copy_uses_is_copied(main):
    (scaled,) = main.define(
        "FACTOR = 4\nUNUSED = (i for i in range(3))\ndef scaled(x):\n    return x * FACTOR\n",
        "scaled",
    )
    p = pickling.dumps(scaled)  # the generator beside it cannot be pickled: not copied
    main.forget("scaled")
    main.ns["FACTOR"] = 100  # the copy carries the value it was saved with
    assert pickling.loads(p.data)(2) == 8


# -- enums, TypeVars ---------------------------------------------------------------------------

COLOR = """
import enum
class Color(enum.Enum):
    RED = 1
    BLUE = 2
"""


def test_a_notebook_enum_is_saved_by_name_and_required(main):
    (color,) = main.define(COLOR, "Color")
    p = pickling.dumps({"c": color.BLUE})
    assert (p.requires, p.code, p.anonymous_code) == (("__main__:Color",), (), 0)
    assert pickling.loads(p.data)["c"] is color.BLUE
    assert pickling.missing_code(p.requires) == []
    main.forget("Color")
    assert pickling.missing_code(p.requires) == ["__main__:Color"]
    with pytest.raises(LookupError) as info:
        pickling.loads(p.data)
    assert str(info.value) == (
        "the snapshot needs __main__.Color, which is not defined in this process (enums "
        "defined in a notebook cell are saved by name). Fix: re-run the cell that defines it"
    )


def test_a_notebook_typevar_is_saved_by_name_with_a_fallback(main):
    tv, co, contra = main.define(
        "import typing\n"
        "K = typing.TypeVar('K', bound=int, covariant=True)\n"
        "V = typing.TypeVar('V', int, str, covariant=True)\n"
        "W = typing.TypeVar('W', contravariant=True)\n",
        "K",
        "V",
        "W",
    )
    for t in (tv, co, contra):
        t.__module__ = "__main__"
    p = pickling.dumps({"k": tv, "v": co, "w": contra})
    assert not p.contains_code
    assert pickling.loads(p.data) == {"k": tv, "v": co, "w": contra}
    assert pickling.loads(p.data)["k"] is tv
    main.forget("K", "V", "W")
    s = pickling.loads(p.data)
    k, v, w = s["k"], s["v"], s["w"]
    assert isinstance(k, typing.TypeVar) and k is not tv
    assert (k.__name__, k.__bound__, k.__constraints__, k.__covariant__) == ("K", int, (), True)
    assert (v.__name__, v.__constraints__, v.__bound__, v.__covariant__) == (
        "V",
        (int, str),
        None,
        True,
    )
    assert (w.__name__, w.__contravariant__, w.__covariant__) == ("W", True, False)


def test_a_notebook_typevar_inside_a_copied_generic_class(main):
    main.define("import typing\nU = typing.TypeVar('U')\n", "U")
    main.ns["U"].__module__ = "__main__"
    (box,) = main.define(
        "class Box(typing.Generic[U]):\n    def __init__(self, v):\n        self.v = v\n", "Box"
    )
    p = pickling.dumps(box(4))
    assert p.code == ("__main__:Box",)
    main.forget("U", "Box")
    copy = pickling.loads(p.data)
    assert copy.v == 4 and type(copy).__parameters__[0].__name__ == "U"


# -- copies of classes: nesting, cycles, annotations, generic bases ---------------------------


def test_classes_and_functions_that_refer_to_each_other_load_without_definitions(main):
    a, b, make = main.define(
        """
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
        """,
        "A",
        "B",
        "make",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", dill.PicklingWarning)
        p = pickling.dumps({"a": a(), "make": make, "B": b})
    assert sorted(p.code) == ["__main__:A", "__main__:B", "__main__:make"]
    main.forget("A", "B", "make")
    s = pickling.loads(p.data)
    a_copy = type(s["a"])
    assert a_copy is not a and type(s["a"].again()) is a_copy and type(s["make"]()) is a_copy
    assert type(a_copy.partner().back()).__name__ == "A" and s["B"].__name__ == "B"


def test_a_helper_used_by_two_classes_is_one_copy(main):
    first, second = main.define(
        """
        def shared():
            return 11

        class First:
            def f(self):
                return shared()

        class Second:
            def f(self):
                return shared()
        """,
        "First",
        "Second",
        "shared",
    )[:2]
    p = pickling.dumps({"1": first(), "2": second()})
    assert sorted(p.code) == ["__main__:First", "__main__:Second", "__main__:shared"]
    main.forget("First", "Second", "shared")
    s = pickling.loads(p.data)
    assert s["1"].f() == s["2"].f() == 11
    assert type(s["1"]).f.__globals__["shared"] is type(s["2"]).f.__globals__["shared"]


ANNOTATED = """
from __future__ import annotations

class Handler:
    def on(self, msg: Msg, n: int = 0) -> Handler:
        return self
    def odd(self, x: Undefined) -> None:
        pass
    def plain(self, x):
        return x
"""


def test_a_copy_carries_evaluated_annotations_except_its_own_name(main):
    (handler,) = main.define(ANNOTATED, "Handler")
    before = dict(handler.on.__annotations__)
    p = pickling.dumps(handler)
    assert handler.on.__annotations__ == before == {"msg": "Msg", "n": "int", "return": "Handler"}
    main.forget("Handler")
    copy = pickling.loads(p.data)
    assert copy is not handler
    assert copy.on.__annotations__ == {"msg": Msg, "n": int, "return": "Handler"}
    assert copy.odd.__annotations__ == {"x": "Undefined", "return": None}
    assert copy.plain.__annotations__ == {} and copy().plain(2) == 2


def test_an_annotation_naming_a_nested_class_is_evaluated_in_the_copy(main):
    """The nested class is copied (and finished) before the method that names it: only a class
    whose copy is still being written stays a string."""
    (outer,) = main.define(
        """
        from __future__ import annotations

        class Outer:
            class Inner:
                pass
            def make(self) -> Outer.Inner:
                return Outer.Inner()
        """,
        "Outer",
    )
    p = pickling.dumps(outer)
    main.forget("Outer")
    copy = pickling.loads(p.data)
    assert copy is not outer and copy.make.__annotations__ == {"return": copy.Inner}


def test_a_function_copy_carries_evaluated_annotations(main):
    (fn,) = main.define(
        "from __future__ import annotations\ndef handle(m: Msg) -> int:\n    return 1\n", "handle"
    )
    p = pickling.dumps(fn)
    assert fn.__annotations__ == {"m": "Msg", "return": "int"}
    main.forget("handle")
    assert pickling.loads(p.data).__annotations__ == {"m": Msg, "return": int}


def test_a_copy_of_a_subclass_of_a_generic_class_keeps_its_base(main):
    own, sub = main.define(
        """
        V = typing.TypeVar("V")

        class Own(typing.Generic[V]):
            pass

        class Snap(Generic):
            pass

        class Plain:
            pass
        """,
        "Own",
        "Snap",
        "V",
    )[:2]
    own_bases = own.__orig_bases__
    p = pickling.dumps({"own": own, "snap": sub(), "plain": main.ns["Plain"]()})
    assert own.__dict__["__orig_bases__"] == own_bases  # its own, untouched
    assert "__orig_bases__" not in sub.__dict__ and sub.__orig_bases__ == Generic.__orig_bases__
    assert "__orig_bases__" not in main.ns["Plain"].__dict__
    main.forget("Own", "Snap", "V")
    s = pickling.loads(p.data)
    snap_copy = type(s["snap"])
    assert snap_copy is not sub and snap_copy.__bases__ == (Generic,)
    assert isinstance(s["snap"], Generic)
    assert s["own"].__orig_bases__[0].__origin__ is typing.Generic


# -- __snapshot_exclude__ ----------------------------------------------------------------------


class Conn:
    __snapshot_exclude__ = ("sock", "cache")

    def __init__(self) -> None:
        self.host, self.sock, self.cache = "db", object(), {1: 2}


class Slotted:
    __slots__ = ("a", "tmp")
    __snapshot_exclude__ = "tmp"

    def __init__(self) -> None:
        self.a, self.tmp = 1, object()


class SlottedWithDict(Slotted):
    __snapshot_exclude__ = ("tmp", "scratch")

    def __init__(self) -> None:
        super().__init__()
        self.kept, self.scratch = 2, object()


class Tagged(list):
    __snapshot_exclude__ = ("cache",)

    def __init__(self, items) -> None:
        super().__init__(items)
        self.cache = object()


class Custom:
    """A three-item ``__reduce__`` (callable, args, state)."""

    __snapshot_exclude__ = ("tmp",)

    def __init__(self) -> None:
        self.keep, self.tmp = 5, object()

    def __reduce__(self):
        return (Custom.__new__, (Custom,), dict(self.__dict__))


class Singleton:
    __snapshot_exclude__ = ("tmp",)

    def __reduce__(self):
        return "THE_SINGLETON"


THE_SINGLETON = Singleton()


class NothingExcludedPresent:
    __snapshot_exclude__ = ("absent",)

    def __init__(self) -> None:
        self.v = 7


def test_excluded_attributes_are_saved_as_none():
    s = pickling.loads(
        pickling.dumps(
            {
                "conn": Conn(),
                "slotted": Slotted(),
                "both": SlottedWithDict(),
                "tagged": Tagged([1, 2]),
                "custom": Custom(),
                "singleton": THE_SINGLETON,
                "none": NothingExcludedPresent(),
            }
        ).data
    )
    assert (s["conn"].host, s["conn"].sock, s["conn"].cache) == ("db", None, None)
    assert (s["slotted"].a, s["slotted"].tmp) == (1, None)
    both = s["both"]
    assert (both.a, both.tmp, both.kept, both.scratch) == (1, None, 2, None)
    assert s["tagged"] == [1, 2] and s["tagged"].cache is None
    assert (s["custom"].keep, s["custom"].tmp) == (5, None)
    assert s["singleton"] is THE_SINGLETON
    assert s["none"].v == 7


# -- lookup, missing_code, globals_used --------------------------------------------------------


@pytest.fixture
def stale_module(tmp_path, monkeypatch):
    """A module ``al_stale_mod`` on sys.path and an instance of its class ``Thing`` from an
    older import (the module was reloaded since): pickled by value, named ``al_stale_mod:Thing``.
    The module is then unloaded, as in a fresh process that has not imported it yet."""
    import importlib

    (tmp_path / "al_stale_mod.py").write_text(
        "import enum\n"
        "class Thing:\n    def tag(self):\n        return 'thing'\n"
        "class Mood(enum.Enum):\n    HAPPY = 1\n"
        "def helper():\n    return 'helper'\n"
        "VALUE = 1\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "al_stale_mod", raising=False)
    old = importlib.import_module("al_stale_mod")
    thing, mood, helper = old.Thing(), old.Mood.HAPPY, old.helper
    monkeypatch.delitem(sys.modules, "al_stale_mod")
    importlib.import_module("al_stale_mod")  # the current definitions differ from the old ones
    return thing, mood, helper, monkeypatch


def test_a_stale_class_is_pickled_by_value_and_loading_imports_its_module(stale_module):
    thing, mood, _, monkeypatch = stale_module
    p = pickling.dumps({"thing": thing, "mood": mood})
    assert (p.code, p.requires) == (("al_stale_mod:Thing",), ("al_stale_mod:Mood",))
    monkeypatch.delitem(sys.modules, "al_stale_mod")
    assert pickling.lookup("al_stale_mod", "Thing") is pickling._MISSING  # not imported
    assert "al_stale_mod" not in sys.modules
    assert pickling.missing_code(p.code + p.requires) == []  # importable: not missing
    monkeypatch.delitem(sys.modules, "al_stale_mod")
    s = pickling.loads(p.data)
    current = sys.modules["al_stale_mod"]
    assert type(s["thing"]) is current.Thing and s["mood"] is current.Mood.HAPPY


@pytest.mark.parametrize("which", ["mood", "helper"])
def test_loading_imports_the_module_of_a_required_enum_or_a_stale_function(stale_module, which):
    _, mood, helper, monkeypatch = stale_module
    p = pickling.dumps(mood if which == "mood" else helper)
    assert (p.requires, p.code) == (
        (("al_stale_mod:Mood",), ()) if which == "mood" else ((), ("al_stale_mod:helper",))
    )
    monkeypatch.delitem(sys.modules, "al_stale_mod")
    loaded = pickling.loads(p.data)
    current = sys.modules["al_stale_mod"]
    assert loaded is (current.Mood.HAPPY if which == "mood" else current.helper)


def test_a_local_module_a_copy_uses_is_saved_by_name_not_with_its_globals(stale_module, main):
    _, _, _, monkeypatch = stale_module
    import al_stale_mod

    main.ns["al_stale_mod"] = al_stale_mod
    (reads,) = main.define("def reads():\n    return al_stale_mod.VALUE\n", "reads")
    p = pickling.dumps(reads)
    monkeypatch.setattr(al_stale_mod, "VALUE", 2)
    main.forget("reads")
    copy = pickling.loads(p.data)
    assert copy() == 2 and al_stale_mod.VALUE == 2  # the module's state is never rolled back
    assert copy.__globals__["al_stale_mod"] is al_stale_mod


def test_lookup_and_missing_code(main):
    main.define("def here():\n    pass\n", "here")
    assert pickling.lookup("__main__", "here") is main.ns["here"]
    assert pickling.lookup(__name__, "Outer.Inner") is Outer.Inner
    assert pickling.lookup(__name__, "Outer.Nope") is pickling._MISSING
    assert pickling.lookup(__name__, "Nope.Inner") is pickling._MISSING
    assert pickling.lookup(None, "Plain") is pickling._MISSING
    assert pickling.lookup("al_no_such_module", "X", import_module=True) is pickling._MISSING
    names = ["__main__:here", "__main__:gone", f"{__name__}:Outer.Inner", "al_no_such_module:X"]
    assert pickling.missing_code(names) == ["__main__:gone", "al_no_such_module:X"]


def test_globals_used_skips_an_empty_cell_and_goes_on():
    def outer():
        b = 2

        def inner():
            return a, b, Plain

        found = dict(pickling.globals_used(inner))  # ``a`` is not assigned yet
        a = 1
        return found, a

    found, _ = outer()
    assert found == {"Plain": Plain, "b": 2}
