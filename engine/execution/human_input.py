"""Human input: checking a submission against its task's schema, and closing the task."""

from __future__ import annotations

from datetime import datetime

from jsonschema import Draft202012Validator
from pydantic import JsonValue

from engine.execution.outcomes import InvalidInput
from engine.limits import RunLimits
from engine.records import HumanTask, TaskStatus
from engine.value_policy import value_problem


def schema_errors(schema: JsonValue, value: JsonValue) -> list[str]:
    """Every way `value` breaks `schema` (JSON Schema draft 2020-12).

    Args:
        schema: The task's schema (checked against the meta-schema when the workflow was saved).
        value: The submitted input.

    Returns:
        `<JSON path>: <message>` for each violation, sorted; empty when the value is valid.
    """
    validator = Draft202012Validator(schema if isinstance(schema, dict | bool) else {})
    found = sorted((error.json_path, error.message) for error in validator.iter_errors(value))
    return [f"{path}: {message}" for path, message in found]


def submission_errors(schema: JsonValue, value: JsonValue, limits: RunLimits) -> list[str]:
    """Why a human task's answer is refused: it cannot be stored (`engine.value_policy`), or it breaks
    the task's schema.

    Args:
        schema: The task's schema.
        value: The submitted input.
        limits: The run's limits (`max_human_input_bytes`, `max_json_depth`).

    Returns:
        The reasons; empty when the input is accepted.
    """
    problem = value_problem(
        value, max_bytes=limits.max_human_input_bytes, max_depth=limits.max_json_depth, what="the input"
    )
    return [problem.message] if problem is not None else schema_errors(schema, value)


def invalid_input(errors: list[str]) -> InvalidInput:
    """The outcome of a submission that breaks its schema.

    Args:
        errors: From `schema_errors`, not empty.

    Returns:
        The outcome, with a one-line summary.
    """
    count = "1 problem" if len(errors) == 1 else f"{len(errors)} problems"
    return InvalidInput(f"The input does not match the expected schema ({count})", errors)


def closed_task(task: HumanTask, value: JsonValue, now: datetime) -> HumanTask:
    """The task once answered (or timed out, with `value` None).

    Args:
        task: The open task.
        value: The accepted input.
        now: When it closed.

    Returns:
        The task, DONE.
    """
    return HumanTask(
        task.run_id,
        task.workspace_id,
        task.node_id,
        task.iteration,
        task.prompt,
        task.schema,
        TaskStatus.DONE,
        task.created_at,
        task.due_at,
        value,
        now,
        task.budget,
    )
