"""Build and open the persisted Chroma collection, with a manifest that says how it was built."""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from langchain_core.embeddings import Embeddings
from pydantic import BaseModel

from .corpus import corpus_files, corpus_hash
from .errors import CorpusError, IndexError_
from .models import Plan
from .report import build_report, diff, format_report, snapshot
from .text import sentences

SCHEMA_VERSION = 5
CORPUS_COPY = "corpus.txt"  # the plan text a build was made from, kept in its folder
COLLECTION = "kanazawa-dx-plan"
BATCH = 16
Progress = Callable[[str], None]


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


@dataclass(frozen=True)
class Doc:
    """One indexed document: the text embedded, its record and metadata."""

    id: str
    record_id: str
    kind: str
    text: str
    metadata: dict


def initiative_docs(plan: Plan) -> list[Doc]:
    """One document per initiative: name, departments, field, viewpoint, goal, statuses."""
    docs = []
    for ini in plan.initiatives:
        statuses = " / ".join(
            f"{s.department} " + " ".join(f"{y}:{v or '—'}" for y, v in s.years.items()) for s in ini.statuses
        )
        text = f"{ini.name}（担当: {'、'.join(ini.departments)}）{ini.field_name} {ini.viewpoint} {ini.goal} {statuses}"
        meta = {
            "kind": "initiative",
            "record_id": ini.id,
            "departments": ini.departments,
            "field": ini.field_no,
            "new": ini.new,
        }
        for year in (2026, 2027, 2028, 2029):
            meta[f"status_{year}"] = [s.years[year] or "—" for s in ini.statuses]
        docs.append(Doc(ini.id, ini.id, "initiative", text, meta))
    return docs


def kpi_docs(plan: Plan) -> list[Doc]:
    """One document per KPI."""
    return [
        Doc(
            k.id,
            k.id,
            "kpi",
            f"KPI {k.label} 目標 {k.target}（{k.target_year}）{k.field_name} {k.viewpoint}",
            {"kind": "kpi", "record_id": k.id, "field": k.field_no, "cumulative": k.cumulative},
        )
        for k in plan.kpis
    ]


def goal_docs(plan: Plan) -> list[Doc]:
    """One document per ○ goal: its title, field, viewpoint and the names of its initiatives."""
    names = {i.id: i.name for i in plan.initiatives}
    return [
        Doc(g.id, g.id, "goal",
            f"○ {g.title}（{g.field_name} {g.viewpoint}）: " + "、".join(names[i] for i in g.initiative_ids),
            {"kind": "goal", "record_id": g.id, "field": g.field_no})
        for g in plan.goals
    ]


def section_docs(plan: Plan, max_chars: int = 220) -> list[Doc]:
    """Narrative sections cut into chunks of whole sentences, each prefixed with its heading."""
    docs = []
    for sec in plan.sections:
        chunk: list[str] = []
        pieces = sentences(sec.text)
        for i, sentence in enumerate(pieces):
            chunk.append(sentence)
            if sum(map(len, chunk)) >= max_chars or i == len(pieces) - 1:
                n = sum(1 for d in docs if d.record_id == sec.id)
                docs.append(
                    Doc(
                        f"{sec.id}#{n}",
                        sec.id,
                        "section",
                        f"{sec.title}: " + " ".join(chunk),
                        {"kind": "section", "record_id": sec.id, "title": sec.title},
                    )
                )
                chunk = []
    return docs


def plan_docs(plan: Plan) -> list[Doc]:
    """Every document of the index, in a stable order."""
    return initiative_docs(plan) + kpi_docs(plan) + goal_docs(plan) + section_docs(plan)


def _client(path: Path):  # noqa: ANN202 - chromadb client type
    """A persistent Chroma client with telemetry off."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))


def read_manifest(index_dir: Path) -> Manifest | None:
    """The manifest of the index, or None when there is none or it is unreadable."""
    path = Path(index_dir) / "manifest.json"
    try:
        return Manifest.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_current(manifest: Manifest | None, index_dir: Path, corpus_dir: Path, embedding: str) -> bool:
    """True when the manifest matches this corpus, model and schema and its files exist."""
    return (
        manifest is not None
        and manifest.schema_version == SCHEMA_VERSION
        and manifest.embedding == embedding
        and manifest.corpus_hash == corpus_hash(corpus_dir)
        and (Path(index_dir) / manifest.build_dir).is_dir()
    )


def build_index(
    plan: Plan,
    docs: list[Doc],
    index_dir: Path,
    corpus_dir: Path,
    embeddings: Embeddings,
    embedding_name: str,
    progress: Progress | None = None,
    allow_unparsed: bool = False,
) -> Manifest:
    """Check the plan, embed every document into a fresh build folder, then switch the manifest to it atomically.

    Lines the parser did not understand stop the build (all of them reported at once), unless allow_unparsed;
    the index already published keeps serving."""
    say = progress or (lambda _msg: None)
    check_plan(plan, allow_unparsed)
    started = time.perf_counter()
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    previous = read_manifest(index_dir)
    build_dir = f"build-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    try:
        collection = _client(index_dir / build_dir).create_collection(
            COLLECTION, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
        for start in range(0, len(docs), BATCH):
            batch = docs[start : start + BATCH]
            collection.add(
                ids=[d.id for d in batch],
                documents=[d.text for d in batch],
                embeddings=embeddings.embed_documents([d.text for d in batch]),
                metadatas=[d.metadata for d in batch],
            )
            say(f"埋め込み中 {min(start + BATCH, len(docs))}/{len(docs)} 件")
        shutil.copyfile(corpus_files(corpus_dir)[-1], index_dir / build_dir / CORPUS_COPY)
    except Exception as exc:  # chromadb raises many types; the build folder is discarded
        shutil.rmtree(index_dir / build_dir, ignore_errors=True)
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
    )
    tmp = index_dir / f".manifest-{uuid.uuid4().hex}.json"
    tmp.write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
    os.replace(tmp, index_dir / "manifest.json")
    _remove_old_builds(index_dir, keep=build_dir)
    say(f"インデックスを作成しました: {len(docs)} 件, {manifest.build_seconds:.1f} 秒")
    say(format_report(build_report(plan)))
    if previous is not None and previous.snapshot:
        changes = diff(previous.snapshot, manifest.snapshot)
        say("前回のビルドからの変更: " + ("なし" if not changes else f"{len(changes)} 件\n  " + "\n  ".join(changes)))
    return manifest


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


def _remove_old_builds(index_dir: Path, keep: str) -> None:
    """Delete build folders other than the current one."""
    for path in index_dir.glob("build-*"):
        if path.name != keep and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


def open_collection(index_dir: Path, manifest: Manifest):  # noqa: ANN201 - chromadb collection type
    """The Chroma collection the manifest points to."""
    try:
        return _client(Path(index_dir) / manifest.build_dir).get_collection(COLLECTION, embedding_function=None)
    except Exception as exc:  # chromadb raises NotFoundError, ValueError, ...
        raise IndexError_(f"インデックスを開けませんでした: {exc}") from exc


def describe(index_dir: Path) -> dict:
    """The manifest as a dict, for `index --status`."""
    manifest = read_manifest(index_dir)
    return json.loads(manifest.model_dump_json()) if manifest else {}
