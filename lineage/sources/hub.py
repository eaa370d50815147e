"""Cards from the Hugging Face Hub, fetched through ``huggingface_hub`` into a local cache.

Models are named by id, listed by author or search, or reached by walking the model tree
from one model: up through the parents its card names, down through the Hub's
``base_model:`` filters (``list_models(filter="base_model:org/name")``, or the
``base_model:finetune:``/``quantized:``/``adapter:``/``merge:`` forms for some relations
only), to a depth limit.

The cache holds one folder per model, ``CACHE/{org}/{name}/``, with the card
(``README.md``) and the Hub's metadata about the repository (``hub.json``: id, revision
``sha``, tags, downloads, likes, dates, pipeline tag, library, gating, ``fetched_at``). A
card is downloaded again only when the revision the Hub reports differs from the cached
one; each card is written atomically (a temporary file renamed into place, ``hub.json``
last), so an interrupted fetch resumes where it stopped. :func:`lineage.sources.iter_paths`
reads the cache like any ``org/name/README.md`` tree and attaches ``hub.json``.

Every request goes through ``huggingface_hub`` (its ``HfApi`` and ``hf_hub_download``;
``HF_ENDPOINT`` and ``HF_TOKEN`` are honoured by it). Rate limits (HTTP 429, with
``Retry-After``), server errors and network errors are retried with backoff; what still
fails is reported per model, one line each, and the run goes on. The token is never
printed: reasons are written here, not copied from the server.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lineage.errors import LineageError
from lineage.facts import Relation
from lineage.ids import id_key, is_repo_id
from lineage.sources.files import HUB_FILE, read_hub_file

if TYPE_CHECKING:
    from huggingface_hub import ModelInfo

T = TypeVar("T")

__all__ = [
    "CHILD_RELATIONS",
    "DEFAULT_CACHE",
    "FetchReport",
    "HubCache",
    "HubClient",
    "fetch_cards",
    "hub_metadata",
]

DEFAULT_CACHE = Path("~/.cache/lineage/hub")
CARD_FILE = "README.md"
# The kinds the Hub lists children by (base_model:KIND:id tags).
CHILD_RELATIONS = tuple(r.hub_form for r in Relation if r.hub_form)
RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
# What the Hub is asked about each model (model_info and listings alike).
EXPAND = ["author", "sha", "tags", "downloads", "likes", "createdAt", "lastModified",
          "pipeline_tag", "library_name", "gated", "private", "siblings"]
STALE_TMP_SECONDS = 3600

ParentsOf = Callable[[bytes, str, Mapping[str, Any]], Sequence[tuple[str, str]]]
"""``(card bytes, source, hub metadata) -> [(parent id, relation)]``, for ``tree`` walks."""


@dataclass(slots=True)
class FetchReport:
    """What a fetch did: models downloaded, already cached, failed; the cards to build."""

    fetched: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    cards: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    build: Any = None  # the lineage.ingest.BuildReport when the cards were built

    @property
    def ok(self) -> bool:
        """True when every model was fetched and no fetched card was rejected."""
        return not self.failed and (self.build is None or bool(self.build.ok))

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready values (with the build's, when it built)."""
        return {"ok": self.ok, "fetched": list(self.fetched), "unchanged": list(self.unchanged),
                "failed": [{"model": m, "reason": r} for m, r in self.failed],
                "cards": [p.as_posix() for p in self.cards], "seconds": round(self.seconds, 3),
                "build": self.build.to_dict() if self.build is not None else None}

    def summary(self) -> str:
        """Return the one-line summary printed after a fetch."""
        return (f"models fetched {len(self.fetched)} / unchanged {len(self.unchanged)} / "
                f"failed {len(self.failed)}, {self.seconds:.2f} seconds")


def _utc(when: datetime | None) -> str | None:
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def hub_metadata(info: ModelInfo, *, fetched_at: datetime) -> dict[str, Any]:
    """Return the ``hub.json`` record of a model (the Hub API's names; unknown values left out)."""
    record: dict[str, Any] = {
        "id": info.id, "sha": info.sha, "author": info.author, "tags": info.tags,
        "downloads": info.downloads, "likes": info.likes,
        "createdAt": _utc(info.created_at), "lastModified": _utc(info.last_modified),
        "pipeline_tag": info.pipeline_tag, "library_name": info.library_name,
        "gated": info.gated, "private": info.private, "fetched_at": _utc(fetched_at),
    }
    return {k: v for k, v in record.items() if v is not None}


