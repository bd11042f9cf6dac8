"""Settings from the environment (prefix ASSISTANT_), with paths relative to the project root."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every knob of the assistant; each one can be set as ASSISTANT_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    corpus_dir: Path = Field(default=PROJECT_ROOT / "corpus", description="folder with the plan text")
    index_dir: Path = Field(default=PROJECT_ROOT / "index", description="persisted Chroma index")
    embedding: str = Field(default="e5-small", description="e5-small or st:<model name or path>")
    max_question_chars: int = Field(default=1000, ge=10)
    host: str = "127.0.0.1"
    port: int = Field(default=7860, ge=1, le=65535)
    rate_limit_per_minute: int = Field(default=60, ge=0, description="per client; 0 turns it off")
    cors_origins: list[str] = Field(default_factory=list, description="origins allowed to call the API")
    trusted_proxies: list[str] = Field(default_factory=list,
                                       description="proxy addresses/CIDRs whose X-Forwarded-For is believed")
    public_url: str = Field(default="", description="the address people use (https://dx.city.example.jp); the UI's "
                            "links are built from it, and its host is answered")
    allowed_hosts: list[str] = Field(default_factory=list, description="more host names answered besides loopback "
                                     "and the public URL's")
    health_details: bool = Field(default=False, description="/healthz also names the build, corpus hash and store")
    chroma_url: str = Field(default="", description="a Chroma server (http://host:port); empty = embedded")
    feedback_db: Path | None = Field(default=None, description="SQLite file; default var/feedback.sqlite3, apart from "
                                     "the index, so a rebuild, a wiped index or `make clean` keeps it")
    feedback_days: int = Field(default=365, ge=0, description="ratings older than this many days are deleted; 0 "
                               "keeps them all")
    feedback_max_mb: float = Field(default=50, gt=0, description="once the database holds this many MiB, storing a "
                                   "rating answers 503 (until old ratings are deleted)")

    rate_limit_db: Path | None = Field(default=None, description="SQLite file shared by workers; default "
                                       "index_dir/ratelimit.sqlite3")

    @property
    def rate_limit_path(self) -> Path:
        """Where the per-client request counts live (shared by every worker)."""
        return self.rate_limit_db or self.index_dir / "ratelimit.sqlite3"

    @property
    def feedback_path(self) -> Path:
        """Where 👍/👎 feedback is stored."""
        return self.feedback_db or PROJECT_ROOT / "var" / "feedback.sqlite3"
