"""A small thread-safe LRU for results worth keeping between requests, and one switch that forgets them all."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")
_ALL: list[LRU] = []


class LRU(Generic[V]):
    """At most `size` values; the least recently used one goes first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        _ALL.append(self)

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept for key, or make() kept from now on (made outside the lock: two threads may both make it)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        self.put(key, value)
        return value

    def put(self, key: Hashable, value: V) -> None:
        """Keep a value (the least recently used one goes when full)."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        """How many values are kept."""
        return len(self._items)

    def clear(self) -> None:
        """Forget every value."""
        with self._lock:
            self._items.clear()


def clear_all() -> None:
    """Forget the values of every LRU of this process (benchmarks measure unseen requests)."""
    for cache in _ALL:
        cache.clear()