class HubCache:
    """The on-disk cache: ``ROOT/{org}/{name}/README.md`` and ``hub.json`` beside it."""

    def __init__(self, root: str | Path = DEFAULT_CACHE):
        self.root = Path(root).expanduser().absolute()

    def folder(self, repo_id: str) -> Path:
        """Return the folder of ``org/name``."""
        org, _, name = repo_id.partition("/")
        return self.root / org / name

    def card(self, repo_id: str) -> Path:
        """Return the path of the cached card of ``org/name``."""
        return self.folder(repo_id) / CARD_FILE

    def revision(self, repo_id: str) -> str | None:
        """Return the revision (sha) of the cached card, or ``None`` when none is cached."""
        if not self.card(repo_id).is_file():
            return None
        hub, _ = read_hub_file(self.card(repo_id))
        sha = hub.get("sha") if hub else None
        return sha if isinstance(sha, str) else None

    def scratch(self) -> Path:
        """Return a new temporary folder inside the cache (same file system: renames are atomic)."""
        tmp = self.root / ".tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(dir=tmp))

    def clean_scratch(self) -> None:
        """Remove temporary folders left by interrupted runs (older than an hour)."""
        tmp = self.root / ".tmp"
        if not tmp.is_dir():
            return
        for entry in tmp.iterdir():
            try:
                if time.time() - entry.stat().st_mtime > STALE_TMP_SECONDS:
                    shutil.rmtree(entry, ignore_errors=True)
            except OSError:
                continue

    def store(self, repo_id: str, card: Path, hub: Mapping[str, Any]) -> Path:
        """Move a downloaded card into place and write its ``hub.json``, each atomically.

        The old ``hub.json`` goes first and the new one comes last, so an interruption
        leaves either the old card and metadata, or a card without metadata: both are
        downloaded again by the next run, never built with another revision's metadata.
        """
        folder = self.folder(repo_id)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / HUB_FILE).unlink(missing_ok=True)
        card.replace(folder / CARD_FILE)
        text = json.dumps(dict(hub), indent=1, sort_keys=True, ensure_ascii=False)
        tmp = folder / f".{HUB_FILE}.{os.getpid()}.tmp"
        tmp.write_text(text + "\n", encoding="utf-8")
        tmp.replace(folder / HUB_FILE)
        return folder / CARD_FILE


class HubError(Exception):
    """A model could not be fetched; the message is the one-line reason."""


class HubClient:
    """``huggingface_hub`` calls with retries: model info, card download, listings.

    ``endpoint`` and ``token`` default to huggingface_hub's own (``HF_ENDPOINT``,
    ``HF_TOKEN`` or the saved login). ``sleep`` is called between tries.
    """

    def __init__(self, *, endpoint: str | None = None, token: str | None = None,
                 tries: int = 5, max_wait: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep):
        from huggingface_hub import HfApi, constants

        if constants.HF_HUB_OFFLINE:  # every request would fail: say so at once, not after retries
            msg = ("HF_HUB_OFFLINE is set, so the Hub cannot be reached: unset it to fetch, or "
                   "build cards already fetched with 'lineage build ~/.cache/lineage/hub'")
            raise LineageError(msg)
        # huggingface_hub reads HF_ENDPOINT once, on import; read it now, as a user expects.
        self.endpoint = endpoint or os.environ.get("HF_ENDPOINT") or None
        self.token = token
        self.tries = max(1, tries)
        self.max_wait = max_wait
        self.sleep = sleep
        self.api = HfApi(endpoint=self.endpoint, token=token)

    def info(self, repo_id: str) -> ModelInfo:
        """Return the Hub's information about a model (raises :class:`HubError`)."""
        return self._retrying(lambda: self.api.model_info(
            repo_id, expand=EXPAND))  # type: ignore[arg-type]

    def download_card(self, repo_id: str, revision: str | None, folder: Path) -> Path:
        """Download the card of ``repo_id`` at ``revision`` into ``folder``."""
        from huggingface_hub import hf_hub_download

        def get() -> Path:
            return Path(str(hf_hub_download(repo_id, CARD_FILE, revision=revision,
                                            local_dir=folder, endpoint=self.endpoint,
                                            token=self.token, tqdm_class=_silent_bar())))

        return self._retrying(get)

    def models(self, *, author: str | None = None, search: str | None = None,
               filter: str | None = None, limit: int | None = None) -> Iterator[ModelInfo]:
        """List models (pages are fetched as iterated; huggingface_hub retries each page)."""
        try:
            yield from self.api.list_models(author=author, search=search, filter=filter,
                                            limit=limit, expand=EXPAND)  # type: ignore[arg-type]
        except Exception as exc:  # becomes a one-line reason
            raise HubError(self.reason(exc)) from None

    def _retrying(self, call: Callable[[], T]) -> T:
        wait = 1.0
        for attempt in range(1, self.tries + 1):
            try:
                return call()
            except Exception as exc:  # classified below
                retry_after = _retryable(exc)
                if retry_after is None or attempt == self.tries:
                    reason = self.reason(exc)
                    if retry_after is not None:
                        reason += f", gave up after {self.tries} tries"
                    raise HubError(reason) from None
                self.sleep(min(self.max_wait, retry_after if retry_after > 0 else wait))
                wait = min(self.max_wait, wait * 2)
        raise AssertionError  # pragma: no cover - the loop returns or raises

    def reason(self, exc: BaseException) -> str:
        """Return why a request failed, in one line, without the token."""
        text = _reason(exc, token_given=bool(self.token or os.environ.get("HF_TOKEN")))
        for secret in (self.token, os.environ.get("HF_TOKEN")):
            if secret:
                text = text.replace(secret, "***")
        return text


