"""Imports of generated modules: names bound without collisions, written in isort order."""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Imports:
    """The imports of one generated module, and the names it binds.

    `name()` imports fe-gen's own fixed names; `bind()` imports a user's class under a name
    that collides with nothing else in the module (`Row` becomes `RowModel` where the module
    already uses `Row`).
    """

    first_party: tuple[str, ...]
    """The generated project's own packages (`app`, `tests`): the last import section."""
    reserved: set[str] = field(default_factory=set)
    """Names the module defines itself."""
    _modules: set[tuple[str, str | None]] = field(default_factory=set)
    _names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _bound: dict[str, tuple[str, str]] = field(default_factory=dict)

    def reserve(self, names: Iterable[str]) -> None:
        self.reserved.update(names)

    def module(self, module: str, alias: str | None = None) -> None:
        """`import module` or `import module as alias`."""
        self._modules.add((module, alias))
        self._bound[alias or module.split(".")[0]] = (module, "")

    def name(self, module: str, name: str) -> None:
        """`from module import name` (`name` may be `x as y`)."""
        self._names[module].add(name)
        self._bound[name.split(" as ")[-1]] = (module, name.split(" as ")[0])

    def bind(self, module: str, name: str) -> str:
        """Import `name` from `module`; return the name the module can use for it."""
        local = name
        counter = 1
        while local in self.reserved or self._bound.get(local, (module, name)) != (module, name):
            counter += 1
            local = f"{name}Model" if counter == 2 else f"{name}Model{counter}"
        self.name(module, name if local == name else f"{name} as {local}")
        return local

    def taken(self) -> set[str]:
        return set(self.reserved) | set(self._bound)

    def render(self) -> str:
        sections: dict[int, list[str]] = defaultdict(list)
        for module, alias in sorted(self._modules, key=lambda entry: entry[0].lower()):
            line = f"import {module} as {alias}" if alias else f"import {module}"
            sections[self._section(module)].append(line)
        for module in sorted(self._names, key=str.lower):
            names = sorted(self._names[module], key=_name_order)
            line = f"from {module} import {', '.join(names)}"
            if len(line) > 100:
                inner = "".join(f"    {name},\n" for name in names)
                line = f"from {module} import (\n{inner})"
            sections[self._section(module)].append(line)
        return "\n\n".join("\n".join(sections[key]) for key in sorted(sections))

    def _section(self, module: str) -> int:
        top = module.split(".")[0]
        if top == "__future__":
            return 0
        if top in sys.stdlib_module_names:
            return 1
        return 3 if top in self.first_party else 2


def _name_order(name: str) -> tuple[int, str]:
    # isort's order-by-type: CONSTANTS, then Classes, then functions and variables.
    bare = name.split(" as ")[0]
    if bare.isupper() and len(bare) > 1:
        return 0, bare
    if bare[:1].isupper():
        return 1, bare
    return 2, bare
