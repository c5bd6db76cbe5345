"""Snapshots are signed by default with a per-user key (like Jupyter's notebook secret): one this
user did not write is refused before unpickling, with the way to trust it (issue 10, item 15)."""

from __future__ import annotations

import logging
import os
import stat
import threading

import pytest

import actorlab as al
from actorlab.persistence import codec, format, keys, pickling

from .helpers import Touch

AID = al.ActorId.from_name("signed")


class Counter(al.Actor, snapshot=True):
    def __init__(self, count: int = 0) -> None:
        self.count = count

    @al.handler
    def get(self, msg: str) -> int:
        return self.count


@pytest.fixture
def marker(tmp_path):
    return tmp_path / "UNPICKLED"


def _dump(marker, *, key):
    state = (Counter, {"proof": Touch(str(marker))})
    return format.encode(pickling.dumps(state), actor_id=AID, actor_class="x.C", key=key)


def refused(store, marker, match):
    with pytest.raises(al.SnapshotError, match=match):
        al.root().respawn_sync(store, AID)
    assert not marker.exists(), "the payload was unpickled before the check"


def test_a_key_is_created_on_first_use_private_and_reused(snapshot_data_dir):
    path = snapshot_data_dir / "snapshot_key"
    assert keys.key_path() == path and not path.exists()
    data = codec.dump({"n": 1}, actor_id=AID)
    assert format.read_header(data).signed
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text().strip()
    assert len(text) == 64 and int(text, 16) >= 0  # 256 random bits, hex
    codec.dump({"n": 2}, actor_id=AID)
    assert path.read_text().strip() == text  # reused, not recreated
    assert codec.load(data, expected_id=AID)[1] == {"n": 1}


