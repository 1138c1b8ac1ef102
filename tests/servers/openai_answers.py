"""What the fake OpenAI server answers: a deterministic function of the conversation.

Both wire formats (Chat Completions and Responses) are reduced to a `Conversation`; `plan` decides
the reply. The rules, which tests can rely on:

- A request offering function tools whose conversation has no tool result since the last user
  message calls the first tool, with arguments generated from its JSON Schema (strings get the
  last user message).
- Otherwise, a request offering an output tool (pydantic-ai's `final_result*`) calls it with
  arguments generated from its schema.
- Otherwise, a request asking for a JSON-Schema response format gets a JSON instance of the schema.
- Otherwise the answer is `echo: <last user message>`, followed by ` | <tool> returned: <result>`
  for every tool result in the conversation.

Token usage counts whitespace-separated words: input over every message, output over the reply.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

OUTPUT_TOOL_PREFIX = "final_result"
"""pydantic-ai names the tools it uses for structured output like this."""

RESULT_EXCERPT = 200


@dataclass
class Conversation:
    """A request reduced to what the answer depends on."""

    texts: list[str] = field(default_factory=list)
    """Every message's text, in order (for token counting)."""
    last_user: str = ""
    tool_results_since_user: list[tuple[str, str]] = field(default_factory=list)
    """`(tool name, result)` of tool results after the last user message."""
    tools: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """`(name, parameters schema)` of the offered function tools."""
    response_schema: dict[str, Any] | None = None
    calls_so_far: int = 0

    def add_user(self, text: str) -> None:
        """Record a user message."""
        self.texts.append(text)
        self.last_user = text
        self.tool_results_since_user.clear()


@dataclass(frozen=True)
class ToolCall:
    """The reply is a call of `name` with `arguments` (JSON text)."""

    call_id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class Reply:
    """What to send back: text, or a tool call; and the token usage."""

    text: str | None
    call: ToolCall | None
    input_tokens: int
    output_tokens: int


def words(text: str) -> int:
    """Tokens, as the fake counts them."""
    return len(text.split())


def instance_of(schema: dict[str, Any], text: str) -> Any:
    """A value valid against a (simple) JSON Schema, built deterministically."""
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            return instance_of(schema[key][0], text)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((item for item in kind if item != "null"), "null")
    if kind == "object":
        properties: dict[str, Any] = schema.get("properties", {})
        return {name: instance_of(sub, text) for name, sub in properties.items()}
    if kind == "array":
        return [instance_of(schema.get("items", {}), text)]
    simple: dict[str, Any] = {"string": text, "integer": 1, "number": 1.5, "boolean": True, "null": None}
    return simple.get(kind, text)


def plan(conversation: Conversation) -> Reply:
    """Decide the reply to a conversation (see the module docstring)."""
    input_tokens = max(1, sum(words(text) for text in conversation.texts))
    function_tools = [tool for tool in conversation.tools if not tool[0].startswith(OUTPUT_TOOL_PREFIX)]
    output_tools = [tool for tool in conversation.tools if tool[0].startswith(OUTPUT_TOOL_PREFIX)]
    chosen = None
    if function_tools and not conversation.tool_results_since_user:
        chosen = function_tools[0]
    elif output_tools:
        chosen = output_tools[0]
    if chosen is not None:
        arguments = json.dumps(instance_of(chosen[1], conversation.last_user))
        call = ToolCall(f"call_{conversation.calls_so_far + 1}", chosen[0], arguments)
        return Reply(None, call, input_tokens, max(1, words(arguments)))
    if conversation.response_schema is not None:
        text = json.dumps(instance_of(conversation.response_schema, conversation.last_user))
    else:
        text = f"echo: {conversation.last_user}" + "".join(
            f" | {name} returned: {result[:RESULT_EXCERPT]}"
            for name, result in conversation.tool_results_since_user
        )
    return Reply(text, None, input_tokens, max(1, words(text)))


def split_deltas(text: str) -> list[str]:
    """The chunks a streamed text is sent in: one per word, spaces kept, joined they are `text`."""
    pieces = re.findall(r"\s*\S+", text)
    tail = text[len("".join(pieces)) :]
    return [*pieces, tail] if tail else pieces
