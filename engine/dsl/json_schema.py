"""Fields whose value is itself a JSON Schema (run inputs, human input, structured LLM output)."""

from typing import Annotated

from jsonschema import Draft202012Validator, SchemaError
from pydantic import AfterValidator, JsonValue
from pydantic_core import PydanticCustomError


def check_json_schema(schema: dict[str, JsonValue]) -> dict[str, JsonValue]:
    """Accept a JSON Schema (draft 2020-12) only if it is itself valid.

    Args:
        schema: The candidate schema.

    Returns:
        The schema, unchanged.

    Raises:
        PydanticCustomError: `invalid_json_schema`, naming the offending keyword.
    """
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        raise PydanticCustomError(
            "invalid_json_schema",
            "Not a valid JSON Schema: {reason} (at {where})",
            {"reason": str(error.message), "where": str(error.json_path)},
        ) from None
    except RecursionError:
        # The meta-schema check recurses per nesting level; refuse rather than crash the caller.
        raise PydanticCustomError("invalid_json_schema", "The JSON Schema is nested too deeply") from None
    return schema


JsonSchema = Annotated[dict[str, JsonValue], AfterValidator(check_json_schema)]
"""A JSON Schema (draft 2020-12) object, checked against the meta-schema."""
