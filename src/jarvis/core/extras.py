"""Typed slots for the singletons each domain keeps on the app context (its scheduler, engine, state).

A domain declares `KEY = Key[Scheduler]("health")` next to its type and reads `ctx.extras[KEY]`: the
type travels with the key, so no caller casts, and core stays ignorant of the domains' classes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Key(Generic[T]):
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Key({self.name!r})"


class Extras:
    def __init__(self) -> None:
        self._values: dict[str, Any] = {}

    def __setitem__(self, key: Key[T], value: T) -> None:
        self._values[key.name] = value

    def __getitem__(self, key: Key[T]) -> T:
        try:
            value: T = self._values[key.name]
        except KeyError:
            raise LookupError(f"{key.name} is not installed on this app context") from None
        return value

    def get(self, key: Key[T]) -> T | None:
        value: T | None = self._values.get(key.name)
        return value

    def setdefault(self, key: Key[T], make: Callable[[], T]) -> T:
        """The value under `key`, made by `make()` the first time it is asked for (one per app)."""
        value: T | None = self._values.get(key.name)
        if value is None:
            value = self._values[key.name] = make()
        return value

    def __contains__(self, key: Key[Any]) -> bool:
        return key.name in self._values
