"""LangChain's own standard suites against our retriever and embeddings (langchain-tests), on the real plan."""

from __future__ import annotations

from functools import cache
from typing import Any

from langchain_tests.integration_tests import EmbeddingsIntegrationTests, RetrieversIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from assistant.embeddings import E5SmallEmbeddings
from assistant.retrieve import HybridSearcher, PlanRetriever


@cache
def searcher() -> HybridSearcher:
    """The hybrid searcher over this session's index (the one the `bot` fixture uses; built once)."""
    from assistant import Assistant
    from assistant.config import Settings

    return Assistant(Settings(), progress=False).searcher


class TestPlanRetriever(RetrieversIntegrationTests):
    """invoke / ainvoke return Documents; `k` works in the constructor and per call."""

    @property
    def retriever_constructor(self) -> type[PlanRetriever]:
        """The retriever under test."""
        return PlanRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        """A searcher over the real plan, and a k of its own."""
        return {"searcher": searcher(), "k": 2}

    @property
    def retriever_query_example(self) -> str:
        """A real question about the plan."""
        return "ごみ分別アプリの担当課は？"


class TestE5EmbeddingsUnit(EmbeddingsUnitTests):
    """The default e5 embeddings construct without arguments or environment."""

    @property
    def embeddings_class(self) -> type[E5SmallEmbeddings]:
        """The embeddings under test."""
        return E5SmallEmbeddings


class TestE5EmbeddingsIntegration(EmbeddingsIntegrationTests):
    """embed_query / embed_documents and their async forms give lists of floats of one size."""

    @property
    def embeddings_class(self) -> type[E5SmallEmbeddings]:
        """The embeddings under test."""
        return E5SmallEmbeddings
