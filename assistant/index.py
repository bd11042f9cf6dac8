"""Build and open the persisted Chroma collection, with a manifest that says how it was built."""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from langchain_core.embeddings import Embeddings
from pydantic import BaseModel

from .builds import build_lock, remove_unused
from .corpus import corpus_files, corpus_hash
from .documents import Doc, plan_docs
from .errors import CorpusError, IndexError_
from .models import Plan
from .report import build_report, diff, format_report, snapshot

SCHEMA_VERSION = 7  # 6: one collection per build, named after it; 7: passages embedded in NFKC (embeddable)
CORPUS_COPY = "corpus.txt"  # the plan text a build was made from, kept in its folder
COLLECTION = "kanazawa-dx-plan"
MANIFEST = "manifest.json"
BATCH = 16
Progress = Callable[[str], None]
REBUILD_HINT = "python -m assistant index --fresh で作り直してください"


class Manifest(BaseModel):
    """How the current index was built; a mismatch means it is stale."""

    schema_version: int
    corpus_hash: str
    embedding: str
    build_dir: str
    documents: int
    built_at: float
    build_seconds: float
    warnings: list[str] = []  # lines not understood, published anyway with --allow-unparsed
    snapshot: dict = {}  # the records this build answers from, for the next build's diff
    chroma_url: str = ""  # the Chroma server holding the collection; "" = embedded, in the build folder


def collection_name(build_dir: str) -> str:
    """The build's collection (one per build, so a Chroma server can hold several)."""
    return f"{COLLECTION}-{build_dir}"


def _client(index_dir: Path, build_dir: str, chroma_url: str = ""):  # noqa: ANN202 - chromadb client type
    """The Chroma client of a build: the Chroma server at chroma_url, else embedded in the build folder."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        url = urlsplit(chroma_url)
        return chromadb.HttpClient(host=url.hostname or "127.0.0.1", port=url.port or 8000,
                                   ssl=url.scheme == "https", settings=settings)
    return chromadb.PersistentClient(path=str(Path(index_dir) / build_dir), settings=settings)


def read_manifest(index_dir: Path) -> Manifest | None:
    """The manifest of the index, or None when there is none or it is unreadable."""
    path = Path(index_dir) / MANIFEST
    try:
        return Manifest.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_current(manifest: Manifest | None, index_dir: Path, corpus_dir: Path, embedding: str,
               chroma_url: str = "") -> bool:
    """True when the manifest matches this corpus, model, schema and Chroma location and its folder exists."""
    return (
        manifest is not None
        and manifest.schema_version == SCHEMA_VERSION
        and manifest.embedding == embedding
        and manifest.chroma_url == chroma_url
        and manifest.corpus_hash == corpus_hash(corpus_dir)
        and (Path(index_dir) / manifest.build_dir).is_dir()
    )


def ensure_index(plan: Plan, index_dir: Path, corpus_dir: Path, embeddings: Embeddings, embedding_name: str,
                 chroma_url: str = "", progress: Progress | None = None, rebuild: bool = False,
                 allow_unparsed: bool = False, reuse: bool = True) -> Manifest:
    """The current index; built (under the build lock) unless it is current, e.g. just built by another process.
    rebuild: build even when current; reuse: unchanged passages keep the published build's vectors."""
    say = progress or (lambda _msg: None)
    with build_lock(Path(index_dir), say):
        manifest = read_manifest(index_dir)
        if not rebuild and is_current(manifest, index_dir, corpus_dir, embedding_name, chroma_url):
            return manifest
        return _build(plan, plan_docs(plan), Path(index_dir), corpus_dir, embeddings, embedding_name, chroma_url,
                      say, allow_unparsed, reuse=reuse)


def build_index(plan: Plan, docs: list[Doc], index_dir: Path, corpus_dir: Path, embeddings: Embeddings,
                embedding_name: str, progress: Progress | None = None, allow_unparsed: bool = False,
                chroma_url: str = "") -> Manifest:
    """Check the plan, embed every document into a fresh build, then switch the manifest to it atomically.

    One build runs at a time (a second one waits). Lines the parser did not understand stop the build (all of
    them reported at once), unless allow_unparsed; the index already published keeps serving."""
    say = progress or (lambda _msg: None)
    with build_lock(Path(index_dir), say):
        return _build(plan, docs, Path(index_dir), corpus_dir, embeddings, embedding_name, chroma_url, say,
                      allow_unparsed)


def guarded(call: Callable[[], Any]) -> Any:  # noqa: ANN401 - whatever the Chroma call returns
    """Run a Chroma call; a damaged or unreachable index becomes IndexError_ (a Rust panic too)."""
    try:
        return call()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - chromadb's Rust core panics with a BaseException
        raise IndexError_(f"検索インデックスが応答しません（{type(exc).__name__}）。{REBUILD_HINT}") from exc


def reusable_vectors(index_dir: Path, previous: Manifest | None, embedding_name: str, chroma_url: str) -> dict:
    """The published build's vectors by passage text, when it was made the same way (else, or unreadable: none)."""
    if previous is None or (previous.schema_version, previous.embedding, previous.chroma_url) != (
            SCHEMA_VERSION, embedding_name, chroma_url):
        return {}
    def read() -> dict:
        got = open_collection(index_dir, previous).get(include=["documents", "embeddings"])
        return {text: list(map(float, vec)) for text, vec in zip(got["documents"], got["embeddings"], strict=True)}

    try:
        return guarded(read)
    except IndexError_:  # a damaged store: embed everything
        return {}


