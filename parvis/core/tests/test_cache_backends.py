"""The per-process cache keeps the most recently used values within a memory budget."""

import pytest
from django.conf import settings

from parvis.core.cache_backends import BoundedLocMemCache


def bounded(name, *, max_bytes, max_entries=1000):
    cache = BoundedLocMemCache(
        name, {"OPTIONS": {"MAX_BYTES": max_bytes, "MAX_ENTRIES": max_entries}}
    )
    cache.clear()
    return cache


def test_the_default_cache_is_bounded_by_memory():
    assert settings.CACHES["default"]["BACKEND"] == "parvis.core.cache_backends.BoundedLocMemCache"


def test_least_recently_used_values_go_first_when_the_budget_is_spent():
    cache = bounded("budget", max_bytes=40_000)
    for name in "abcd":
        cache.set(name, "x" * 9_000)
    assert cache.get("a")  # a is now the most recently used
    cache.set("e", "x" * 9_000)  # needs room: b, the least recently used, goes
    assert cache.get("b") is None
    assert all(cache.get(name) for name in "acde")
    assert cache.size_bytes <= 40_000


def test_one_value_evicts_only_what_it_needs():
    cache = bounded("one-at-a-time", max_bytes=10_000_000, max_entries=10)
    for number in range(10):
        cache.set(number, number)
    cache.set("new", 1)
    kept = [number for number in range(10) if cache.get(number) is not None]
    assert kept == list(range(1, 10)), "Django's LocMemCache would drop a third at once"


def test_a_value_larger_than_a_quarter_of_the_budget_is_not_kept():
    cache = bounded("large", max_bytes=40_000)
    cache.set("small", "x" * 100)
    cache.set("large", "x" * 11_000)
    assert cache.get("large") is None
    assert cache.get("small") == "x" * 100


def test_replacing_deleting_and_clearing_keep_the_count_of_bytes_exact():
    cache = bounded("accounting", max_bytes=1_000_000)
    cache.set("a", "x" * 5_000)
    cache.set("a", "x" * 1_000)
    cache.set("b", 1)
    cache.incr("b", 10**30)  # the pickled value grows
    assert cache.get("b") == 1 + 10**30
    cache.add("c", "y" * 2_000)
    cache.delete("c")
    held = sum(len(value) for value in cache._cache.values())
    assert cache.size_bytes == held > 1_000
    cache.clear()
    assert cache.size_bytes == 0


@pytest.mark.parametrize("timeout", [0, -1])
def test_an_expired_value_is_gone_and_counts_for_nothing(timeout):
    cache = bounded(f"expired{timeout}", max_bytes=1_000_000)
    cache.set("a", "x" * 1_000, timeout)
    assert cache.get("a") is None
    assert cache.size_bytes == 0
