"""The per-process cache of the embedded default, bounded by memory rather than by count.

Django's LocMemCache keeps at most `MAX_ENTRIES` values (300 by default) and, when full, drops a
third of them at once. Pages of a platform are of very different sizes (a report's page is 4 kB,
an Open311 list 600 kB): a count either thrashes (a visitor browsing a few hundred reports empties
the cache of every other page) or, raised, lets a client who varies a query string fill the
memory with large answers. This one keeps the least recently used order of LocMemCache and drops
the oldest values, one at a time, until both the count and the bytes (`MAX_BYTES`, the pickled
size) fit; a value larger than a quarter of the budget is not kept at all.
"""

from __future__ import annotations

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache

_sizes: dict[str, dict[str, int]] = {}
_totals: dict[str, list[int]] = {}

DEFAULT_MAX_BYTES = 64 * 1024 * 1024


class BoundedLocMemCache(LocMemCache):
    def __init__(self, name, params):
        super().__init__(name, params)
        options = params.get("OPTIONS", {})
        self._max_bytes = int(options.get("MAX_BYTES", DEFAULT_MAX_BYTES))
        self._sizes = _sizes.setdefault(name, {})
        self._total = _totals.setdefault(name, [0])  # a list: shared and mutable by reference

    @property
    def size_bytes(self) -> int:
        """Pickled bytes held (keys and bookkeeping not counted)."""
        return self._total[0]

    def _set(self, key, value, timeout=DEFAULT_TIMEOUT):
        size = len(value)
        self._delete(key)
        if size > self._max_bytes // 4:
            return  # too large to keep without evicting much of the rest
        while self._cache and (
            len(self._cache) >= self._max_entries or self._total[0] + size > self._max_bytes
        ):
            self._delete(next(reversed(self._cache)))  # least recently used last
        self._cache[key] = value
        self._cache.move_to_end(key, last=False)
        self._expire_info[key] = self.get_backend_timeout(timeout)
        self._sizes[key] = size
        self._total[0] += size

    def _delete(self, key):
        if not super()._delete(key):
            return False
        self._total[0] -= self._sizes.pop(key, 0)
        return True

    def incr(self, key, delta=1, version=None):
        value = super().incr(key, delta, version)
        with self._lock:
            stored = self.make_and_validate_key(key, version=version)
            if stored in self._cache:
                size = len(self._cache[stored])
                self._total[0] += size - self._sizes.get(stored, 0)
                self._sizes[stored] = size
        return value

    def clear(self):
        with self._lock:
            self._cache.clear()
            self._expire_info.clear()
            self._sizes.clear()
            self._total[0] = 0
