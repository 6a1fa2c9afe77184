"""Kinds of one thing known by name, each declared by one module of a package.

The rule types (:mod:`newsmon.rules.types`) and the channel types
(:mod:`newsmon.channels.registry`) are both registries: a module of the
package sets one attribute (``RULE_TYPE``, ``CHANNEL``) and is found when the
package loads, so adding a kind is writing one module. Each registry checks
its kinds' declared options itself, with its own error type naming file and
field.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar

T = TypeVar("T")


class Registry(Mapping[str, T]):
    """Name -> kind, in registration order; ``what`` names the kind in errors ("rule type")."""

    def __init__(self, what: str, name_of: Callable[[T], str]) -> None:
        self.what = what
        self._name_of = name_of
        self._kinds: dict[str, T] = {}

    def __getitem__(self, name: str) -> T:
        return self._kinds[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds)

    def __len__(self) -> int:
        return len(self._kinds)

    def register(self, kind: T) -> T:
        """Make ``kind`` known by its name; a second kind of the same name is refused."""
        name = self._name_of(kind)
        if name in self._kinds:
            raise ValueError(f"{self.what} {name!r} is already registered")
        self._kinds[name] = kind
        return kind

    def unregister(self, name: str) -> None:
        """Forget a kind (tests that register one of their own)."""
        self._kinds.pop(name, None)

    def load(self, package: str, attr: str, skip: tuple[str, ...] = ()) -> None:
        """Register ``attr`` of every module of ``package`` except ``skip`` and private (``_``) ones."""
        path = importlib.import_module(package).__path__
        for info in pkgutil.iter_modules(path):
            if info.name in skip or info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{package}.{info.name}")
            if not hasattr(module, attr):
                raise ValueError(f"{module.__name__}: a {self.what} module must set {attr}")
            self.register(getattr(module, attr))
