"""Messages between the processes of a cluster, pickled once per batch (cloudpickle).

A class that cloudpickle must send by value (defined in ``__main__``: a notebook cell) costs a
full copy of its definition in every pickle. Here it travels by value once per destination
process, then by key ``(module, qualname, content hash)``: the receiving process keeps the
classes it was sent. A class defined again (a re-run cell) is a new class object with another
hash, so it is sent again and arrives as the new version. Every class sent is also kept by the
notebook's registry, so a destination that restarted (empty) fetches one it no longer has.
"""

from __future__ import annotations

import hashlib
import io
import threading
import weakref
from typing import Any

Key = tuple[str, str, str]

# sent from here: each class object's key and definition
_keys: weakref.WeakKeyDictionary[type, tuple[Key, bytes]] = weakref.WeakKeyDictionary()
_classes: dict[Key, type] = {}  # received here
_lock = threading.Lock()
CACHE = True  # False: every pickle carries its cell classes by value (the bench's "before")


def _cloudpickle() -> Any:
    from ray import cloudpickle

    return cloudpickle


def _by_value(cls: type) -> bool:
    try:
        from ray.cloudpickle.cloudpickle import _should_pickle_by_reference

        return not _should_pickle_by_reference(cls)
    except Exception:  # another cloudpickle: the common case
        return cls.__module__ == "__main__"


def dumps(obj: Any, sent: set[Key], store: Any = None) -> bytes:
    """Pickle ``obj`` for one destination; ``sent``: the class keys it already has (updated).
    ``store(key, blob)`` keeps a class the first time this process sends it."""
    buf = io.BytesIO()
    _Pickler(buf, sent, store).dump(obj)
    return buf.getvalue()


def loads(data: bytes) -> Any:
    return _cloudpickle().loads(data)


def _describe(cls: type, store: Any) -> tuple[Key, bytes]:
    """The class's key and definition (pickled once per class object, kept by ``store``)."""
    with _lock:
        found = _keys.get(cls)
    if found is not None:
        return found
    blob = _cloudpickle().dumps(cls)
    key = (cls.__module__, cls.__qualname__, hashlib.sha1(blob).hexdigest()[:20])
    if store is not None:
        store(key, blob)
    with _lock:
        _keys[cls] = (key, blob)
    return key, blob


class _Pickler(_cloudpickle().Pickler):  # type: ignore[misc]
    def __init__(self, file: Any, sent: set[Key], store: Any) -> None:
        super().__init__(file)
        self.sent = sent
        self.store = store

    def reducer_override(self, obj: Any) -> Any:
        if CACHE and isinstance(obj, type) and _by_value(obj):
            key, blob = _describe(obj, self.store)
            if key in self.sent:
                return (_known, (key,))
            self.sent.add(key)
            return (_install, (key, blob))
        return super().reducer_override(obj)


def _install(key: Key, blob: bytes) -> type:
    """Unpickling: a class sent by value (the first time for this process)."""
    cls = _classes.get(key)
    if cls is None:
        cls = _classes[key] = _cloudpickle().loads(blob)
    return cls


def _known(key: Key) -> type:
    """Unpickling: a class sent earlier; this process restarted since: ask the registry."""
    cls = _classes.get(key)
    if cls is not None:
        return cls
    from .transport import current

    t = current()
    blob = None
    if t is not None:
        import ray

        blob = ray.get(t.registry().get_class.remote(key), timeout=30)
    if blob is None:
        from actorlab.errors import ActorlabError

        raise ActorlabError(
            f"the class {key[0]}.{key[1]} was sent to this process before it restarted, and the "
            f"notebook's registry does not have it. Fix: define the class again (re-run its cell)"
        )
    return _install(key, blob)
