"""Structured output of `llm` nodes: a JSON Schema turned into a pydantic-ai output type, and the
check that the model's answer really matches it.

pydantic-ai's `StructuredDict` only shows the schema to the model; it parses any JSON object. So
every answer is validated here with `jsonschema`, and a mismatch is sent back to the model as a
retry prompt naming the problem. Providers only accept object schemas for structured output, so
any other schema is wrapped in `{"result": …}` for the model and unwrapped afterwards.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from pydantic import JsonValue
from pydantic_ai import ModelRetry, StructuredDict
from pydantic_ai.exceptions import UserError

from engine.nodes.base import NodeError

WRAPPER_KEY = "result"
OUTPUT_NAME = "answer"


@dataclass(frozen=True)
class StructuredOutput:
    """The output type to give an agent, and how to check and unwrap what comes back."""

    output_type: type[dict[str, Any]]
    wrapped: bool
    validator: Draft202012Validator

    def check(self, answer: dict[str, Any]) -> dict[str, Any]:
        """Validate an answer (a pydantic-ai output validator).

        Raises:
            ModelRetry: The answer does not match the schema; the model is told where and why.
        """
        value = answer.get(WRAPPER_KEY) if self.wrapped else answer
        error = next(iter(self.validator.iter_errors(value)), None)
        if error is not None:
            raise ModelRetry(
                f"The answer does not match the JSON Schema at {error.json_path}: {error.message}"
            )
        return answer

    def unwrap(self, answer: dict[str, Any]) -> JsonValue:
        """The node's output: the answer, without the wrapper added for non-object schemas."""
        value: JsonValue = answer.get(WRAPPER_KEY) if self.wrapped else answer
        return value


def structured_output(schema: dict[str, JsonValue]) -> StructuredOutput:
    """Prepare structured output for a node's `outputSchema`.

    Args:
        schema: The node's JSON Schema (draft 2020-12, already checked by the DSL).

    Returns:
        The output type and its checks.

    Raises:
        NodeError: pydantic-ai cannot use the schema (e.g. a recursive `$ref`); not retryable.
    """
    wrapped = schema.get("type") != "object"
    # pydantic-ai may rewrite the schema it is given; the node's spec is shared between runs.
    shown: dict[str, Any] = copy.deepcopy(schema)
    if wrapped:
        definitions = shown.pop("$defs", None)
        shown = {"type": "object", "properties": {WRAPPER_KEY: shown}, "required": [WRAPPER_KEY]}
        if definitions is not None:
            shown["$defs"] = definitions
    try:
        output_type = StructuredDict(shown, name=OUTPUT_NAME)
    except UserError as error:
        raise NodeError(f"the output schema cannot be used: {error}", retryable=False) from error
    return StructuredOutput(output_type, wrapped, Draft202012Validator(schema))