def _silent_bar() -> Any:
    """huggingface_hub's progress bar class, switched off (the command draws its own)."""
    from huggingface_hub.utils.tqdm import tqdm as hub_tqdm

    class Silent(hub_tqdm):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)  # type: ignore[no-untyped-call]

    return Silent


def _cause(exc: BaseException) -> BaseException:
    """Return the HTTP error behind huggingface_hub's "not in the local cache" error, if any."""
    from huggingface_hub.errors import LocalEntryNotFoundError

    if isinstance(exc, LocalEntryNotFoundError) and exc.__cause__ is not None:
        return exc.__cause__
    return exc


def _status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def _retryable(exc: BaseException) -> float | None:
    """Seconds to wait before trying again (0: back off), or ``None`` when retrying is futile."""
    from huggingface_hub.errors import (
        HfHubHTTPError,
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
    )
    from huggingface_hub.utils import httpx  # type: ignore[attr-defined] # httpx2, re-exported

    if isinstance(exc, OfflineModeIsEnabled):
        return None  # offline mode switched on: no try will succeed
    cause = _cause(exc)
    if isinstance(cause, HfHubHTTPError):
        if _status(cause) not in RETRY_STATUS:
            return None
        response = getattr(cause, "response", None)
        return _retry_after(getattr(response, "headers", {}) or {})
    if isinstance(cause, httpx.TransportError | TimeoutError | ConnectionError):
        return 0.0
    if isinstance(exc, LocalEntryNotFoundError):  # a connection problem with no HTTP answer
        return 0.0
    return None


