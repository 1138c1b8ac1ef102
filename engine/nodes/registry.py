"""Which executor runs which node kind: one line per kind."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from engine.nodes import condition, embedding, human, llm, output, retrieve, template, tool
from engine.nodes.base import ExecutorFunction

EXECUTORS: Mapping[str, ExecutorFunction] = MappingProxyType(
    {
        "llm": llm.execute,
        "embedding": embedding.execute,
        "retrieve": retrieve.execute,
        "tool": tool.execute,
        "condition": condition.execute,
        "human": human.execute,
        "template": template.execute,
        "output": output.execute,
    }
)
"""The executor of every node kind of the DSL."""
