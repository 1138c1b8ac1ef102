"""The one statement that makes a batch of run transitions durable, and its parameters.

All of a batch — run rows, node runs, events, human tasks of many runs — is written by a single
statement of data-modifying CTEs: one round trip and one commit, however many runs it carries.
Each run row is updated only if its `last_seq` is still the transition's `expected_seq`; the other
rows of a run are joined to that update, so a stale transition writes nothing at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from engine.records import NO_USAGE, Transition, Usage

COMMIT_SQL = """
WITH r AS (
    UPDATE runs SET status = u.status, output = u.output::jsonb, error = u.error, usage = u.usage::jsonb,
        last_seq = u.last_seq, started_at = u.started_at, finished_at = u.finished_at, updated_at = now()
    FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[],
                $8::timestamptz[], $9::timestamptz[])
        AS u(id, expected, status, output, error, usage, last_seq, started_at, finished_at)
    WHERE runs.id = u.id AND runs.last_seq = u.expected
    RETURNING runs.id, runs.workspace_id
), n AS (
    INSERT INTO node_runs (workspace_id, run_id, node_id, iteration, status, attempts, input, output,
        error, branch, usage, started_at, finished_at)
    SELECT r.workspace_id, x.run_id, x.node_id, x.iteration, x.status, x.attempts, x.input::jsonb,
        x.output::jsonb, x.error, x.branch, x.usage::jsonb, x.started_at, x.finished_at
    FROM unnest($10::uuid[], $11::text[], $12::int[], $13::text[], $14::int[], $15::text[], $16::text[],
                $17::text[], $18::text[], $19::text[], $20::timestamptz[], $21::timestamptz[])
        AS x(run_id, node_id, iteration, status, attempts, input, output, error, branch, usage,
             started_at, finished_at)
    JOIN r ON r.id = x.run_id
    ON CONFLICT (run_id, node_id, iteration) DO UPDATE SET status = EXCLUDED.status,
        attempts = EXCLUDED.attempts, input = EXCLUDED.input, output = EXCLUDED.output,
        error = EXCLUDED.error, branch = EXCLUDED.branch, usage = EXCLUDED.usage,
        started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at
), e AS (
    INSERT INTO run_events (workspace_id, run_id, seq, type, node_id, at, data)
    SELECT r.workspace_id, x.run_id, x.seq, x.type, x.node_id, x.at, x.data::jsonb
    FROM unnest($22::uuid[], $23::int[], $24::text[], $25::text[], $26::timestamptz[], $27::text[])
        AS x(run_id, seq, type, node_id, at, data)
    JOIN r ON r.id = x.run_id
), h AS (
    INSERT INTO human_tasks (workspace_id, run_id, node_id, iteration, prompt, schema, status, input,
        created_at, due_at, closed_at)
    SELECT r.workspace_id, x.run_id, x.node_id, x.iteration, x.prompt, x.schema::jsonb, x.status,
        x.input::jsonb, x.created_at, x.due_at, x.closed_at
    FROM unnest($28::uuid[], $29::text[], $30::int[], $31::text[], $32::text[], $33::text[], $34::text[],
                $35::timestamptz[], $36::timestamptz[], $37::timestamptz[])
        AS x(run_id, node_id, iteration, prompt, schema, status, input, created_at, due_at, closed_at)
    JOIN r ON r.id = x.run_id
    ON CONFLICT (run_id, node_id, iteration) DO UPDATE SET status = EXCLUDED.status,
        input = EXCLUDED.input, due_at = EXCLUDED.due_at, closed_at = EXCLUDED.closed_at
)
SELECT id FROM r
"""

_encode = msgspec.json.encode


def encode_json(value: object) -> str | None:
    """JSON text for a jsonb parameter; None stays SQL NULL."""
    return None if value is None else _encode(value).decode()


def encode_usage(usage: Usage) -> str | None:
    """Usage as stored: NULL when nothing was spent."""
    if usage == NO_USAGE:
        return None
    return encode_json(
        {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens, "requests": usage.requests}
    )


def decode_usage(raw: str | None) -> Usage:
    """Usage as loaded."""
    if raw is None:
        return NO_USAGE
    data = msgspec.json.decode(raw)
    return Usage(data["input_tokens"], data["output_tokens"], data["requests"])


def commit_parameters(batch: Sequence[Transition]) -> list[list[Any]]:
    """The 37 column arrays of COMMIT_SQL for a batch (at most one transition per run)."""
    columns: list[list[Any]] = [[] for _ in range(37)]
    runs, nodes, events, tasks = columns[0:9], columns[9:21], columns[21:27], columns[27:37]
    for transition in batch:
        run = transition.run
        for column, value in zip(
            runs,
            (
                run.id,
                transition.expected_seq,
                run.status.value,
                encode_json(run.output),
                run.error,
                encode_usage(run.usage),
                run.last_seq,
                run.started_at,
                run.finished_at,
            ),
            strict=True,
        ):
            column.append(value)
        for node in transition.node_runs:
            for column, value in zip(
                nodes,
                (
                    node.run_id,
                    node.node_id,
                    node.iteration,
                    node.status.value,
                    node.attempts,
                    encode_json(node.input),
                    encode_json(node.output),
                    node.error,
                    node.branch,
                    encode_usage(node.usage),
                    node.started_at,
                    node.finished_at,
                ),
                strict=True,
            ):
                column.append(value)
        for event in transition.events:
            for column, value in zip(
                events,
                (event.run_id, event.seq, event.type.value, event.node_id, event.at, encode_json(event.data)),
                strict=True,
            ):
                column.append(value)
        for task in transition.tasks:
            for column, value in zip(
                tasks,
                (
                    task.run_id,
                    task.node_id,
                    task.iteration,
                    task.prompt,
                    encode_json(task.schema),
                    task.status.value,
                    encode_json(task.input),
                    task.created_at,
                    task.due_at,
                    task.closed_at,
                ),
                strict=True,
            ):
                column.append(value)
    return columns
