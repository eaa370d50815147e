"""The quick pass: each node shape, with its focus nodes, as a plan asking whether it may fail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import chain

from lineage.shapes.data import Data
from lineage.shapes.shape import Check, Shape, ValueTest
from lineage.shapes.sparql import Sparql
from lineage.shapes.terms import Term


@dataclass(frozen=True, slots=True)
class _Rule:
    """A property shape of a node shape, as the quick pass of :class:`_Plan` reads it."""

    shape: Shape
    predicate: str
    inverse: bool
    tests: tuple[ValueTest, ...]  # its per-value components
    required: bool  # sh:minCount 1
    max_count: int | None  # sh:maxCount, at least 1
    exact: bool  # a component the quick pass cannot judge: evaluated per focus node

    @classmethod
    def of(cls, shape: Shape) -> _Rule:
        tests: list[ValueTest] = []
        required, max_count, exact = False, None, bool(shape.properties) or shape.path is None
        for check in shape.checks:
            if check.test is not None:
                tests.append(check.test)
            elif check.min_count == 1:
                required = True
            elif check.max_count:  # sh:maxCount 0 fails on any value: judged exactly
                max_count = min(max_count or check.max_count, check.max_count)
            elif check.min_count != 0:
                exact = True
        predicate, inverse = shape.path or ("", False)
        return cls(shape, predicate, inverse, tuple(tests), required, max_count, exact)

    def fails(self, data: Data, focus: Sequence[Term]) -> bool:
        """Tell whether a focus node fails the shape (exactly)."""
        return any(self.shape.fails(data, node) for node in focus)


@dataclass(frozen=True, slots=True)
class _Plan:
    """A node shape compiled for the quick pass, which asks whether a focus node may fail.

    The answer may be a false "maybe", never a false "no": a shape that may fail is then
    evaluated exactly (:meth:`Shape.violations`), node by node.
    """

    node_tests: tuple[ValueTest, ...]  # the node shape's per-value components
    node_checks: tuple[Check, ...]  # its other components
    required: frozenset[str]  # the predicates of its property shapes with sh:minCount 1
    required_inverse: frozenset[str]  # the same for inverse paths
    exact: tuple[_Rule, ...]  # its property shapes the quick pass cannot judge
    counted: tuple[_Rule, ...]  # those with sh:maxCount
    tested: tuple[_Rule, ...]  # those with per-value components

    @classmethod
    def of(cls, shape: Shape) -> _Plan:
        rules = [_Rule.of(p) for p in shape.properties]
        judged = [r for r in rules if not r.exact]
        return cls(tuple(c.test for c in shape.checks if c.test is not None),
                   tuple(c for c in shape.checks if c.test is None),
                   frozenset(r.predicate for r in judged if r.required and not r.inverse),
                   frozenset(r.predicate for r in judged if r.required and r.inverse),
                   tuple(r for r in rules if r.exact),
                   tuple(r for r in judged if r.max_count is not None),
                   tuple(r for r in judged if r.tests))

    def may_fail(self, data: Data, focus: Sequence[Term],
                 failed: set[tuple[str, bool, ValueTest]]) -> bool:
        """Tell whether a focus node may fail the shape (False: none does).

        ``failed`` holds the per-value tests that some value of the card fails, with the
        path of that value (see :meth:`Shapes.validate`).
        """
        for test in self.node_tests:  # the value node of a node shape is its focus node
            if not all(map(partial(test, data), focus)):
                return True
        for check in self.node_checks:
            if any(check.fails(data, node, [node]) for node in focus):
                return True
        for required, index in ((self.required, data.out),
                                (self.required_inverse, data.inv)):
            if required:
                for node in focus:
                    edges = index.get(node)
                    if edges is None or not edges.keys() >= required:  # sh:minCount 1 fails
                        return True
        if any(rule.fails(data, focus) for rule in self.exact):
            return True
        # sh:maxCount n >= 1 cannot fail on a predicate no node has twice.
        if any(rule.predicate in (data.inv_multi if rule.inverse else data.multi)
               and rule.fails(data, focus) for rule in self.counted):
            return True
        # A per-value test that every value of the path passes cannot fail on a focus node.
        return bool(failed) and any(
            any((rule.predicate, rule.inverse, test) in failed for test in rule.tests)
            and rule.fails(data, focus) for rule in self.tested)


@dataclass(frozen=True, slots=True)
class Target:
    """A node shape with where its focus nodes come from."""

    shape: Shape
    classes: tuple[str, ...]
    subjects_of: tuple[str, ...]
    objects_of: tuple[str, ...]
    sparql: tuple[Sparql, ...]
    plan: _Plan = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "plan", _Plan.of(self.shape))

    def focus_nodes(self, data: Data) -> Sequence[Term]:
        """Return the distinct focus nodes of the shape's targets in a card."""
        if len(self.classes) == 1 and not self.subjects_of and not self.objects_of:
            return data.instances.get(self.classes[0], ())  # distinct already
        lists = [data.instances.get(cls, ()) for cls in self.classes]
        lists += [data.subjects.get(p, ()) for p in self.subjects_of]
        lists += [data.objects.get(p, ()) for p in self.objects_of]
        return list(dict.fromkeys(chain.from_iterable(lists)))
