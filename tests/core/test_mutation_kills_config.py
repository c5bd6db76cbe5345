"""Tests that kill mutants of ``config`` (``make mutation``): what ``al.configure`` accepts for each
setting, what it stores, and the error texts of a wrong value."""

from __future__ import annotations

import dataclasses
import math

import pytest

import actorlab as al


@pytest.fixture(autouse=True)
def _restore_settings():
    before = dataclasses.replace(al.settings())
    yield
    for field in dataclasses.fields(before):
        setattr(al.settings(), field.name, getattr(before, field.name))


def test_configure_returns_the_settings_in_force():
    assert al.configure() is al.settings()
    assert al.configure(ask_timeout=7) is al.settings()


def test_an_unknown_setting_lists_every_setting():
    with pytest.raises(TypeError) as info:
        al.configure(colour="red")
    assert str(info.value) == (
        "al.configure() got an unknown setting 'colour'; the settings are: ask_timeout, "
        "dead_letter_capacity, event_capacity, live_upgrade, shutdown_timeout, snapshot_key"
    )


@pytest.mark.parametrize("key", ["ask_timeout", "shutdown_timeout"])
def test_timeouts_are_stored_as_floats_and_inf_means_no_limit(key):
    assert al.configure(**{key: 3}) is al.settings()
    value = getattr(al.settings(), key)
    assert value == 3.0 and type(value) is float
    al.configure(**{key: math.inf})
    assert getattr(al.settings(), key) == math.inf


@pytest.mark.parametrize("key", ["ask_timeout", "shutdown_timeout"])
def test_timeouts_are_checked_with_the_setting_named(key):
    with pytest.raises(ValueError) as info:
        al.configure(**{key: -1})
    assert str(info.value).startswith(f"al.configure(): {key} must be a positive number of seconds")
    with pytest.raises(TypeError) as info:
        al.configure(**{key: "5"})
    assert str(info.value).startswith(f"al.configure(): {key} must be a number of seconds")


@pytest.mark.parametrize("key", ["event_capacity", "dead_letter_capacity"])
def test_capacities_take_positive_ints_only(key):
    al.configure(**{key: 1})
    assert getattr(al.settings(), key) == 1
    al.configure(**{key: 12})
    assert getattr(al.settings(), key) == 12
    for bad in (0, -3, 2.5, "10", None):
        with pytest.raises(ValueError) as info:
            al.configure(**{key: bad})
        assert str(info.value) == f"al.configure({key}=...) needs a positive int, got {bad!r}"
    assert getattr(al.settings(), key) == 12


def test_live_upgrade_takes_true_or_false_only():
    al.configure(live_upgrade=False)
    assert al.settings().live_upgrade is False
    al.configure(live_upgrade=True)
    assert al.settings().live_upgrade is True
    for bad in ("yes", 1, None):
        with pytest.raises(ValueError) as info:
            al.configure(live_upgrade=bad)
        assert str(info.value) == (
            f"al.configure(live_upgrade=...) needs True or False, got {bad!r}"
        )
    assert al.settings().live_upgrade is True


def test_snapshot_key_takes_bytes_or_str_and_none_clears_it():
    al.configure(snapshot_key=b"k1")
    assert al.settings().snapshot_key == b"k1"
    al.configure(snapshot_key="k\u00e9y")  # a str is encoded (UTF-8)
    assert al.settings().snapshot_key == "k\u00e9y".encode()
    al.configure(snapshot_key=None)
    assert al.settings().snapshot_key is None
    for bad in (b"", "", 42, bytearray(b"k")):
        with pytest.raises(ValueError) as info:
            al.configure(snapshot_key=bad)
        assert str(info.value) == "al.configure(snapshot_key=...) needs non-empty bytes or str"
    assert al.settings().snapshot_key is None


def test_several_settings_at_once():
    s = al.configure(ask_timeout=2, event_capacity=50, live_upgrade=False)
    assert (s.ask_timeout, s.event_capacity, s.live_upgrade) == (2.0, 50, False)