def embed_all(docs: list[Doc], embeddings: Embeddings, known: dict, say: Progress) -> list[list[float]]:
    """Every document's vector: the previous build's for an unchanged text, the model's for the rest."""
    todo = list(dict.fromkeys(d.text for d in docs if d.text not in known))
    if known:
        say(f"前回のビルドと同じ本文 {len(docs) - len(todo)} 件は埋め込みを再利用します")
    fresh: dict[str, list[float]] = {}
    for start in range(0, len(todo), BATCH):
        batch = todo[start : start + BATCH]
        fresh.update(zip(batch, embeddings.embed_documents(batch), strict=True))
        say(f"埋め込み中 {min(start + BATCH, len(todo))}/{len(todo)} 件")
    return [known.get(d.text) or fresh[d.text] for d in docs]


def _build(plan: Plan, docs: list[Doc], index_dir: Path, corpus_dir: Path, embeddings: Embeddings,
           embedding_name: str, chroma_url: str, say: Progress, allow_unparsed: bool, reuse: bool = True) -> Manifest:
    """The build itself; the caller holds the build lock. Unchanged passages keep their vectors unless not reuse."""
    check_plan(plan, allow_unparsed)
    started = time.perf_counter()
    previous = read_manifest(index_dir)
    known = reusable_vectors(index_dir, previous, embedding_name, chroma_url) if reuse else {}
    build_dir = f"build-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    (index_dir / build_dir).mkdir(parents=True)
    try:
        collection = _client(index_dir, build_dir, chroma_url).create_collection(
            collection_name(build_dir), embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
        vectors = embed_all(docs, embeddings, known, say)
        for start in range(0, len(docs), BATCH * 8):
            batch = slice(start, start + BATCH * 8)
            collection.add(ids=[d.id for d in docs[batch]], documents=[d.text for d in docs[batch]],
                           embeddings=vectors[batch], metadatas=[d.metadata for d in docs[batch]])
        shutil.copyfile(corpus_files(corpus_dir)[-1], index_dir / build_dir / CORPUS_COPY)
    except Exception as exc:  # chromadb raises many types; the build folder is discarded
        shutil.rmtree(index_dir / build_dir, ignore_errors=True)
        _drop_collections(index_dir, [build_dir], chroma_url)
        raise IndexError_(f"インデックスを作成できませんでした: {exc}") from exc
    manifest = Manifest(
        schema_version=SCHEMA_VERSION,
        corpus_hash=corpus_hash(corpus_dir),
        embedding=embedding_name,
        build_dir=build_dir,
        documents=len(docs),
        built_at=time.time(),
        build_seconds=round(time.perf_counter() - started, 2),
        warnings=[str(i) for i in plan.issues],
        snapshot=snapshot(plan),
        chroma_url=chroma_url,
    )
    tmp = index_dir / f".manifest-{uuid.uuid4().hex}.json"
    tmp.write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
    os.replace(tmp, index_dir / MANIFEST)
    keep = {build_dir} | ({previous.build_dir} if previous else set())  # a server may still be switching over
    _drop_collections(index_dir, remove_unused(index_dir, keep), chroma_url)
    say(f"インデックスを作成しました: {len(docs)} 件, {manifest.build_seconds:.1f} 秒")
    say(format_report(build_report(plan)))
    if previous is not None and previous.snapshot:
        changes = diff(previous.snapshot, manifest.snapshot)
        say("前回のビルドからの変更: " + ("なし" if not changes else f"{len(changes)} 件\n  " + "\n  ".join(changes)))
    return manifest


def _drop_collections(index_dir: Path, build_dirs: list[str], chroma_url: str) -> None:
    """Delete the server-side collections of removed builds (embedded ones went with their folders)."""
    if not chroma_url or not build_dirs:
        return
    client = _client(index_dir, "", chroma_url)
    for name in build_dirs:
        try:
            client.delete_collection(collection_name(name))
        except Exception:  # noqa: BLE001 - already gone, or never created
            pass


def check_plan(plan: Plan, allow_unparsed: bool = False) -> None:
    """Refuse a plan with lines the parser did not understand, listing every one of them."""
    if plan.issues and not allow_unparsed:
        lines = "\n".join(f"  {i}" for i in plan.issues)
        raise CorpusError(
            f"プラン本文に読めない行が {len(plan.issues)} 行あります。インデックスは更新していません"
            f"（公開中のインデックスはそのまま使われます）。\n{lines}\n"
            "直してからもう一度実行するか、確認のうえ --allow-unparsed で公開してください。")


def last_good_corpus(index_dir: Path, manifest: Manifest | None) -> Path | None:
    """The plan text the published build was made from, if it is still there."""
    if manifest is None:
        return None
    path = Path(index_dir) / manifest.build_dir / CORPUS_COPY
    return path if path.is_file() else None


def open_collection(index_dir: Path, manifest: Manifest):  # noqa: ANN201 - chromadb collection type
    """The Chroma collection the manifest points to."""
    try:
        client = _client(Path(index_dir), manifest.build_dir, manifest.chroma_url)
        return client.get_collection(collection_name(manifest.build_dir), embedding_function=None)
    except Exception as exc:  # chromadb raises NotFoundError, ValueError, ...
        raise IndexError_(f"インデックスを開けませんでした: {exc}。{REBUILD_HINT}") from exc


def describe(index_dir: Path) -> dict:
    """The manifest as a dict, for `index --status`."""
    manifest = read_manifest(index_dir)
    return json.loads(manifest.model_dump_json()) if manifest else {}
