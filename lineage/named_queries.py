r"""Named SPARQL queries (``queries/*.rq``) and running them with bound parameters.

Each file starts with a comment header::

    # title: Ancestors of a model
    # description: Every model a model derives from, at any depth.
    # param model: model - the model's Hub id (bound as its IRI)
    # example: lineage query ancestors --param model=org/name

Parameter types: ``model`` and ``dataset`` (a Hub id, bound as its IRI), ``iri``,
``string``, ``integer``, ``decimal``. Values are bound as RDF terms through a typed
``VALUES`` block, never pasted into the query text.

Examples
--------
>>> parse_header("# title: T\n# param model: model - the id\nSELECT * {}").params
{'model': ('model', 'the id')}
>>> coerce("integer", "3")
<Literal value=3 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from lineage.errors import IdError, QueryError
from lineage.ids import dataset_iri, id_from_iri, model_iri, parse_hub_url, parse_repo_id
from lineage.ns import PREFIXES
from lineage.store import Store
from lineage.suggest import did_you_mean

__all__ = ["NamedQuery", "coerce", "find_query", "list_queries", "parse_header", "parse_params",
           "prefixed", "queries_dir"]

_HEADER = re.compile(r"^#\s*(title|description|param|example)\s*:?\s*(.*)$")
_PARAM = re.compile(r"^(\w+)\s*:\s*(\w+)\s*(?:[-–—]\s*(.*))?$")  # noqa: RUF001 - en dash
_XSD = "http://www.w3.org/2001/XMLSchema#"
TYPES = ("model", "dataset", "iri", "string", "integer", "decimal")


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """A query file with its header."""

    name: str
    path: Path | None
    text: str
    title: str = ""
    description: str = ""
    params: dict[str, tuple[str, str]] = field(default_factory=dict)
    examples: tuple[str, ...] = ()


def queries_dir() -> Path:
    """Return the folder of named queries: ``$LINEAGE_QUERIES``, the source tree, or the install."""
    env = os.environ.get("LINEAGE_QUERIES")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent.parent / "queries"
    if here.is_dir():
        return here
    return Path(sys.prefix) / "share" / "lineage" / "queries"


def parse_header(text: str, name: str = "", path: Path | None = None) -> NamedQuery:
    """Read a query's comment header."""
    title = description = ""
    params: dict[str, tuple[str, str]] = {}
    examples: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = _HEADER.match(line)
        if m is None:
            continue
        key, value = m.group(1), m.group(2).strip()
        if key == "title":
            title = value
        elif key == "description":
            description = value
        elif key == "example":
            examples.append(value)
        else:
            p = _PARAM.match(value)
            if p is None or p.group(2) not in TYPES:
                msg = f"bad parameter declaration {value!r} (types: {', '.join(TYPES)})"
                raise QueryError(msg, source=str(path or name))
            params[p.group(1)] = (p.group(2), (p.group(3) or "").strip())
    return NamedQuery(name, path, text, title, description, params, tuple(examples))


def list_queries(folder: Path | None = None) -> list[NamedQuery]:
    """Every named query, sorted by name."""
    folder = folder or queries_dir()
    return [parse_header(p.read_text(encoding="utf-8"), p.stem, p)
            for p in sorted(folder.glob("*.rq"))]


def find_query(name_or_file: str) -> NamedQuery:
    """Find a named query, or a ``.rq`` file given by path."""
    path = Path(name_or_file)
    if path.suffix == ".rq" and path.is_file():
        return parse_header(path.read_text(encoding="utf-8"), path.stem, path)
    candidate = queries_dir() / f"{name_or_file}.rq"
    if candidate.is_file():
        return parse_header(candidate.read_text(encoding="utf-8"), name_or_file, candidate)
    names = [q.name for q in list_queries()]
    hint = did_you_mean(name_or_file, names) or f"named queries: {', '.join(names) or 'none'}"
    msg = f"no query file or named query {name_or_file!r} ({hint})"
    raise QueryError(msg)


def coerce(kind: str, value: str) -> ox.NamedNode | ox.Literal:
    """Turn a command-line value into the RDF term of a parameter type."""
    try:
        if kind == "model":
            return ox.NamedNode(model_iri(parse_repo_id(value)))
        if kind == "dataset":
            url = parse_hub_url(value)
            return ox.NamedNode(dataset_iri(url.id if url else parse_repo_id(value)))
        if kind == "iri":
            return ox.NamedNode(value.strip().strip("<>"))
        if kind == "integer":
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(_XSD + "integer"))
        if kind == "decimal":
            if not re.fullmatch(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)\s*", value):
                msg = "expected a decimal number such as 0.5"
                raise ValueError(msg)
            return ox.Literal(value.strip(), datatype=ox.NamedNode(_XSD + "decimal"))
    except (ValueError, IdError) as exc:
        msg = f"not a valid {kind}: {value!r} ({exc})"
        raise QueryError(msg) from None
    return ox.Literal(value)