def _retry_after(headers: Mapping[str, str]) -> float:
    """Read ``Retry-After`` (seconds or an HTTP date); 0 when absent or unreadable."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return 0.0
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, (when - datetime.now(tz=timezone.utc)).total_seconds())


def _reason(exc: BaseException, *, token_given: bool) -> str:
    from huggingface_hub.errors import (
        DisabledRepoError,
        EntryNotFoundError,
        GatedRepoError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )
    from huggingface_hub.utils import httpx  # type: ignore[attr-defined] # httpx2, re-exported

    cause = _cause(exc)
    status = _status(cause)
    if isinstance(cause, GatedRepoError):
        return ("gated repository: access must be requested and granted on the Hub "
                "(then set HF_TOKEN to a token of that account)")
    if isinstance(cause, RepositoryNotFoundError):
        if status == 401:
            return ("not found or private (" + ("the token has no access" if token_given else
                                                 "no access without a token: set HF_TOKEN") + ")")
        return "repository not found"
    if isinstance(cause, RevisionNotFoundError):
        return "revision not found"
    if isinstance(cause, DisabledRepoError):
        return "repository disabled on the Hub"
    if isinstance(cause, EntryNotFoundError) and not isinstance(cause, LocalEntryNotFoundError):
        return "no model card (README.md) in the repository"
    if isinstance(cause, HfHubHTTPError):
        if status == 429:
            return "rate limited by the Hub (HTTP 429)"
        if status == 403:
            return "access denied (HTTP 403): private, or the token lacks permission"
        return f"HTTP error {status}" if status else "HTTP error"
    if isinstance(cause, httpx.TransportError | TimeoutError | ConnectionError):
        return f"network error ({type(cause).__name__})"
    if isinstance(cause, LocalEntryNotFoundError):
        return "network error (the Hub could not be reached)"
    return f"unexpected error ({type(cause).__name__})"


@dataclass(frozen=True, slots=True)
class _Visit:
    repo_id: str
    info: ModelInfo | None
    direction: str  # "seed" (no walk), "root", "up" or "down"
    level: int


def fetch_cards(client: HubClient, cache: HubCache, *, models: Iterable[str] = (),
                authors: Iterable[str] = (), search: str | None = None,
                tree: str | None = None, depth: int = 1,
                relations: Sequence[str] | None = None, limit: int | None = None,
                refresh: bool = False, parents_of: ParentsOf | None = None,
                progress: Callable[[int, int | None], None] | None = None,
                now: Callable[[], datetime] | None = None) -> FetchReport:
    """Fetch cards into ``cache``: ``models`` by id, by author, by search, and a model tree.

    Parameters
    ----------
    client, cache
        The Hub client and the cache to fill.
    models, authors, search
        Model ids; every model of these authors; every model whose id contains ``search``.
    tree, depth
        Walk the model tree of ``tree`` up (parents, from ``parents_of``) and down
        (children, from the Hub's ``base_model:`` filters), ``depth`` steps each way.
    relations
        Follow only these relations in the walk (``finetune``, ``quantized``, ``adapter``,
        ``merge``; default all, children then listed with one plain ``base_model:`` filter).
    limit
        At most this many models per listing (author, search, one model's children).
    refresh
        Download every card again, even when its revision is cached.
    progress
        Called with (models done, None).
    now
        The clock for ``fetched_at`` (default: now, UTC).
    """
    started = time.perf_counter()
    report = FetchReport()
    cache.clean_scratch()
    clock = now or (lambda: datetime.now(tz=timezone.utc).replace(microsecond=0))
    queue: deque[_Visit] = deque(_Visit(m.strip(), None, "seed", 0) for m in models)
    for author in authors:
        _listed(client, report, queue, f"models of {author}", author=author, limit=limit)
    if search:
        _listed(client, report, queue, f"models matching {search!r}", search=search, limit=limit)
    if tree:
        queue.append(_Visit(tree.strip(), None, "root", 0))
    got: dict[str, Path | None] = {}
    walked: set[tuple[str, str]] = set()
    while queue:
        visit = queue.popleft()
        key = id_key(visit.repo_id)
        if key not in got:
            got[key] = _get(client, cache, report, visit, refresh=refresh, fetched_at=clock())
            if progress is not None:
                progress(len(got), None)
        if visit.direction == "seed" or visit.level >= depth or (key, visit.direction) in walked:
            continue
        walked.add((key, visit.direction))
        card = got[key]
        if visit.direction in ("root", "up") and card is not None and parents_of is not None:
            for parent, relation in _parents(card, parents_of):
                if relations is None or relation in relations:
                    queue.append(_Visit(parent, None, "up", visit.level + 1))
        if visit.direction in ("root", "down"):
            for rel in ([None] if relations is None else
                        [r for r in CHILD_RELATIONS if r in relations]):
                where = f"base_model:{rel}:{visit.repo_id}" if rel else \
                    f"base_model:{visit.repo_id}"
                _listed(client, report, queue, f"children of {visit.repo_id} ({where})",
                        filter=where, limit=limit, direction="down", level=visit.level + 1)
    report.seconds = time.perf_counter() - started
    return report


def _listed(client: HubClient, report: FetchReport, queue: deque[_Visit], what: str, *,
            author: str | None = None, search: str | None = None, filter: str | None = None,
            limit: int | None = None, direction: str = "seed", level: int = 0) -> None:
    """Queue the models of one listing; a listing that fails is reported like a model."""
    try:
        for info in client.models(author=author, search=search, filter=filter, limit=limit):
            queue.append(_Visit(info.id, info, direction, level))
    except HubError as exc:
        report.failed.append((what, str(exc)))


def _get(client: HubClient, cache: HubCache, report: FetchReport, visit: _Visit, *,
         refresh: bool, fetched_at: datetime) -> Path | None:
    """Bring one model's card into the cache; return its path, or ``None`` (reported)."""
    rid = visit.repo_id
    if not is_repo_id(rid):
        report.failed.append((rid, "not a Hub model id"))
        return None
    try:
        info = visit.info if visit.info is not None and visit.info.sha else client.info(rid)
        rid = info.id
        if "/" not in rid:
            report.failed.append((rid, "a repository id without an organisation cannot be "
                                       "cached as org/name"))
            return None
        cached = cache.revision(rid)
        if not refresh and cached is not None and cached == info.sha:
            report.unchanged.append(rid)
            report.cards.append(cache.card(rid))
            return cache.card(rid)
        names = [s.rfilename for s in info.siblings] if info.siblings is not None else None
        if names is not None and CARD_FILE not in names:
            report.failed.append((rid, "no model card (README.md) in the repository"))
            return None
        scratch = cache.scratch()
        try:
            downloaded = client.download_card(rid, info.sha, scratch)
            path = cache.store(rid, downloaded, hub_metadata(info, fetched_at=fetched_at))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    except HubError as exc:
        report.failed.append((rid, str(exc)))
        return None
    report.fetched.append(rid)
    report.cards.append(path)
    return path


def _parents(card: Path, parents_of: ParentsOf) -> list[tuple[str, str]]:
    try:
        data = card.read_bytes()
    except OSError:
        return []
    hub, _ = read_hub_file(card)
    return list(parents_of(data, card.as_posix(), hub or {}))
