"""The data of one card, indexed both ways: by subject, by object and by predicate."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from lineage.shapes.terms import TYPE, Term

# A triple as its terms, (subject, predicate, object); more items after them are ignored.
Triple = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, Term] | tuple[
    ox.NamedNode | ox.BlankNode, ox.NamedNode, Term, ox.NamedNode]


class Data:
    """A card's triples indexed by subject, by object and by predicate.

    With the classes of each typed node (its types and their superclasses in the ontology),
    and, per predicate, whether some node has it twice (for ``sh:maxCount``).
    """

    __slots__ = ("by_predicate", "classes", "instances", "inv", "inv_multi", "multi", "objects",
                 "out", "subjects")

    def __init__(self, triples: Iterable[Triple], supers: dict[str, frozenset[str]],
                 inverse: frozenset[str], targeted: frozenset[str]):
        # Objects by subject for every predicate, values by predicate for every predicate;
        # subjects by object and by predicate only for the predicates of inverse paths and
        # of subject targets (``targeted``, which includes rdf:type).
        self.out: dict[Term, dict[str, list[Term]]] = {}
        self.inv: dict[Term, dict[str, list[Term]]] = {}
        self.objects: dict[str, list[Term]] = {}
        self.subjects: dict[str, list[Term]] = {}
        self.multi: set[str] = set()  # predicates with two values on one subject
        self.inv_multi: set[str] = set()  # the same for one object (inverse paths)
        self.by_predicate: dict[str, list[Triple]] = {}  # the triples
        out, objects, subjects = self.out, self.objects, self.subjects
        by_predicate = self.by_predicate
        multi, by_subject = self.multi, targeted | inverse
        for q in triples:
            s, predicate, o = q[0], q[1], q[2]
            p = predicate.value
            if _append(out, s, p, o):
                multi.add(p)
            found = objects.get(p)
            if found is None:
                objects[p] = [o]
                by_predicate[p] = [q]
            else:
                found.append(o)
                by_predicate[p].append(q)
            if p in by_subject:
                found = subjects.get(p)
                if found is None:
                    subjects[p] = [s]
                else:
                    found.append(s)
                if p in inverse and _append(self.inv, o, p, s):
                    self.inv_multi.add(p)
        self.classes: dict[Term, frozenset[str]] = {}
        self.instances: dict[str, list[Term]] = {}
        for node, type_node in zip(subjects.get(TYPE.value, ()), objects.get(TYPE.value, ()),
                                   strict=True):
            found_classes = supers.get(type_node.value) or frozenset((type_node.value,))
            self.classes[node] = self.classes.get(node, frozenset()) | found_classes
        for node, classes in self.classes.items():
            for cls in classes:
                self.instances.setdefault(cls, []).append(node)

    def values(self, node: Term, predicate: str, *, inverse: bool = False) -> list[Term]:
        """Return the distinct values of ``node`` along a path (a predicate or its inverse)."""
        found = (self.inv if inverse else self.out).get(node, {}).get(predicate, ())
        return list(dict.fromkeys(found)) if len(found) > 1 else list(found)

    def is_instance(self, node: Term, cls: str) -> bool:
        """Tell whether ``node`` has a type that is ``cls`` or one of its subclasses."""
        return cls in self.classes.get(node, ())


def _append(index: dict[Term, dict[str, list[Term]]], key: Term, predicate: str,
            value: Term) -> bool:
    """Add ``value`` to ``index[key][predicate]``; tell whether it was not the first."""
    by_key = index.get(key)
    if by_key is None:
        index[key] = {predicate: [value]}
        return False
    values = by_key.get(predicate)
    if values is None:
        by_key[predicate] = [value]
        return False
    values.append(value)
    return True
