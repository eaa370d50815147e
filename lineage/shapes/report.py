"""What the validator reports: a :class:`Violation`, its path text, and its error."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lineage.errors import LineageError
from lineage.ns import PREFIXES
from lineage.shapes.terms import SH, Term

_PREFIXES = {**PREFIXES, "sh": SH}


class ShapesError(LineageError):
    """The shapes file uses SHACL this validator does not implement."""


@dataclass(frozen=True, slots=True)
class Violation:
    """One failed constraint: its focus node, severity level and readable message."""

    level: str  # "error" (sh:Violation) or "warning"
    focus: str  # the focus node's IRI (or a literal's text)
    message: str  # the shape's sh:message, then the path in parentheses

    @property
    def text(self) -> str:
        """Return the violation as stored on the card record (:meth:`parse` reads it back).

        Examples
        --------
        >>> v = Violation("error", "urn:x", "a model needs a label (rdfs:label)")
        >>> v.text
        'error <urn:x> a model needs a label (rdfs:label)'
        >>> Violation.parse(v.text) == v
        True
        """
        return f"{self.level} <{self.focus}> {self.message}"

    @classmethod
    def parse(cls, text: str) -> Violation:
        """Read a stored violation back (text in another form becomes its own message)."""
        match = _STORED.fullmatch(text)
        if match is None:
            return cls("error", "", text)
        return cls(match["level"], match["focus"], match["message"])


_STORED = re.compile(r"(?P<level>error|warning) <(?P<focus>[^>]*)> (?P<message>.*)", re.S)


def path_text(predicate: str, *, inverse: bool = False) -> str:
    """Return a SHACL path as the reports print it: a prefixed name, ``^`` for an inverse.

    Examples
    --------
    >>> path_text("http://www.w3.org/2000/01/rdf-schema#label")
    'rdfs:label'
    >>> path_text("http://www.w3.org/ns/prov#wasGeneratedBy", inverse=True)
    '^prov:wasGeneratedBy'
    >>> path_text("http://example.org/p")
    '<http://example.org/p>'
    """
    prefix = "^" if inverse else ""
    for name, base in _PREFIXES.items():
        local = predicate[len(base):]
        if predicate.startswith(base) and re.fullmatch(r"[A-Za-z_][\w-]*", local):
            return f"{prefix}{name}:{local}"
    return f"{prefix}<{predicate}>"


def focus_text(term: Term) -> str:
    """Return a focus node as a violation names it."""
    return term.value
