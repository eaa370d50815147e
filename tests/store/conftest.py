"""Fixtures for the store tests: one private Virtuoso per session, stores of each backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import lineage
from lineage.ns import ENTITIES_GRAPH
from lineage.store import Store, open_store
from tests.conftest import EXAMPLES, need

from .virtuoso import PrivateVirtuoso, available

BACKENDS = ("oxigraph", "memory", "virtuoso")
EPOCH = "1700000000"  # SOURCE_DATE_EPOCH: every backend records the same retrieval time


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateVirtuoso]:
    """A private Virtuoso on 127.0.0.1 for the whole session (fails under CI=true if absent)."""
    why = available()
    need(why is None, why or "")
    server = PrivateVirtuoso(tmp_path_factory.mktemp("virtuoso"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def wipe(store: Store) -> None:
    """Remove every lineage graph (the server outlives the stores of single tests)."""
    store.remove_graphs([*store.card_index().values(), ENTITIES_GRAPH])


def open_backend(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """An empty store of backend ``name``."""
    if name == "virtuoso":
        server: PrivateVirtuoso = request.getfixturevalue("virtuoso")
        store = open_store(server.spec)
        wipe(store)
        return store
    if name == "oxigraph":
        return open_store(tmp_path / f"store-{len(list(tmp_path.iterdir()))}")
    return open_store("memory:")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_store(backend: str, request: pytest.FixtureRequest, tmp_path: Path,
                ) -> Iterator[Store]:
    store = open_backend(backend, request, tmp_path)
    yield store
    store.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The embedded Oxigraph store of the examples: what every backend must match."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        store = open_store(tmp_path_factory.mktemp("reference") / "store")
        assert lineage.build([EXAMPLES], store=store, jobs=1).ok
    yield store
    store.close()


@pytest.fixture(scope="module")
def _built_local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Store]]:
    stores: dict[str, Store] = {}
    yield stores
    for store in stores.values():
        store.close()


@pytest.fixture
def built(backend: str, request: pytest.FixtureRequest, reference: Store,
          _built_local: dict[str, Store], tmp_path_factory: pytest.TempPathFactory,
          ) -> Iterator[Store]:
    """A store of ``backend`` holding the examples (built once, rebuilt if a test changed it)."""
    if backend == "virtuoso":
        server: PrivateVirtuoso = request.getfixturevalue("virtuoso")
        store = open_store(server.spec)
        if store.state() != reference.state() or store.quad_count() != reference.quad_count():
            wipe(store)
            assert lineage.build([EXAMPLES], store=store, jobs=1).ok
        yield store
        store.close()
        return
    if backend not in _built_local:
        local = (open_store(tmp_path_factory.mktemp("built") / "store")
                 if backend == "oxigraph" else open_store("memory:"))
        assert lineage.build([EXAMPLES], store=local, jobs=1).ok
        _built_local[backend] = local
    yield _built_local[backend]