def test_platform_data_dir_when_none_is_set(monkeypatch, tmp_path):
    monkeypatch.delenv("ACTORLAB_DATA_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    if os.name == "posix" and os.uname().sysname == "Linux":
        assert keys.key_path() == tmp_path / ".local/share/actorlab/snapshot_key"
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
        assert keys.key_path() == tmp_path / "xdg/actorlab/snapshot_key"


def test_signed_with_my_key_round_trips(al_root):
    store = al.MemoryStorage()
    c = al_root.spawn_persistent_sync(store, AID, Counter(3))
    assert al_root.save_snapshot_sync(c).signed
    c.stop()
    assert al.root().respawn_sync(store, AID).ask_sync("get") == 3


def test_unsigned_snapshot_of_an_older_actorlab_is_refused_with_the_fix(al_root, marker):
    store = al.MemoryStorage()
    store.write(AID, _dump(marker, key=None))
    refused(
        store, marker, r"is not signed .*not unpickled.*al\.trust_snapshot\(storage, actor_id\)"
    )


def test_another_users_snapshot_is_refused_with_the_fix(al_root, marker):
    store = al.MemoryStorage()
    store.write(AID, _dump(marker, key=b"someone else"))
    refused(
        store,
        marker,
        r"HMAC mismatch: its signature does not match your snapshot key \(.*snapshot_key\)"
        r".*not unpickled.*al\.trust_snapshot\(storage, actor_id\).*"
        r"al\.configure\(snapshot_key=\.\.\.\) or \$ACTORLAB_SNAPSHOT_KEY",
    )


def test_another_data_dir_is_another_user(al_root, monkeypatch, tmp_path, marker):
    store = al.FileStorage(tmp_path / "snaps")
    c = al_root.spawn_persistent_sync(store, AID, Counter(5))
    al_root.save_snapshot_sync(c)
    c.stop()
    monkeypatch.setenv("ACTORLAB_DATA_DIR", str(tmp_path / "other-user"))
    with pytest.raises(al.SnapshotError, match="HMAC mismatch"):
        al.root().respawn_sync(store, AID)
    with pytest.raises(al.SnapshotError, match="HMAC mismatch"):
        al.load_snapshot(store, AID)
    assert al.snapshots(store)[0].ok  # listing reads headers only: still shown


def test_trust_snapshot_signs_it_so_it_loads(al_root, marker):
    store = al.MemoryStorage()
    store.write(AID, _dump(marker, key=None))
    refused(store, marker, "not signed")
    header = al.trust_snapshot(store, AID)
    assert header.signed and not marker.exists()  # signing does not unpickle
    al.load_snapshot(store, AID)
    assert marker.exists()  # now it loads, as the user decided


def test_trust_snapshot_refuses_a_damaged_snapshot_and_writes_nothing(al_root, marker):
    store = al.MemoryStorage()
    data = bytearray(_dump(marker, key=None))
    data[-2] ^= 0xFF
    store.write(AID, bytes(data))
    with pytest.raises(al.SnapshotError, match="corrupt payload"):
        al.trust_snapshot(store, AID)
    assert store.read(AID) == bytes(data)


def test_trust_snapshot_of_nothing_says_so(al_root):
    with pytest.raises(al.SnapshotNotFound):
        al.trust_snapshot(al.MemoryStorage(), AID)


def test_an_explicit_key_is_shared_by_a_team_or_ci(al_root, monkeypatch, tmp_path, marker):
    """A shared store: everyone configures the same key; the per-user key is then unused."""
    store = al.FileStorage(tmp_path / "shared")
    monkeypatch.setattr(al.settings(), "snapshot_key", b"team secret")
    c = al_root.spawn_persistent_sync(store, AID, Counter(8))
    al_root.save_snapshot_sync(c)
    c.stop()
    assert not keys.key_path().exists()  # no per-user key was needed
    monkeypatch.setattr(al.settings(), "snapshot_key", None)
    monkeypatch.setenv("ACTORLAB_SNAPSHOT_KEY", "team secret")  # CI: the same key by env
    assert al.root().respawn_sync(store, AID).ask_sync("get") == 8
    al.shutdown()
    monkeypatch.delenv("ACTORLAB_SNAPSHOT_KEY")  # a member without the team key
    with pytest.raises(al.SnapshotError, match="HMAC mismatch"):
        al.root().respawn_sync(store, AID)


def test_configured_key_wins_over_env_and_user_key(monkeypatch):
    monkeypatch.setenv("ACTORLAB_SNAPSHOT_KEY", "env")
    assert keys.current_key() == b"env" and keys.source() == "$ACTORLAB_SNAPSHOT_KEY"
    monkeypatch.setattr(al.settings(), "snapshot_key", b"conf")
    assert keys.current_key() == b"conf" and "al.configure" in keys.source()
    assert not keys.key_path().exists()


def test_concurrent_first_use_agrees_on_one_key(snapshot_data_dir):
    got: list[bytes] = []

    def first_use() -> None:
        got.append(keys._read_or_create(keys.key_path()))

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(got)) == 1 and len(got) == 8
    assert [p.name for p in snapshot_data_dir.iterdir()] == ["snapshot_key"]  # no temp files


