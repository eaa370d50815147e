"""A compiled shape and the checks of its components, evaluated exactly on one focus node."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lineage.shapes.data import Data
from lineage.shapes.report import Violation, focus_text, path_text
from lineage.shapes.terms import Term


@dataclass(frozen=True, slots=True)
class Shape:
    """A node shape (``path`` None) or a property shape, compiled."""

    name: str
    message: str | None
    level: str
    path: tuple[str, bool] | None  # (predicate, inverse)
    checks: tuple[Check, ...]
    properties: tuple[Shape, ...]
    max_count: int | None = None
    # The checks that can fail when a property has no value at all (minCount, hasValue,
    # equals): most property shapes of a focus node have none, and the others then pass.
    empty_checks: tuple[Check, ...] = ()
    # The property shapes split by that: those that can fail with no value are always
    # tried; the others only when the focus node has their path's predicate.
    _always: tuple[Shape, ...] = field(init=False, repr=False, compare=False)
    _by_path: tuple[tuple[str, bool, tuple[Shape, ...]], ...] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        grouped: dict[tuple[str, bool], list[Shape]] = {}
        for prop in self.properties:
            if not prop.empty_checks and prop.path is not None:
                grouped.setdefault(prop.path, []).append(prop)
        object.__setattr__(self, "_always", tuple(
            p for p in self.properties if p.empty_checks or p.path is None))
        object.__setattr__(self, "_by_path", tuple(
            (pred, inverse, tuple(props)) for (pred, inverse), props in grouped.items()))

    def value_nodes(self, data: Data, focus: Term) -> list[Term]:
        """Return the focus node itself (node shape) or its values along the path."""
        if self.path is None:
            return [focus]
        return data.values(focus, self.path[0], inverse=self.path[1])

    def fails(self, data: Data, focus: Term) -> bool:
        """Tell whether ``focus`` violates this shape or one of its property shapes."""
        values = self.value_nodes(data, focus)
        for check in self.checks if values else self.empty_checks:
            if check.fails(data, focus, values):
                return True
        return any(p.fails(data, focus) for p in self._present(data, focus))

    def _present(self, data: Data, focus: Term) -> Iterator[Shape]:
        """Yield the property shapes that can fail on ``focus`` (see ``_always``)."""
        yield from self._always
        out = data.out.get(focus)
        inv = data.inv.get(focus)
        for predicate, inverse, props in self._by_path:
            edges = inv if inverse else out
            if edges is not None and predicate in edges:
                yield from props

    def violations(self, data: Data, focus: Term) -> list[Violation]:
        """Return the violations of ``focus`` against this shape and its property shapes."""
        if not self.fails(data, focus):  # the usual case, decided without building messages
            return []
        values = self.value_nodes(data, focus)
        found: list[Violation] = []
        if any(check.fails(data, focus, values) for check in
               (self.checks if values else self.empty_checks)):
            where = f" ({path_text(self.path[0], inverse=self.path[1])})" if self.path else ""
            message = self.message or f"{self.name} does not conform"
            found.append(Violation(self.level, focus_text(focus), message + where))
        for prop in self.properties:
            found.extend(prop.violations(data, focus))
        return found


# A test that one value node must pass (of a component judging values one at a time).
ValueTest = Callable[[Data, Term], bool]


@dataclass(frozen=True, slots=True, eq=False)
class Check:
    """One constraint component of a shape.

    ``fails`` tells whether the value nodes of one focus node fail it; the other fields say
    what kind of component it is, for the quick pass of :class:`_Plan`.
    """

    fails: Callable[[Data, Term, list[Term]], bool]
    test: ValueTest | None = None  # set when the component judges each value alone
    min_count: int | None = None
    max_count: int | None = None
