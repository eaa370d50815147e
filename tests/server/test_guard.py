"""The query guard's nesting check (lineage.server.guard.check_nesting), token by token."""

from __future__ import annotations

import pytest

from lineage.errors import QueryError
from lineage.server.guard import MAX_CHAIN, MAX_DEPTH, check_nesting


def refusal(query: str) -> QueryError:
    with pytest.raises(QueryError) as info:
        check_nesting(query, source="q.rq")
    return info.value


def test_brackets_may_nest_max_depth_deep_and_no_deeper():
    for bracket, closer in (("{", "}"), ("(", ")"), ("[", "]")):
        check_nesting("ASK " + bracket * MAX_DEPTH + closer * MAX_DEPTH)
        error = refusal("ASK\n\n" + bracket * (MAX_DEPTH + 1) + closer * (MAX_DEPTH + 1))
        assert error.line == 3
        assert str(error).startswith(f"q.rq:3: the query nests brackets more than {MAX_DEPTH}")


def test_brackets_in_strings_iris_and_comments_do_not_count():
    deep = "{" * (MAX_DEPTH + 5)
    check_nesting(f'SELECT * {{ ?s ?p "{deep}" . ?s ?p \'{deep}\' # {deep}\n }}')
    check_nesting(f'SELECT * {{ ?s ?p """{deep}\n""" }}')
    # An escaped bracket is a bracket: the parser reads the escape before the query.
    assert "nests brackets" in str(refusal("ASK " + "\\u007B" * (MAX_DEPTH + 1)))


def chain(n: int, unit: str = "<x:s> <x:p> ?o . ") -> str:
    return unit * n


def test_triple_patterns_chain_up_to_max_chain():
    check_nesting("ASK { " + chain(MAX_CHAIN - 1) + "}")
    error = refusal("ASK {\n" + chain(MAX_CHAIN + 1).replace(". ", ".\n") + "}")
    assert str(error).startswith(f"q.rq:{MAX_CHAIN + 1}: the query chains more than 1,000")


def test_a_chain_counts_the_groups_around_it_but_not_closed_siblings():
    half = MAX_CHAIN // 2 + 10
    check_nesting("ASK { { " + chain(half) + "} { " + chain(half) + "} }")
    assert "chains more" in str(refusal("ASK { " + chain(half) + "{ " + chain(half) + "} }"))


@pytest.mark.parametrize("unit", ["?a ?b ?c ; ", "BIND(1 AS ?x) ", "FILTER(?x) ",
                                  "{ ?s ?p ?o } UNION ", "OPTIONAL { ?s ?p ?o } ", "?x + "])
def test_clauses_and_operators_chain_too(unit):
    assert "chains more" in str(refusal("ASK { " + unit * (MAX_CHAIN + 1) + "}"))


def test_values_rows_and_comma_lists_are_flat():
    rows = " ".join(f"({i} 'r{i}')" for i in range(3 * MAX_CHAIN))
    check_nesting(f"SELECT * {{ VALUES (?a ?b) {{ {rows} }} ?s ?p ?a }}")
    check_nesting(f"SELECT * {{ VALUES ?a {{ {' '.join(map(str, range(3 * MAX_CHAIN)))} }} }}")
    items = ", ".join(str(i) for i in range(3 * MAX_CHAIN))
    check_nesting(f"SELECT * {{ ?s ?p ?o FILTER(?o IN ({items})) }}")
    check_nesting(f"SELECT (CONCAT({items}) AS ?c) {{ }}")
    # A collection without commas is one chained term per item.
    items = " ".join(str(i) for i in range(MAX_CHAIN + 1))
    assert "chains more" in str(refusal(f"ASK {{ ?s ?p ({items}) }}"))


def test_only_the_block_after_values_is_data():
    rows = " ".join(str(i) for i in range(MAX_CHAIN))
    check_nesting(f"SELECT * {{ VALUES ?a {{ {rows} }} }}")
    # The next group after the data block counts again.
    query = f"SELECT * {{ VALUES ?a {{ 1 }} {{ {chain(MAX_CHAIN)} }} }}"
    assert "chains more" in str(refusal(query))


def test_names_swallowing_a_dot_still_count_it():
    # ``true.`` and ``ex:o.`` are read as one name token; the dot still separates patterns.
    for unit in ("?s ?p true.", "?s ?p ex:o."):
        assert "chains more" in str(refusal("ASK { " + (unit + " ") * (MAX_CHAIN + 1) + "}"))


def test_a_stray_closer_is_harmless():
    check_nesting("ASK } ) ] { ?s ?p ?o }")
