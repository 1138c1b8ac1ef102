"""The one statement that makes a batch of run transitions durable, and its parameters.

All of a batch — run rows, node runs, events, human tasks of many runs — is written by a single
statement of data-modifying CTEs: one round trip and one commit, however many runs it carries.
Each run row is updated only if its `last_seq` is still the transition's `expected_seq` and the
writing process still holds its lease (`$6`, see `backend.runs.leases`); the other rows of a run are
joined to that update, so a stale transition, or one from a process that lost the lease, writes
nothing at all. The run ids
also come as an array: `runs.id = ANY($5)` lets the planner see a handful of primary-key lookups
(it takes a JSON recordset for 100 rows, and with that estimate preferred scanning the whole table
until `runs` held tens of thousands of rows; a cached plan would never notice the table grow).

The rows travel as four JSON documents (`json_to_recordset` turns them back into rows): msgspec
encodes a whole batch in one call, where asyncpg's array parameters would be encoded element by
element in Python, and JSON values (inputs, outputs, event data) are embedded as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import msgspec

from engine.records import NO_USAGE, Transition, Usage

COMMIT_SQL = """
WITH r AS (
    UPDATE runs SET status = u.status, output = u.output, error = u.error, usage = u.usage,
        last_seq = u.last_seq, started_at = u.started_at, finished_at = u.finished_at, updated_at = now()
    FROM json_to_recordset($1::json) AS u(id uuid, expected int, status text, output jsonb, error text,
        usage jsonb, last_seq int, started_at timestamptz, finished_at timestamptz)
    WHERE runs.id = ANY($5::uuid[]) AND runs.id = u.id AND runs.last_seq = u.expected
        AND runs.lease_owner IS NOT DISTINCT FROM $6::uuid
    RETURNING runs.id, runs.workspace_id
), n AS (
    INSERT INTO node_runs (workspace_id, run_id, node_id, iteration, status, attempts, input, output,
        error, branch, usage, started_at, finished_at)
    SELECT r.workspace_id, x.run_id, x.node_id, x.iteration, x.status, x.attempts, x.input, x.output,
        x.error, x.branch, x.usage, x.started_at, x.finished_at
    FROM json_to_recordset($2::json) AS x(run_id uuid, node_id text, iteration int, status text,
        attempts int, input jsonb, output jsonb, error text, branch text, usage jsonb,
        started_at timestamptz, finished_at timestamptz)
    JOIN r ON r.id = x.run_id
    ON CONFLICT (run_id, node_id, iteration) DO UPDATE SET status = EXCLUDED.status,
        attempts = EXCLUDED.attempts, input = EXCLUDED.input, output = EXCLUDED.output,
        error = EXCLUDED.error, branch = EXCLUDED.branch, usage = EXCLUDED.usage,
        started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at
), e AS (
    INSERT INTO run_events (workspace_id, run_id, seq, type, node_id, at, data)
    SELECT r.workspace_id, x.run_id, x.seq, x.type, x.node_id, x.at, x.data
    FROM json_to_recordset($3::json) AS x(run_id uuid, seq int, type text, node_id text,
        at timestamptz, data jsonb)
    JOIN r ON r.id = x.run_id
), h AS (
    INSERT INTO human_tasks (workspace_id, run_id, node_id, iteration, prompt, schema, status, input,
        created_at, due_at, closed_at, budget)
    SELECT r.workspace_id, x.run_id, x.node_id, x.iteration, x.prompt, x.schema, x.status, x.input,
        x.created_at, x.due_at, x.closed_at, x.budget
    FROM json_to_recordset($4::json) AS x(run_id uuid, node_id text, iteration int, prompt text,
        schema jsonb, status text, input jsonb, created_at timestamptz, due_at timestamptz,
        closed_at timestamptz, budget text)
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


def usage_document(usage: Usage) -> dict[str, int | float | bool] | None:
    """Usage as stored: NULL when nothing was spent. The cost (`cost_usd`, and `unpriced` when a
    model had no price) is read by the generated `cost_usd` columns of runs and node runs (m0010)."""
    if usage == NO_USAGE:
        return None
    document: dict[str, int | float | bool] = {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "requests": usage.requests,
    }
    if usage.cost_usd:
        document["cost_usd"] = usage.cost_usd
    if usage.unpriced:
        document["unpriced"] = True
    return document


def decode_usage(raw: str | dict[str, Any] | None) -> Usage:
    """Usage as loaded (jsonb text, or already decoded inside a JSON aggregate)."""
    if raw is None:
        return NO_USAGE
    data = msgspec.json.decode(raw) if isinstance(raw, str) else raw
    return Usage(
        data["input_tokens"],
        data["output_tokens"],
        data["requests"],
        float(data.get("cost_usd", 0.0)),
        bool(data.get("unpriced", False)),
    )


def commit_parameters(
    batch: Sequence[Transition], owner: UUID | None
) -> tuple[str, str, str, str, list[UUID], UUID | None]:
    """The parameters of COMMIT_SQL for a batch (at most one transition per run) written by the
    lease holder `owner` (None: runs nobody holds, e.g. one being created)."""
    runs: list[dict[str, Any]] = []
    nodes: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    for transition in batch:
        run = transition.run
        runs.append(
            {
                "id": run.id,
                "expected": transition.expected_seq,
                "status": run.status,
                "output": run.output,
                "error": run.error,
                "usage": usage_document(run.usage),
                "last_seq": run.last_seq,
                "started_at": run.started_at,
                "finished_at": run.finished_at,
            }
        )
        nodes.extend(
            {
                "run_id": node.run_id,
                "node_id": node.node_id,
                "iteration": node.iteration,
                "status": node.status,
                "attempts": node.attempts,
                "input": node.input,
                "output": node.output,
                "error": node.error,
                "branch": node.branch,
                "usage": usage_document(node.usage),
                "started_at": node.started_at,
                "finished_at": node.finished_at,
            }
            for node in transition.node_runs
        )
        events.extend(
            {
                "run_id": event.run_id,
                "seq": event.seq,
                "type": event.type,
                "node_id": event.node_id,
                "at": event.at,
                "data": event.data,
            }
            for event in transition.events
        )
        tasks.extend(
            {
                "run_id": task.run_id,
                "node_id": task.node_id,
                "iteration": task.iteration,
                "prompt": task.prompt,
                "schema": task.schema,
                "status": task.status,
                "input": task.input,
                "created_at": task.created_at,
                "due_at": task.due_at,
                "closed_at": task.closed_at,
                "budget": task.budget,
            }
            for task in transition.tasks
        )
    return (
        _encode(runs).decode(),
        _encode(nodes).decode(),
        _encode(events).decode(),
        _encode(tasks).decode(),
        [transition.run.id for transition in batch],
        owner,
    )
