"""Import blocks for generated modules, written in the order ruff's isort keeps them."""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class Imports:
    """The imports one generated module needs."""

    first_party: str | tuple[str, ...]
    """The generated project's own packages (`app`, `tests`): the last import section."""
    _modules: set[tuple[str, str | None]] = field(default_factory=set)
    _names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def module(self, module: str, alias: str | None = None) -> None:
        """`import module` or `import module as alias`."""
        self._modules.add((module, alias))

    def name(self, module: str, name: str) -> None:
        """`from module import name` (`name` may be `x as y`)."""
        self._names[module].add(name)

    def render(self) -> str:
        sections: dict[int, list[str]] = defaultdict(list)
        for module, alias in sorted(self._modules, key=lambda entry: entry[0].lower()):
            line = f"import {module} as {alias}" if alias else f"import {module}"
            sections[self._section(module)].append(line)
        for module in sorted(self._names, key=str.lower):
            names = ", ".join(sorted(self._names[module], key=_name_order))
            line = f"from {module} import {names}"
            if len(line) > 100:
                inner = "".join(f"    {name},\n" for name in sorted(self._names[module], key=_name_order))
                line = f"from {module} import (\n{inner})"
            sections[self._section(module)].append(line)
        return "\n\n".join("\n".join(sections[key]) for key in sorted(sections))

    def _section(self, module: str) -> int:
        top = module.split(".")[0]
        if top == "__future__":
            return 0
        if top in sys.stdlib_module_names:
            return 1
        first_party = (self.first_party,) if isinstance(self.first_party, str) else self.first_party
        return 3 if top in first_party else 2


def _name_order(name: str) -> tuple[int, str]:
    # isort's order-by-type: CONSTANTS, then Classes, then functions and variables.
    bare = name.split(" as ")[0]
    if bare.isupper() and len(bare) > 1:
        return 0, bare
    if bare[:1].isupper():
        return 1, bare
    return 2, bare
