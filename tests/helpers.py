"""Small helpers shared by the test modules."""

from __future__ import annotations

from pathlib import Path


def isolated(bot, tmp_path: Path, **settings):  # noqa: ANN001, ANN003, ANN201
    """The session assistant with other serving settings and its own feedback and rate-limit files."""
    return bot.with_settings(feedback_db=tmp_path / "fb.sqlite3", rate_limit_db=tmp_path / "rl.sqlite3", **settings)