def test_an_unusable_data_dir_says_how_to_fix_it(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("ACTORLAB_DATA_DIR", str(blocker / "sub"))
    with pytest.raises(
        al.SnapshotError,
        match=r"cannot (read|create) the snapshot signing key.*"
        r"ACTORLAB_DATA_DIR.*al\.configure\(snapshot_key=\.\.\.\)",
    ):
        codec.dump({"n": 1}, actor_id=AID)


def test_a_key_readable_by_others_is_warned_about(snapshot_data_dir, caplog):
    keys.user_key()
    path = keys.key_path()
    path.chmod(0o644)
    keys._cache.clear()
    with caplog.at_level(logging.WARNING, logger="actorlab.persistence"):
        keys.user_key()
    assert "readable by other users" in caplog.text and "chmod 600" in caplog.text


def test_an_empty_key_file_is_refused(snapshot_data_dir):
    keys.key_path().write_text("")
    with pytest.raises(al.SnapshotError, match="is empty"):
        keys.user_key()


def test_respawn_or_falls_back_on_a_snapshot_it_cannot_trust(al_root, marker, caplog):
    store = al.MemoryStorage()
    store.write(AID, _dump(marker, key=b"someone else"))
    ref = al_root.respawn_or_sync(store, AID, None, Counter(1))
    assert ref.ask_sync("get") == 1 and not marker.exists()
    assert "al.trust_snapshot" in caplog.text


# --- the key file, in detail -----------------------------------------------------------------


@pytest.mark.parametrize(
    "platform, env, expected",
    [
        ("linux", {}, "/home/u/.local/share/actorlab"),
        ("linux", {"XDG_DATA_HOME": "/xdg"}, "/xdg/actorlab"),
        ("darwin", {}, "/home/u/Library/Application Support/actorlab"),
        (
            "win32",
            {"APPDATA": "C:\\Users\\u\\AppData\\Roaming"},
            "C:\\Users\\u\\AppData\\Roaming\\actorlab",
        ),
        ("win32", {}, "\\home\\u\\AppData\\Roaming\\actorlab"),
    ],
)
def test_platform_data_dirs(platform, env, expected):
    assert str(keys.platform_data_dir("/home/u", platform, env)) == expected


def test_sources_of_the_key(monkeypatch):
    assert keys.source() == f"your snapshot key ({keys.key_path()})"
    monkeypatch.setenv("ACTORLAB_SNAPSHOT_KEY", "env")
    assert keys.source() == "$ACTORLAB_SNAPSHOT_KEY"
    monkeypatch.setattr(al.settings(), "snapshot_key", b"conf")
    assert keys.source() == "al.configure(snapshot_key=...)"


def test_first_use_creates_missing_directories_private_and_says_so(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("ACTORLAB_DATA_DIR", str(tmp_path / "a" / "b"))
    with caplog.at_level(logging.INFO, logger="actorlab.persistence"):
        key = keys.user_key()
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o700
    path = keys.key_path()
    assert [r.getMessage() for r in caplog.records] == [
        f"created the snapshot signing key {path} (keep it private)"
    ]
    caplog.clear()
    keys._cache.clear()
    with caplog.at_level(logging.INFO, logger="actorlab.persistence"):
        assert keys.user_key() == key  # read back, not created again, and nothing to warn about
    assert caplog.records == []


def test_a_key_created_meanwhile_by_another_process_is_used(snapshot_data_dir, caplog):
    path = keys.key_path()
    path.write_text("theirs\n")
    with pytest.raises(FileExistsError):
        keys._create(path)  # never overwrites
    assert path.read_text() == "theirs\n"
    assert [p.name for p in snapshot_data_dir.iterdir()] == ["snapshot_key"]


def test_without_hard_links_the_key_is_still_created_once(snapshot_data_dir, monkeypatch):
    def no_links(src, dst):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    key = keys.user_key()
    path = keys.key_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(key) == 64
    assert path.read_text() == key.decode() + "\n"
    assert [p.name for p in snapshot_data_dir.iterdir()] == ["snapshot_key"]
    with pytest.raises(FileExistsError):
        keys._create_in_place(path)


def test_a_key_that_cannot_be_read_or_created_says_how_to_fix_it(snapshot_data_dir, monkeypatch):
    path = keys.key_path()
    path.mkdir()  # a directory where the key file should be
    with pytest.raises(al.SnapshotError) as info:
        keys.user_key()
    assert str(info.value).startswith(
        f"cannot read the snapshot signing key {path} (IsADirectoryError: "
    )
    path.rmdir()

    def refuse(p):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(keys, "_create", refuse)
    with pytest.raises(al.SnapshotError) as info:
        keys.user_key()
    assert str(info.value) == (
        f"cannot create the snapshot signing key {path} (PermissionError: [Errno 13] Permission "
        "denied). Fix: set $ACTORLAB_DATA_DIR to a writable directory of yours, or give a key "
        "with al.configure(snapshot_key=...) or $ACTORLAB_SNAPSHOT_KEY"
    )


def test_key_file_messages(snapshot_data_dir, caplog):
    path = keys.key_path()
    path.write_text("\n")
    with pytest.raises(al.SnapshotError) as info:
        keys.user_key()
    assert str(info.value) == (
        f"the snapshot signing key {path} is empty. Fix: delete it (a new one is created; "
        "snapshots signed with the old one then need al.trust_snapshot), or restore it"
    )
    path.write_text("k\n")
    path.chmod(0o640)
    with caplog.at_level(logging.WARNING, logger="actorlab.persistence"):
        assert keys.user_key() == b"k"
    assert [r.getMessage() for r in caplog.records] == [
        f"the snapshot signing key {path} is readable by other users: anyone who can read it can "
        f"make snapshots that run code as you. Fix: chmod 600 {path}"
    ]
