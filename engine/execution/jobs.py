"""The work an execution hands out, and what comes back: attempts, backoffs, due timers, submissions.

The scheduler decides (synchronously) and emits jobs; the driver performs them, inline or in tasks,
and gives each job back to the scheduler with its result filled in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import anyio
from pydantic import JsonValue

from engine import log_context
from engine.dsl import Node, RetryPolicy
from engine.execution.outcomes import SubmitOutcome
from engine.limits import RunLimits
from engine.nodes.base import ExecutorFunction, NodeContext, NodeError, NodeResult
from engine.records import HumanTask
from engine.value_policy import check_value, plainly_fine, printable

MAX_ERROR_CHARS = 4000
"""Longest error message recorded for a node (longer ones are cut, marked with an ellipsis)."""


@dataclass(frozen=True, slots=True)
class Failure:
    """An attempt that failed."""

    message: str
    retryable: bool


@dataclass(slots=True, eq=False)
class Attempt:
    """Call a node's executor once; its start is already durable."""

    node_id: str
    iteration: int
    attempt: int
    """The attempt number recorded on the node run (counts attempts of earlier executions too)."""
    tries: int
    """Attempts of this iteration in this execution: what the retry policy counts."""
    input: JsonValue
    result: NodeResult | Failure | None = None
    output_bytes: int = 0
    """The size of the result's output as UTF-8 JSON, once it passed the value policy."""


@dataclass(slots=True, eq=False)
class Backoff:
    """Wait before the next attempt of a node that failed `tries` times in this execution."""

    node_id: str
    delay: float
    tries: int


@dataclass(slots=True, eq=False)
class DueTimer:
    """Wake up when a human task falls due."""

    task: HumanTask


@dataclass(slots=True, eq=False)
class Submission:
    """Human input handed to a live execution; `outcome` is set once it is durable (or refused)."""

    node_id: str
    value: JsonValue
    done: anyio.Event = field(default_factory=anyio.Event)
    outcome: SubmitOutcome | None = None
    error: BaseException | None = None


Job = Attempt | Backoff | DueTimer
"""Work the driver performs."""

Message = Attempt | Backoff | DueTimer | Submission
"""What the driver gives back to the scheduler."""


def backoff_delay(policy: RetryPolicy, failures: int) -> float:
    """The wait after the `failures`-th failed attempt.

    Args:
        policy: The node's retry policy.
        failures: Failed attempts so far (1 after the first).

    Returns:
        `backoffSeconds * backoffMultiplier ** (failures - 1)`, at most `maxBackoffSeconds`.
    """
    delay = policy.backoff_seconds * policy.backoff_multiplier ** (failures - 1)
    return min(delay, policy.max_backoff_seconds)


async def run_attempt(
    executor: ExecutorFunction | None, spec: Node, context: NodeContext
) -> tuple[NodeResult | Failure, int]:
    """Call an executor once, within the node's time limit, turning every failure into a `Failure`.

    The result passes the value policy (`result_problem`) before anything may record it.

    Args:
        executor: The executor of the node's kind (None: the engine has none for it).
        spec: The node.
        context: The attempt's context.

    Returns:
        The executor's result, or the failure; and the output's size as UTF-8 JSON.
    """
    if executor is None:
        return Failure(f"no executor for node kind '{spec.type}'", retryable=False), 0
    telemetry = context.services.telemetry
    with (
        log_context.bound(run_id=context.run_id, node_id=context.node_id, workspace_id=context.workspace_id),
        telemetry.attempt(
            run_id=context.run_id,
            workspace_id=context.workspace_id,
            node=spec,
            iteration=context.iteration,
            attempt=context.attempt,
        ) as report,
    ):
        outcome, size = await _call(executor, spec, context)
        if isinstance(outcome, Failure):
            report.failed(outcome.message, retryable=outcome.retryable)
        else:
            report.succeeded(outcome.usage, waiting=outcome.wait is not None)
    return outcome, size


async def _call(
    executor: ExecutorFunction, spec: Node, context: NodeContext
) -> tuple[NodeResult | Failure, int]:
    timeout = spec.timeout_seconds
    try:
        if timeout is None:
            result = await executor(spec, context)
        else:
            with anyio.fail_after(timeout):
                result = await executor(spec, context)
    except NodeError as error:
        return failure(str(error), retryable=error.retryable), 0
    except TimeoutError as error:
        # Ours when the node has a time limit; otherwise the executor's own, reported as such.
        message = f"timed out after {timeout:g} seconds" if timeout is not None else f"TimeoutError: {error}"
        return failure(message, retryable=True), 0
    except Exception as error:  # an executor's unexpected error fails its node, not the engine
        return failure(f"{type(error).__name__}: {error}", retryable=True), 0
    refusal, size = await result_problem(result, context.services.limits)
    return (result, size) if refusal is None else (failure(refusal, retryable=False), 0)


def failure(message: str, *, retryable: bool) -> Failure:
    """A failure whose message can be stored: unstorable characters replaced, at most MAX_ERROR_CHARS.

    Args:
        message: What went wrong; may quote anything a node saw.
        retryable: Whether the node's retry policy applies.

    Returns:
        The failure.
    """
    text = printable(message)
    if len(text) > MAX_ERROR_CHARS:
        text = text[: MAX_ERROR_CHARS - 1] + "…"
    return Failure(text, retryable)


async def result_problem(result: NodeResult, limits: RunLimits) -> tuple[str | None, int]:
    """Why a node's result cannot be recorded (see `engine.value_policy`), and its output's size.

    Args:
        result: What the executor returned.
        limits: The run's limits.

    Returns:
        A message for the node's error, or None: the output (or the human task's prompt and
        schema) is too large, too deep, or holds text or numbers that cannot be stored. And the
        output's size as UTF-8 JSON.
    """
    wait = result.wait
    if wait is None:
        size = plainly_fine(result.output, limits.max_output_bytes, limits.max_json_depth)
        if size is not None:
            return None, size
    bounds = {"max_bytes": limits.max_output_bytes, "max_depth": limits.max_json_depth}
    if wait is None:
        problem, size = await check_value(result.output, what="the output", **bounds)
        return (None if problem is None else problem.message), size
    for value, what in ((wait.prompt, "the prompt"), (wait.schema, "the schema")):
        problem, _ = await check_value(value, what=what, **bounds)
        if problem is not None:
            return problem.message, 0
    return None, 0