def _untyped(value: str) -> ox.NamedNode | ox.Literal:
    v = value.strip()
    if v.startswith("<") and v.endswith(">"):
        return coerce("iri", v)
    if re.fullmatch(r"[-+]?\d+", v):
        return coerce("integer", v)
    if re.fullmatch(r"[-+]?\d*\.\d+", v):
        return coerce("decimal", v)
    if len(v) >= 2 and v[0] == v[-1] == '"':
        return ox.Literal(v[1:-1])
    return ox.Literal(v)


def parse_params(query: NamedQuery, pairs: list[str]) -> dict[str, ox.NamedNode | ox.Literal]:
    """``name=value`` pairs to bound terms, typed by the query's header."""
    bound: dict[str, ox.NamedNode | ox.Literal] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            msg = f"parameter {pair!r} is not name=value"
            raise QueryError(msg)
        name = name.strip()
        if query.params and name not in query.params:
            hint = did_you_mean(name, query.params)
            msg = (f"query {query.name!r} has no parameter {name!r} "
                   f"({hint + ' ' if hint else ''}it takes: {', '.join(query.params)})")
            raise QueryError(msg)
        bound[name] = (coerce(query.params[name][0], value) if name in query.params
                       else _untyped(value))
    missing = [p for p in query.params if p not in bound]
    if missing:
        msg = f"query {query.name!r} needs --param {missing[0]}=... ({query.params[missing[0]][1]})"
        raise QueryError(msg)
    return bound


def require_models(store: Store, query: NamedQuery,
                   bound: dict[str, ox.NamedNode | ox.Literal]) -> None:
    """Raise :class:`QueryError` when a ``model`` parameter names no model in the store.

    A named query about an unknown model would answer nothing; the analysis commands say
    so, with the closest ids, and so do named queries.
    """
    from lineage.describe import resolve_model

    for name, (kind, _) in query.params.items():
        term = bound.get(name)
        if kind == "model" and isinstance(term, ox.NamedNode):
            resolve_model(store, id_from_iri(term.value) or term.value)


_ERROR_AT = re.compile(r"error at (\d+):(\d+): ([^\n]*)")
_PREFIXED_NAME = re.compile(r"(?<![\w<])([A-Za-z][\w.-]*)?:[\w.%-]*")
_UPDATE_VERB = re.compile(r"(?i)^(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b")
_PROLOGUE = re.compile(r"(?is)\A(?:\s+|#[^\n]*|(?:PREFIX\s+[\w.-]*:\s*<[^>]*>)|"
                       r"(?:BASE\s*<[^>]*>))*")
READ_ONLY = "read-only endpoint: updates are refused"


def is_update(text: str) -> bool:
    r"""Tell whether a SPARQL text is an update (its first word after the prologue).

    Examples
    --------
    >>> is_update("PREFIX a: <x:> # note\n insert data { a:b a:c a:d }"), is_update("ASK {}")
    (True, False)
    """
    prologue = _PROLOGUE.match(text)
    return _UPDATE_VERB.match(text[prologue.end() if prologue else 0:]) is not None


def explain_error(message: str, text: str, *, added_lines: int = 0) -> str:
    r"""Turn the query engine's syntax error into one line about the user's own text.

    ``added_lines`` is how many lines of predeclared prefixes were put before ``text``:
    the line is counted in the user's text. An unknown prefix is named; an update is
    answered as refused, not as bad syntax.

    Examples
    --------
    >>> explain_error("error at 17:12: expected one of Prefix not found, ['%']...",
    ...               "SELECT * {\n  ?s foo:bar ?o }", added_lines=15)
    "line 2, column 12: unknown prefix 'foo:' (declare it: PREFIX foo: <...>)"
    """
    if is_update(text):
        return READ_ONLY
    m = _ERROR_AT.search(message)
    if m is None:
        return message.splitlines()[0][:300] if message else "malformed SPARQL"
    line, column, detail = int(m.group(1)) - added_lines, int(m.group(2)), m.group(3)
    where = f"line {line}, column {column}"
    if "Prefix not found" in detail:
        lines = text.splitlines()
        row = lines[line - 1] if 0 < line <= len(lines) else ""
        names = [p for p in _PREFIXED_NAME.finditer(row) if p.start() < column]
        if names:
            prefix = names[-1].group(1) or ""
            return f"{where}: unknown prefix '{prefix}:' (declare it: PREFIX {prefix}: <...>)"
        return f"{where}: unknown prefix"
    detail = detail.split(", [")[0] if detail.startswith("expected one of") else detail
    return f"{where}: {detail[:200]}"


def prefixed(text: str) -> str:
    """Prepend lineage's PREFIX declarations not already declared by the query."""
    declared = set(re.findall(r"(?im)^\s*PREFIX\s+([\w-]*):", text))
    return _prologue(declared) + text


def added_lines(text: str) -> int:
    """How many lines :func:`prefixed` puts before ``text``."""
    return prefixed(text).count("\n") - text.count("\n")


def _prologue(declared: set[str]) -> str:
    return "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items() if k not in declared)
