"""Helpers of the llm node tests: specs, and a ModelFactory that hands out one given model."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic_ai.models import Model

from engine.dsl import LlmNode
from engine.models import ProviderSettings, StaticModelFactory
from tests.servers.openai_fake import FakeOpenAI


def llm_node(**params: Any) -> LlmNode:
    """An llm node spec with the given params (the DSL validates them, camelCase or snake_case)."""
    return LlmNode.model_validate({"id": "ask", "type": "llm", "params": params})


class OneModel:
    """A ModelFactory double that hands out the same model for every model string."""

    def __init__(self, model: Model) -> None:
        self._model = model

    async def model(self, workspace_id: UUID, model: str) -> Model:
        return self._model


def fake_factory(fake: FakeOpenAI, *, api_key: str | None = None) -> StaticModelFactory:
    """The real model factory, pointed at the fake OpenAI API for `openai:` and `openai-chat:`."""
    settings = ProviderSettings(api_key=api_key or fake.api_key, base_url=fake.base_url)
    return StaticModelFactory({"openai": settings, "openai-chat": settings})
