"""Index builds on disk: one build at a time (a lock), and a build kept while any process still reads it."""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

BUILD_LOCK = ".build.lock"  # held (exclusive) while a build runs
IN_USE = ".in-use"  # in each build folder: held (shared) by every process that answers from that build


@contextmanager
def build_lock(index_dir: Path, say: Callable[[str], None]) -> Iterator[None]:
    """Hold the index folder's build lock; a second build waits until the first has finished."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / BUILD_LOCK, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say("別のインデックス作成が進行中です。終わるのを待っています…")
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class Lease:
    """A shared lock on a build folder: while any process holds one, no build deletes that folder."""

    def __init__(self, build_path: Path) -> None:
        self.path = build_path
        self._fh: IO[str] | None = open(build_path / IN_USE, "a+")  # noqa: SIM115 - held until release()
        fcntl.flock(self._fh, fcntl.LOCK_SH)

    def release(self) -> None:
        """Let builds delete the folder again (once no other process holds it)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def in_use(build_path: Path) -> bool:
    """True when some process holds a lease on the build folder."""
    marker = build_path / IN_USE
    if not marker.exists():
        return False
    with open(marker, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
    return False


def _remove_if_unused(path: Path) -> bool:
    """Delete a build folder unless a process holds a lease on it (checked and deleted under one lock)."""
    with open(path / IN_USE, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        shutil.rmtree(path, ignore_errors=True)
    return True


def remove_unused(index_dir: Path, keep: set[str]) -> list[str]:
    """Delete build folders that are not kept and that no process reads; returns their names."""
    return [p.name for p in sorted(index_dir.glob("build-*"))
            if p.is_dir() and p.name not in keep and _remove_if_unused(p)]
