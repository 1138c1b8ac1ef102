"""The fake's Chat Completions wire format: `POST /v1/chat/completions`, plain and streamed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.servers.openai_answers import Conversation, Reply, split_deltas

CREATED = 1_700_000_000


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def read_chat(request: dict[str, Any]) -> Conversation:
    """Reduce a Chat Completions request to a conversation."""
    conversation = Conversation()
    names: dict[str, str] = {}
    for message in request.get("messages", []):
        role = message.get("role")
        text = _text_of(message.get("content"))
        if role == "user":
            conversation.add_user(text)
            continue
        conversation.texts.append(text)
        for call in message.get("tool_calls") or []:
            names[call["id"]] = call["function"]["name"]
            conversation.calls_so_far += 1
        if role == "tool":
            name = names.get(message.get("tool_call_id", ""), "tool")
            conversation.tool_results_since_user.append((name, text))
    for tool in request.get("tools") or []:
        function = tool.get("function", {})
        conversation.tools.append((function.get("name", ""), function.get("parameters") or {}))
    response_format = request.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        conversation.response_schema = response_format["json_schema"].get("schema", {})
    return conversation


def _usage(reply: Reply) -> dict[str, int]:
    return {
        "prompt_tokens": reply.input_tokens,
        "completion_tokens": reply.output_tokens,
        "total_tokens": reply.input_tokens + reply.output_tokens,
    }


def _tool_calls(reply: Reply) -> list[dict[str, Any]]:
    assert reply.call is not None
    function = {"name": reply.call.name, "arguments": reply.call.arguments}
    return [{"id": reply.call.call_id, "type": "function", "function": function}]


def chat_completion(reply: Reply, model: str, number: int) -> dict[str, Any]:
    """A non-streamed completion."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.text}
    if reply.call is not None:
        message["tool_calls"] = _tool_calls(reply)
    return {
        "id": f"chatcmpl-fake-{number}",
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if reply.call else "stop",
                "logprobs": None,
            }
        ],
        "usage": _usage(reply),
    }


def chat_chunks(reply: Reply, model: str, number: int, *, include_usage: bool) -> Iterator[dict[str, Any]]:
    """The chunks of a streamed completion (the caller frames them as SSE and adds `[DONE]`)."""

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-fake-{number}",
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}],
        }

    yield chunk({"role": "assistant", "content": ""})
    if reply.call is not None:
        yield chunk({"tool_calls": [{"index": 0, **_tool_calls(reply)[0]}]})
    else:
        for piece in split_deltas(reply.text or ""):
            yield chunk({"content": piece})
    yield chunk({}, "tool_calls" if reply.call else "stop")
    if include_usage:
        yield {
            "id": f"chatcmpl-fake-{number}",
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": model,
            "choices": [],
            "usage": _usage(reply),
        }
