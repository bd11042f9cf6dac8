"""Shared fixtures: every path points at a temp dir; one real index per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings
from assistant.corpus import load_plan
from assistant.models import Plan

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session", autouse=True)
def isolated_paths(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Point the index and the feedback DB at session temp dirs, never at the project's index/ or var/."""
    # one session index for every xdist worker: the first to get the build lock builds it, the others open it
    # (tests that rebuild or damage an index work on a private copy, helpers.copy_index)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    index_dir = tmp_path_factory.getbasetemp().parent / "index" if worker else tmp_path_factory.mktemp("index")
    index_dir.mkdir(exist_ok=True)
    os.environ["ASSISTANT_INDEX_DIR"] = str(index_dir)
    os.environ["ASSISTANT_FEEDBACK_DB"] = str(tmp_path_factory.mktemp("feedback") / "feedback.sqlite3")
    os.environ["ASSISTANT_CORPUS_DIR"] = str(PROJECT_ROOT / "corpus")
    os.environ["ASSISTANT_ALLOWED_HOSTS"] = '["testserver"]'  # the host name of Starlette's TestClient
    return index_dir


@pytest.fixture(scope="session")
def plan() -> Plan:
    """The real plan, parsed."""
    return load_plan(PROJECT_ROOT / "corpus")


@pytest.fixture(scope="session")
def bot(isolated_paths: Path):  # noqa: ANN201
    """One assistant over the real plan and a real index built in the session temp dir."""
    from assistant import Assistant

    return Assistant(Settings(), progress=False)
