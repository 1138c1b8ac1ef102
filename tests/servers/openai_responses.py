"""The fake's Responses API wire format: `POST /v1/responses`, plain and streamed (what
pydantic-ai's `OpenAIResponsesModel`, i.e. `openai:<name>`, speaks)."""

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


def read_responses(request: dict[str, Any]) -> Conversation:
    """Reduce a Responses API request to a conversation."""
    conversation = Conversation()
    if request.get("instructions"):
        conversation.texts.append(request["instructions"])
    items = request.get("input", [])
    if isinstance(items, str):
        items = [{"role": "user", "content": items}]
    names: dict[str, str] = {}
    for item in items:
        kind = item.get("type", "message")
        if kind == "function_call":
            names[item["call_id"]] = item["name"]
            conversation.calls_so_far += 1
            conversation.texts.append(item.get("arguments", ""))
        elif kind == "function_call_output":
            output = _text_of(item.get("output"))
            conversation.texts.append(output)
            conversation.tool_results_since_user.append((names.get(item["call_id"], "tool"), output))
        elif item.get("role") == "user":
            conversation.add_user(_text_of(item.get("content")))
        else:
            conversation.texts.append(_text_of(item.get("content")))
    for tool in request.get("tools") or []:
        if tool.get("type") == "function":
            conversation.tools.append((tool["name"], tool.get("parameters") or {}))
    text_format = (request.get("text") or {}).get("format") or {}
    if text_format.get("type") == "json_schema":
        conversation.response_schema = text_format.get("schema", {})
    return conversation


def _message(reply: Reply, number: int, text: str, status: str) -> dict[str, Any]:
    content = [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}]
    return {
        "type": "message",
        "id": f"msg_fake_{number}",
        "status": status,
        "role": "assistant",
        "content": content if status == "completed" else [],
    }


def _function_call(reply: Reply, number: int, arguments: str, status: str) -> dict[str, Any]:
    assert reply.call is not None
    return {
        "type": "function_call",
        "id": f"fc_fake_{number}",
        "call_id": reply.call.call_id,
        "name": reply.call.name,
        "arguments": arguments,
        "status": status,
    }


def response_object(reply: Reply, model: str, number: int, *, done: bool = True) -> dict[str, Any]:
    """A response (complete, or as announced by `response.created` when not `done`)."""
    output: list[dict[str, Any]] = []
    if done and reply.call is not None:
        output.append(_function_call(reply, number, reply.call.arguments, "completed"))
    elif done:
        output.append(_message(reply, number, reply.text or "", "completed"))
    usage = {
        "input_tokens": reply.input_tokens,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": reply.output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": reply.input_tokens + reply.output_tokens,
    }
    return {
        "id": f"resp_fake_{number}",
        "object": "response",
        "created_at": CREATED,
        "status": "completed" if done else "in_progress",
        "model": model,
        "output": output,
        "usage": usage if done else None,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "metadata": {},
        "parallel_tool_calls": True,
        "temperature": None,
        "tool_choice": "auto",
        "tools": [],
        "top_p": None,
        "text": {"format": {"type": "text"}},
    }


def response_events(reply: Reply, model: str, number: int) -> Iterator[dict[str, Any]]:
    """The events of a streamed response, numbered (the caller frames them as SSE)."""
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": response_object(reply, model, number, done=False)}
    ]
    where = {"output_index": 0}
    if reply.call is not None:
        item_id = f"fc_fake_{number}"
        arguments = reply.call.arguments
        events += [
            {
                "type": "response.output_item.added",
                **where,
                "item": _function_call(reply, number, "", "in_progress"),
            },
            {
                "type": "response.function_call_arguments.delta",
                **where,
                "item_id": item_id,
                "delta": arguments,
            },
            {
                "type": "response.function_call_arguments.done",
                **where,
                "item_id": item_id,
                "arguments": arguments,
                "name": reply.call.name,
            },
            {
                "type": "response.output_item.done",
                **where,
                "item": _function_call(reply, number, arguments, "completed"),
            },
        ]
    else:
        item_id = f"msg_fake_{number}"
        text = reply.text or ""
        part_at = {**where, "item_id": item_id, "content_index": 0}
        empty_part = {"type": "output_text", "text": "", "annotations": []}
        events += [
            {
                "type": "response.output_item.added",
                **where,
                "item": _message(reply, number, "", "in_progress"),
            },
            {"type": "response.content_part.added", **part_at, "part": empty_part},
            *(
                {"type": "response.output_text.delta", **part_at, "delta": piece, "logprobs": []}
                for piece in split_deltas(text)
            ),
            {"type": "response.output_text.done", **part_at, "text": text, "logprobs": []},
            {"type": "response.content_part.done", **part_at, "part": {**empty_part, "text": text}},
            {
                "type": "response.output_item.done",
                **where,
                "item": _message(reply, number, text, "completed"),
            },
        ]
    events.append({"type": "response.completed", "response": response_object(reply, model, number)})
    for sequence_number, event in enumerate(events):
        yield {**event, "sequence_number": sequence_number}
