"""The one exception tree of lineage.

Every error names where it happened (a file, a store, a query) and, when known, the line,
and prints as ``source:line: message`` so users can jump to it.

Examples
--------
>>> print(CardError("broken YAML front matter", source="org/m/README.md", line=3))
org/m/README.md:3: broken YAML front matter
>>> isinstance(CardError("x"), ValueError)
True
"""

from __future__ import annotations

__all__ = [
    "CardError",
    "CardTimeoutError",
    "ExportError",
    "IdError",
    "LineageError",
    "QueryError",
    "StoreError",
]


class LineageError(Exception):
    """Base class of every error lineage raises on purpose."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line

    def __str__(self) -> str:
        where = self.source or ""
        if where and self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}" if where else self.message


class CardError(LineageError, ValueError):
    """A card cannot be read: not text, too large, broken front matter."""


class CardTimeoutError(CardError):
    """Reading and extracting one card took longer than the per-card time budget."""


class IdError(LineageError, ValueError):
    """A string is not a usable Hugging Face model or dataset id."""


class StoreError(LineageError, OSError):
    """The store cannot be opened, written or read."""


class QueryError(LineageError):
    """A SPARQL query is malformed, unknown, or its parameters are wrong."""


class ExportError(LineageError):
    """An export or a diagram cannot be written."""
